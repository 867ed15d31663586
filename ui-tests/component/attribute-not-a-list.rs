//! `#[component = ...]` instead of `#[component(...)]`.
use typestep::prelude::*;

#[derive(Component)]
#[component = "states(Created, Stopped)"]
struct Worker;

fn main() {}
