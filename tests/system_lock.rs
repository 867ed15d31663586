//! Run-time behaviour of ordered locks: one chain per thread, ordered
//! same-level locking, and no deadlock under contention.

use std::sync::{Arc, Barrier};

use static_assertions::{assert_eq_size, assert_not_impl_any};
use typestep::lock::{LockChain, LockError, LockGuard, OrderedMutex, Unlocked};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> coordinator -> buffers))]
struct Monitoring {
    pool: Arc<OrderedMutex<u64, monitoring::level::Pool>>,
    #[depends_on(pool)]
    coordinator: OrderedMutex<u64, monitoring::level::Coordinator>,
    #[depends_on(pool)]
    buffers: Arc<OrderedMutex<u64, monitoring::level::Buffers>>,
}

// Tokens cost nothing: the chain and every link are zero-sized.
assert_eq_size!(LockChain, ());
assert_eq_size!(monitoring::Locked<'static, Unlocked>, ());
assert_eq_size!(monitoring::Locked<'static, monitoring::level::Buffers>, ());
assert_eq_size!(monitoring::level::Pool, ());
// The chain belongs to its thread.
assert_not_impl_any!(LockChain: Send, Sync);
assert_not_impl_any!(monitoring::Locked<'static, Unlocked>: Send, Sync);

fn system() -> Monitoring {
    Monitoring::builder()
        .pool(|| Arc::new(OrderedMutex::new(0)))
        .coordinator(|_| OrderedMutex::new(0))
        .buffers(|_| Arc::new(OrderedMutex::new(0)))
        .build()
}

#[test]
fn one_chain_per_thread() {
    let chain = LockChain::start().expect("first chain");
    assert!(LockChain::is_active());
    assert_eq!(LockChain::start().err(), Some(LockError::ChainActive));
    // Another thread has its own chain.
    std::thread::spawn(|| {
        assert!(!LockChain::is_active());
        let _chain = LockChain::start().expect("first chain on this thread");
    })
    .join()
    .expect("thread");
    drop(chain);
    assert!(!LockChain::is_active());
    assert!(LockChain::start().is_ok());
}

#[test]
fn a_panic_while_holding_a_chain_releases_it() {
    let system = system();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut chain = LockChain::start().expect("first chain");
        let mut locks = monitoring::Locked::new(&mut chain);
        let (_pool, _locks) = locks.lock(&system.pool);
        panic!("injected fault while holding `pool`");
    }));
    assert!(outcome.is_err());
    assert!(!LockChain::is_active());
    assert!(!system.pool.is_locked());
    let mut chain = LockChain::start().expect("the chain was released by unwinding");
    let mut locks = monitoring::Locked::new(&mut chain);
    let (pool, locks) = locks.lock(&system.pool);
    assert_eq!(*pool, 0);
    assert_eq!(locks.level_name(), "pool");
}

#[test]
fn locks_follow_the_declared_order_and_may_skip_levels() {
    let system = system();
    let mut chain = LockChain::start().expect("chain");
    let mut root = monitoring::Locked::new(&mut chain);
    assert_eq!(root.level_name(), "unlocked");
    {
        let (mut pool, mut locks) = root.lock(&system.pool);
        let (mut coordinator, mut locks) = locks.lock(&system.coordinator);
        let (mut buffers, _) = locks.lock(&system.buffers);
        *pool += 1;
        *coordinator += 1;
        *buffers += 1;
        assert!(system.pool.is_locked() && system.buffers.is_locked());
    }
    assert!(!system.pool.is_locked() && !system.buffers.is_locked());
    let (buffers, _) = root.lock(&system.buffers);
    assert_eq!(*buffers, 1);
}

