//! The origin's init order: the pool first, then the coordinator that
//! receives it, then the buffers that receive both; fallible constructors
//! with `try_`; parts shared through `Arc`.
use std::sync::Arc;
use typestep::prelude::*;

struct ResourcePool {
    capacity: usize,
}
struct ComponentCoordinator {
    pool: Arc<ResourcePool>,
}
struct BufferManager {
    pool: Arc<ResourcePool>,
    buffers: usize,
}

#[derive(System)]
struct Monitoring {
    pool: Arc<ResourcePool>,
    #[depends_on(pool)]
    coordinator: ComponentCoordinator,
    #[depends_on(pool, coordinator)]
    buffers: BufferManager,
}

fn main() {
    let system = Monitoring::builder()
        .pool(|| Arc::new(ResourcePool { capacity: 8 }))
        .try_coordinator(|pool| {
            Ok::<_, String>(ComponentCoordinator {
                pool: Arc::clone(pool),
            })
        })
        .unwrap()
        .buffers(|pool, coordinator| BufferManager {
            pool: Arc::clone(pool),
            buffers: coordinator.pool.capacity / 2,
        })
        .build();
    assert_eq!(system.buffers.buffers, 4);
    assert_eq!(Arc::strong_count(&system.pool), 3);
    assert_eq!(system.buffers.pool.capacity, 8);

    let failed = Monitoring::builder()
        .pool(|| Arc::new(ResourcePool { capacity: 0 }))
        .try_coordinator(|_pool| Err::<ComponentCoordinator, _>("no capacity"));
    assert_eq!(failed.err(), Some("no capacity"));
}
