//! A guard must be a path to a function, not a literal.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, guard = true)]
struct Worker;

fn main() {}
