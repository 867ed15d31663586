use typestep::prelude::*;

struct Part;

#[derive(System)]
struct Monitoring {
    pool: Part,
    #[depends_on(pol)]
    coordinator: Part,
}

fn main() {}
