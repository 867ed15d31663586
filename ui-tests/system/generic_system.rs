use typestep::prelude::*;

#[derive(System)]
struct Monitoring<P> {
    pool: P,
}

fn main() {}
