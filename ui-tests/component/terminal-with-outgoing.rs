//! `Stopped` is declared terminal but has a transition out of it.
//! The transition is still generated, so firing `Restart` below gives no
//! follow-on error.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Stopped -> Running on Restart)]
struct Worker;

fn main() {
    let stopped = Typed::new(Worker).fire(worker::Start).fire(worker::Stop);
    let _running = stopped.fire(worker::Restart);
}
