use typestep::lock::OrderedMutex;
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> coordinator -> buffers -> pool))]
struct Monitoring {
    pool: OrderedMutex<u8, monitoring::level::Pool>,
    coordinator: OrderedMutex<u8, monitoring::level::Coordinator>,
    buffers: OrderedMutex<u8, monitoring::level::Buffers>,
}

fn main() {}
