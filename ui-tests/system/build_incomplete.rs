use typestep::prelude::*;

struct ResourcePool;
struct ComponentCoordinator;

#[derive(System)]
struct Monitoring {
    pool: ResourcePool,
    #[depends_on(pool)]
    coordinator: ComponentCoordinator,
}

fn main() {
    let _ = Monitoring::builder().pool(|| ResourcePool).build();
}
