//! The third call of a chain fires an event the state reached by then
//! (`Running`) does not accept.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
struct Worker;

fn main() {
    let _ = Typed::<Worker, _>::new(Worker)
        .fire(worker::Init)
        .fire(worker::Start)
        .fire(worker::Init)
        .fire(worker::Stop);
}
