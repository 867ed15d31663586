//! A guard names a function; a closure is not accepted.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, guard = |w: &Worker| w.ready)]
struct Worker {
    ready: bool,
}

fn main() {}
