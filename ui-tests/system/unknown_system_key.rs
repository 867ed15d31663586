use typestep::lock::OrderedMutex;
use typestep::prelude::*;

#[derive(System)]
#[system(lock_ordr(pool -> buffers))]
struct Monitoring {
    pool: OrderedMutex<u8, ()>,
    buffers: OrderedMutex<u8, ()>,
}

fn main() {}
