//! The event is missing its `on`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped Stop)]
struct Worker;

fn main() {}
