use typestep::lock::OrderedMutex;
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> buffers))]
struct Monitoring {
    pool: Vec<u8>,
    buffers: OrderedMutex<u8, monitoring::level::Buffers>,
}

fn main() {}
