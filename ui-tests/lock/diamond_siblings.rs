use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

// A diamond: `left` and `right` both come after `top` and before `bottom`,
// but neither is ordered after the other.
#[derive(System)]
#[system(lock_order(top -> left -> bottom, top -> right -> bottom))]
struct Diamond {
    top: OrderedMutex<u32, diamond::level::Top>,
    left: OrderedMutex<u32, diamond::level::Left>,
    right: OrderedMutex<u32, diamond::level::Right>,
    bottom: OrderedMutex<u32, diamond::level::Bottom>,
}

fn main() {
    let system = Diamond::builder()
        .top(|| OrderedMutex::new(0))
        .left(|| OrderedMutex::new(0))
        .right(|| OrderedMutex::new(0))
        .bottom(|| OrderedMutex::new(0))
        .build();
    let mut chain = LockChain::start().unwrap();
    let mut locks = diamond::Locked::new(&mut chain);
    let (_left, mut locks) = locks.lock(&system.left);
    let (_right, _locks) = locks.lock(&system.right);
}
