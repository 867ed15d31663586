//! `#[transition]` needs a parenthesised declaration.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition]
#[transition(Created -> Stopped on Stop)]
struct Worker;

fn main() {}
