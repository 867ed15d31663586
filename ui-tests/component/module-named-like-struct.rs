//! A module and a struct share one namespace, so the state module cannot
//! take the component's own name.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle), initial = Idle, module = Pump)]
struct Pump;

fn main() {}
