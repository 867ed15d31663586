//! The state module of `Loop` would be named `loop`, a keyword.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, Busy), initial = Idle)]
#[transition(Idle -> Busy on Go)]
#[transition(Busy -> Idle on Rest)]
struct Loop;

fn main() {}
