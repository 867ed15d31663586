//! `Running` is a state and also used as an event.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Running)]
#[transition(Running -> Stopped on Stop)]
struct Worker;

fn main() {}
