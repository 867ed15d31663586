//! Three unrelated mistakes are reported together, each once: a duplicate
//! state, an unknown target, and an unknown key.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Running, Stopped), initial = Created, terminal(Stopped), snapshto = Foo)]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stoped on Stop)]
#[transition(Running -> Stopped on Halt)]
struct Worker;

fn main() {
    // The valid part still generates its types: no follow-on error here.
    let created = Typed::new(Worker);
    let _running: Typed<Worker, worker::Running> = created.fire(worker::Start);
}
