use typestep::prelude::*;

struct Part;

#[derive(System)]
struct Monitoring {
    #[depends_on(pool)]
    pool: Part,
    #[depends_on(pool)]
    coordinator: Part,
}

fn main() {}
