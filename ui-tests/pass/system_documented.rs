//! A public system in a crate that denies missing docs: everything the
//! derive generates is documented (or hidden).
#![deny(missing_docs)]

use typestep::lock::OrderedMutex;
use typestep::prelude::*;

/// The pool.
pub struct ResourcePool;

/// The origin's monitoring system.
#[derive(System)]
#[system(lock_order(pool -> buffers))]
pub struct Monitoring {
    /// Shared resources.
    pub pool: OrderedMutex<ResourcePool, monitoring::level::Pool>,
    /// Buffers drawn from the pool.
    #[depends_on(pool)]
    pub buffers: OrderedMutex<Vec<u8>, monitoring::level::Buffers>,
}

fn main() {
    let system = Monitoring::builder()
        .pool(|| OrderedMutex::new(ResourcePool))
        .buffers(|_pool| OrderedMutex::new(Vec::new()))
        .build();
    assert!(!system.buffers.is_locked());
}
