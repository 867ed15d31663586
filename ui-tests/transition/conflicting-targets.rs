//! `Running` on `Stop` is declared to go to two different states.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Running -> Failed on Stop)]
struct Worker;

fn main() {}
