//! A module and a struct share one namespace, so the generated module
//! cannot take the struct's own name.
use typestep::prelude::*;

#[derive(System)]
#[system(module = Plant)]
struct Plant {
    pump: u8,
}

fn main() {}
