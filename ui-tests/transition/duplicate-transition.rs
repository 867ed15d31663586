//! The same transition is declared twice.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop)]
#[transition(Created -> Stopped on Stop)]
struct Worker;

fn main() {}