#[test]
fn same_level_locks_are_taken_together() {
    let system = system();
    let spare: OrderedMutex<u64, monitoring::level::Buffers> = OrderedMutex::new(7);
    let mut chain = LockChain::start().expect("chain");
    let mut root = monitoring::Locked::new(&mut chain);
    {
        let (a, b, locks) = root
            .lock_both(&system.buffers, &spare)
            .expect("two mutexes");
        assert_eq!((*a, *b), (0, 7));
        assert_eq!(locks.level_name(), "buffers");
    }
    assert!(matches!(
        root.lock_both(&system.buffers, &system.buffers),
        Err(LockError::SameMutex)
    ));

    let many: Vec<OrderedMutex<u64, monitoring::level::Buffers>> =
        (0..5).map(OrderedMutex::new).collect();
    let refs: Vec<&OrderedMutex<u64, monitoring::level::Buffers>> = many.iter().rev().collect();
    {
        let (guards, _) = root.lock_all(&refs).expect("distinct mutexes");
        let values: Vec<u64> = guards.iter().map(|g: &LockGuard<'_, u64>| **g).collect();
        assert_eq!(
            values,
            [4, 3, 2, 1, 0],
            "guards come back in argument order"
        );
        assert!(many.iter().all(OrderedMutex::is_locked));
    }
    assert!(many.iter().all(|m| !m.is_locked()));
    let duplicated = [&many[0], &many[1], &many[0]];
    assert!(matches!(
        root.lock_all(&duplicated),
        Err(LockError::SameMutex)
    ));
    assert!(
        many.iter().all(|m| !m.is_locked()),
        "a refused lock_all locks nothing"
    );
    // After the pool, a group of buffers may be locked too.
    let (_pool, mut locks) = root.lock(&system.pool);
    let (guards, _) = locks.lock_all(&refs[..2]).expect("distinct");
    assert_eq!(guards.len(), 2);
}

/// Two threads lock the same pair in opposite argument order, many times;
/// `lock_both` orders them, so neither deadlocks, and no update is lost.
#[test]
fn lock_both_in_opposite_orders_does_not_deadlock() {
    const ROUNDS: u64 = 20_000;
    let a = Arc::new(OrderedMutex::<u64, monitoring::level::Buffers>::new(0));
    let b = Arc::new(OrderedMutex::<u64, monitoring::level::Buffers>::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|worker| {
            let (a, b, barrier) = (Arc::clone(&a), Arc::clone(&b), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let mut chain = LockChain::start().expect("chain");
                let mut root = monitoring::Locked::new(&mut chain);
                barrier.wait();
                for _ in 0..ROUNDS {
                    let (first, second) = if worker == 0 { (&a, &b) } else { (&b, &a) };
                    let (mut x, mut y, _) = root.lock_both(first, second).expect("distinct");
                    *x += 1;
                    *y += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    let mut chain = LockChain::start().expect("chain");
    let mut root = monitoring::Locked::new(&mut chain);
    let (x, y, _) = root.lock_both(&a, &b).expect("distinct");
    assert_eq!((*x, *y), (2 * ROUNDS, 2 * ROUNDS));
}

/// Threads that all follow the declared order (some skipping a level) share
/// the system's locks without deadlock.
#[test]
fn ordered_chains_share_the_system() {
    const ROUNDS: u64 = 5_000;
    let system = Arc::new(system());
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let system = Arc::clone(&system);
            std::thread::spawn(move || {
                let mut chain = LockChain::start().expect("chain");
                let mut root = monitoring::Locked::new(&mut chain);
                for _ in 0..ROUNDS {
                    let (mut pool, mut locks) = root.lock(&system.pool);
                    *pool += 1;
                    if worker % 2 == 0 {
                        let (mut coordinator, mut locks) = locks.lock(&system.coordinator);
                        *coordinator += 1;
                        let (mut buffers, _) = locks.lock(&system.buffers);
                        *buffers += 1;
                    } else {
                        let (mut buffers, _) = locks.lock(&system.buffers);
                        *buffers += 1;
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    let system = Arc::into_inner(system).expect("workers are done");
    let pool = Arc::into_inner(system.pool)
        .expect("only owner")
        .into_inner();
    let buffers = Arc::into_inner(system.buffers)
        .expect("only owner")
        .into_inner();
    assert_eq!(pool, 4 * ROUNDS);
    assert_eq!(buffers, 4 * ROUNDS);
    assert_eq!(system.coordinator.into_inner(), 2 * ROUNDS);
}

/// Groups of one level as lock-ordered parts: a `Vec`, an array and a boxed
/// slice of `OrderedMutex<_, L>`, taken together with `lock_all`, after the
/// levels declared before them.
#[derive(System)]
#[system(lock_order(index -> shards -> slots, index -> spill))]
struct Sharded {
    index: OrderedMutex<u32, sharded::level::Index>,
    shards: Vec<OrderedMutex<u32, sharded::level::Shards>>,
    slots: [OrderedMutex<u8, sharded::level::Slots>; 3],
    spill: Box<[OrderedMutex<u16, sharded::level::Spill>]>,
}

#[test]
fn a_group_of_one_level_is_a_lock_ordered_part() {
    let system = Sharded::builder()
        .index(|| OrderedMutex::new(7))
        .shards(|| (0..4).map(OrderedMutex::new).collect())
        .slots(|| {
            [
                OrderedMutex::new(1),
                OrderedMutex::new(2),
                OrderedMutex::new(3),
            ]
        })
        .spill(|| vec![OrderedMutex::new(9)].into_boxed_slice())
        .build();
    let mut chain = LockChain::start().expect("no other chain on this thread");
    let mut locks = sharded::Locked::new(&mut chain);
    let (index, mut locks) = locks.lock(&system.index);
    let shards: Vec<_> = system.shards.iter().collect();
    let (shards, mut locks) = locks.lock_all(&shards).expect("distinct mutexes");
    assert_eq!(shards.iter().map(|g| **g).collect::<Vec<_>>(), [0, 1, 2, 3]);
    let slots: Vec<&OrderedMutex<u8, sharded::level::Slots>> = system.slots.iter().rev().collect();
    let (slots, _locks) = locks.lock_all(&slots).expect("distinct mutexes");
    assert_eq!(slots.iter().map(|g| **g).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(*index, 7);
    drop((slots, shards, index));

    let mut locks = sharded::Locked::new(&mut chain);
    let spill: Vec<_> = system.spill.iter().collect();
    let (spill, locks) = locks.lock_all(&spill).expect("distinct mutexes");
    assert_eq!(*spill[0], 9);
    assert_eq!(locks.level_name(), "spill");
}

/// A lock order with joins, forks and two unrelated parts, ten levels in
/// all (a tree of 16 positions with `Unlocked`, so pairs cross subtrees):
/// every ordered pair of levels is checked against the expected transitive
/// closure, both ways.
#[derive(System)]
#[system(lock_order(a -> b -> c -> d -> j, a -> e -> d, f -> g -> h, c -> h, i -> j))]
#[allow(dead_code)] // only its lock levels are used
struct Dag {
    a: OrderedMutex<u8, dag::level::A>,
    b: OrderedMutex<u8, dag::level::B>,
    c: OrderedMutex<u8, dag::level::C>,
    d: OrderedMutex<u8, dag::level::D>,
    e: OrderedMutex<u8, dag::level::E>,
    f: OrderedMutex<u8, dag::level::F>,
    g: OrderedMutex<u8, dag::level::G>,
    h: OrderedMutex<u8, dag::level::H>,
    i: OrderedMutex<u8, dag::level::I>,
    j: OrderedMutex<u8, dag::level::J>,
}

/// One row per held level: the levels that may be locked after it, then
/// those that may not. Each row is asserted at compile time, and
/// `every_pair_of_the_dag_is_checked` asserts that each row names all ten.
macro_rules! dag_order {
    ($($held:ident: [$($after:ident)*] not [$($other:ident)*];)*) => {
        $(
            $(static_assertions::assert_impl_all!(dag::level::$after: dag::LockAfter<dag::level::$held>);)*
            $(assert_not_impl_any!(dag::level::$other: dag::LockAfter<dag::level::$held>);)*
            static_assertions::assert_impl_all!(dag::level::$held: dag::LockAfter<Unlocked>);
        )*
        const DAG_ROWS: &[(&str, &[&str], &[&str])] = &[
            $((stringify!($held), &[$(stringify!($after)),*], &[$(stringify!($other)),*]),)*
        ];
    };
}

dag_order! {
    A: [B C D E H J] not [A F G I];
    B: [C D H J] not [A B E F G I];
    C: [D H J] not [A B C E F G I];
    D: [J] not [A B C D E F G H I];
    E: [D J] not [A B C E F G H I];
    F: [G H] not [A B C D E F I J];
    G: [H] not [A B C D E F G I J];
    H: [] not [A B C D E F G H I J];
    I: [J] not [A B C D E F G H I];
    J: [] not [A B C D E F G H I J];
}

#[test]
fn every_pair_of_the_dag_is_checked() {
    let all = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
    let held: Vec<&str> = DAG_ROWS.iter().map(|(held, _, _)| *held).collect();
    assert_eq!(held, all);
    for (held, after, other) in DAG_ROWS {
        let mut named: Vec<&str> = after.iter().chain(other.iter()).copied().collect();
        named.sort_unstable();
        assert_eq!(named, all, "row {held} names every level once");
    }
}
