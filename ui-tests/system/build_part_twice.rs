use typestep::prelude::*;

struct ResourcePool;

#[derive(System)]
struct Monitoring {
    pool: ResourcePool,
}

fn main() {
    let _ = Monitoring::builder().pool(|| ResourcePool).pool(|| ResourcePool);
}
