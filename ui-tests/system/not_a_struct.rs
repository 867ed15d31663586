use typestep::prelude::*;

#[derive(System)]
enum Monitoring {
    Pool,
}

fn main() {}
