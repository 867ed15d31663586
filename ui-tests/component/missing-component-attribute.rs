//! The derive is there but `#[component(...)]` is missing.
use typestep::prelude::*;

#[derive(Component)]
#[transition(Created -> Running on Start)]
struct Worker;

fn main() {}
