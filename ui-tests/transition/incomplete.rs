//! The transition stops after its source state.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop)]
#[transition(Created)]
struct Worker;

fn main() {}
