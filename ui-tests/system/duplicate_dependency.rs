use typestep::prelude::*;

struct Part;

#[derive(System)]
struct Monitoring {
    pool: Part,
    coordinator: Part,
    #[depends_on(pool, coordinator, pool)]
    buffers: Part,
}

fn main() {}
