//! One source of a multi-source transition is not a declared state.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Created | Runnin -> Failed on Fail)]
struct Worker;

fn main() {}
