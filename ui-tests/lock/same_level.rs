use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> buffers))]
struct Monitoring {
    pool: OrderedMutex<u32, monitoring::level::Pool>,
    buffers: OrderedMutex<u32, monitoring::level::Buffers>,
}

fn main() {
    let system = Monitoring::builder()
        .pool(|| OrderedMutex::new(0))
        .buffers(|| OrderedMutex::new(0))
        .build();
    let spare: OrderedMutex<u32, monitoring::level::Buffers> = OrderedMutex::new(0);
    let mut chain = LockChain::start().unwrap();
    let mut locks = monitoring::Locked::new(&mut chain);
    let (_first, mut locks) = locks.lock(&system.buffers);
    let (_second, _locks) = locks.lock(&spare);
}
