//! `Ready` has exactly one outgoing transition (`Start`); firing `Stop` there
//! must name the component, the state and the event (E0277), not report a
//! type mismatch inferred from the single impl.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Ready, Running, Stopped), initial = Ready, terminal(Stopped))]
#[transition(Ready -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
struct Job;

fn main() {
    let ready = Typed::<Job, _>::new(Job);
    let _stopped = ready.fire(job::Stop);
}
