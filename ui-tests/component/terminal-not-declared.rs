//! `terminal(...)` names a state that `states(...)` does not list.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Stopped), initial = Created, terminal(Stoped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Stopped on Stop)]
struct Worker;

fn main() {}
