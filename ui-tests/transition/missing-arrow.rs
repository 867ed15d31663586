//! `->` between the source and the target is missing.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created Stopped on Stop)]
struct Worker;

fn main() {}
