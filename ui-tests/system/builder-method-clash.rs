//! Part `x` gets the builder methods `x()` and `try_x()`, so a part named
//! `try_x` cannot get its own `try_x()`: one error, at the second field.
use typestep::prelude::*;

#[derive(System)]
struct Clash {
    x: u8,
    try_x: u8,
}

fn main() {}
