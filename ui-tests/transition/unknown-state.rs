//! `Runing` is a misspelling of the state `Running`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Runing on Start)]
#[transition(Running -> Stopped on Stop)]
struct Worker;

fn main() {}
