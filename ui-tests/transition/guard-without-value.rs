//! `guard` needs `= path`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, guard)]
struct Worker;

fn main() {}
