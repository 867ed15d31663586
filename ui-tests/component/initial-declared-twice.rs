//! `initial` is given twice.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, initial = Stopped, terminal(Stopped))]
#[transition(Created -> Stopped on Stop)]
struct Worker;

fn main() {}
