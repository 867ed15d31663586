//! A missing `->` in `lock_order(...)` is one error, at the token where the
//! chain goes wrong.
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool coordinator))]
struct Monitoring {
    pool: u8,
    coordinator: u8,
}

fn main() {}
