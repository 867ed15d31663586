use typestep::lock::OrderedMutex;
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> bufers))]
struct Monitoring {
    pool: OrderedMutex<u8, monitoring::level::Pool>,
    buffers: OrderedMutex<u8, monitoring::level::Pool>,
}

fn main() {}
