//! `states = ...` instead of `states(...)`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states = Created, initial = Created)]
struct Worker;

fn main() {}
