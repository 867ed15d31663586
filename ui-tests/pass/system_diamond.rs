//! A diamond, both as dependencies and as lock order: `top` first, `left`
//! and `right` after it, `bottom` after both. Joins work: `left -> bottom`
//! and `right -> bottom` both compile, and so does skipping to `bottom`.
use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(top -> left -> bottom, top -> right -> bottom))]
struct Diamond {
    top: OrderedMutex<u32, diamond::level::Top>,
    #[depends_on(top)]
    left: OrderedMutex<u32, diamond::level::Left>,
    #[depends_on(top)]
    right: OrderedMutex<u32, diamond::level::Right>,
    #[depends_on(left, right)]
    bottom: OrderedMutex<u32, diamond::level::Bottom>,
}

fn main() {
    let system = Diamond::builder()
        .top(|| OrderedMutex::new(1))
        .right(|_top| OrderedMutex::new(3))
        .left(|_top| OrderedMutex::new(2))
        .bottom(|_left, _right| OrderedMutex::new(4))
        .build();
    assert_eq!(Diamond::INIT_ORDER, ["top", "left", "right", "bottom"]);
    assert_eq!(
        Diamond::CLEANUP_PLAN.levels(),
        [&["bottom"][..], &["right", "left"], &["top"]]
    );

    let mut chain = LockChain::start().unwrap();
    let mut root = diamond::Locked::new(&mut chain);
    {
        let (top, mut locks) = root.lock(&system.top);
        let (left, mut locks) = locks.lock(&system.left);
        let (bottom, _) = locks.lock(&system.bottom);
        assert_eq!(*top + *left + *bottom, 7);
    }
    {
        let (right, mut locks) = root.lock(&system.right);
        let (bottom, _) = locks.lock(&system.bottom);
        assert_eq!(*right + *bottom, 7);
    }
    {
        let (top, mut locks) = root.lock(&system.top);
        let (bottom, _) = locks.lock(&system.bottom);
        assert_eq!(*top + *bottom, 5);
    }
}
