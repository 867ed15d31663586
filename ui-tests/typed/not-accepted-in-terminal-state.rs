//! `Stopped` is terminal: it accepts no event at all.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Running, Stopped), initial = Running, terminal(Stopped))]
#[transition(Running -> Stopped on Stop)]
struct Job;

fn main() {
    let running = Typed::<Job, _>::new(Job);
    let stopped = running.fire(job::Stop);
    let _ = stopped.fire(job::Stop);
}
