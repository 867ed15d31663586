//! `inital` is a misspelling of `initial`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), inital = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop)]
struct Worker;

fn main() {}
