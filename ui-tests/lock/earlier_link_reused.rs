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
    let mut chain = LockChain::start().unwrap();
    let mut root = monitoring::Locked::new(&mut chain);
    let (buffers, _held) = root.lock(&system.buffers);
    // Going back to the root link while `buffers` is held would allow
    // locking `pool` after `buffers`.
    let (_pool, _again) = root.lock(&system.pool);
    drop(buffers);
}
