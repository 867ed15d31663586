//! No transition enters `Paused`, so it can never be reached from `Created`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Paused, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Paused -> Running on Resume)]
struct Player;

fn main() {}
