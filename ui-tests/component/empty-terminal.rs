//! `terminal()` lists nothing: either list the end states or drop it.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal())]
#[transition(Created -> Stopped on Stop)]
struct Worker;

fn main() {}
