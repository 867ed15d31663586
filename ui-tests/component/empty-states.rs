//! `states()` lists nothing.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(), initial = Created)]
struct Worker;

fn main() {}
