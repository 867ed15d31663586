//! `#[component(...)]` lists states but no `initial`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Stopped), terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Stopped on Stop)]
struct Worker;

fn main() {}
