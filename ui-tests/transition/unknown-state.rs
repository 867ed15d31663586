//! `Runing` is a misspelling of the state `Running`.
//! The suggested state stands in for the misspelling, so firing `Start`
//! below gives no follow-on error.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Runing on Start)]
#[transition(Running -> Stopped on Stop)]
struct Worker;

fn main() {
    let _running = Typed::new(Worker).fire(worker::Start);
}
