//! The user annotates the handle with a state the move does not reach:
//! a plain type mismatch naming both states.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Stopped on Stop)]
struct Worker;

fn main() {
    let created = Typed::<Worker, _>::new(Worker);
    let _stopped: Typed<Worker, worker::Stopped> = created.fire(worker::Init);
}
