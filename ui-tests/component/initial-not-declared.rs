//! `initial` names a state that `states(...)` does not list.
//! `Created` stands in as the initial state, so `Typed::new` below gives no
//! follow-on error.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Stopped), initial = Creatd, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Stopped on Stop)]
struct Worker;

fn main() {
    let _created: Typed<Worker, worker::Created> = Typed::new(Worker);
}
