use typestep::prelude::*;

struct Part;

#[derive(System)]
struct Plant {
    build: Part,
}

fn main() {}
