use typestep::lock::OrderedMutex;
use typestep::prelude::*;

struct Part;

// Three independent mistakes, reported together in one build.
#[derive(System)]
#[system(lock_order(pool -> stats))]
struct Monitoring {
    #[depends_on(coordinator)]
    pool: OrderedMutex<u8, monitoring::level::Pool>,
    #[depends_on(pool)]
    coordinator: Part,
    #[depends_on(coordnator)]
    buffers: Part,
}

fn main() {}
