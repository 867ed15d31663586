//! `State` is the name of the generated run-time enum, so it cannot be a state.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, State), initial = Idle)]
#[transition(Idle -> State on Go)]
struct Machine;

fn main() {}
