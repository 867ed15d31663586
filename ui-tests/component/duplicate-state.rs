//! `Ready` is listed twice in `states(...)`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Ready, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Stopped on Stop)]
struct Worker;

fn main() {}
