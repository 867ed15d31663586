use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> coordinator -> buffers))]
struct Monitoring {
    pool: OrderedMutex<u32, monitoring::level::Pool>,
    coordinator: OrderedMutex<u32, monitoring::level::Coordinator>,
    buffers: OrderedMutex<u32, monitoring::level::Buffers>,
}

fn main() {
    let system = Monitoring::builder()
        .pool(|| OrderedMutex::new(0))
        .coordinator(|| OrderedMutex::new(0))
        .buffers(|| OrderedMutex::new(0))
        .build();
    let mut chain = LockChain::start().unwrap();
    let mut locks = monitoring::Locked::new(&mut chain);
    let (_buffers, mut locks) = locks.lock(&system.buffers);
    let (_pool, _locks) = locks.lock(&system.pool);
}
