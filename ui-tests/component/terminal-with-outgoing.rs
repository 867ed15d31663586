//! `Stopped` is declared terminal but has a transition out of it.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Stopped -> Running on Restart)]
struct Worker;

fn main() {}
