use typestep::lock::OrderedMutex;
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> buffers -> buffers))]
struct Monitoring {
    pool: OrderedMutex<u8, monitoring::level::Pool>,
    buffers: OrderedMutex<u8, monitoring::level::Buffers>,
}

fn main() {}
