//! Per-thread caches of idle buffers: they keep their reservation, but the
//! pool reports them as cached (not in use, not leaked), gives them back
//! when a request is refused, when the thread exits, when the channel is
//! closed or the cache is trimmed, and never keeps more than the bound.

use std::sync::mpsc;
use std::thread;

use typestep::{
    buffer::{BufferError, BufferManager, DEFAULT_THREAD_CACHE},
    pool::{PoolError, Quotas, ResourceKind, ResourcePool},
};

const BYTES: ResourceKind = ResourceKind::BUFFER_BYTES;
const SIZE: usize = 256;
const UNIT: u64 = SIZE as u64;

fn setup(buffers: u64) -> (ResourcePool, BufferManager) {
    let pool = ResourcePool::builder()
        .capacity(BYTES, buffers * UNIT)
        .build()
        .unwrap();
    let manager = BufferManager::new(&pool, SIZE).unwrap();
    (pool, manager)
}

#[test]
fn cached_buffers_are_neither_in_use_nor_leaks() {
    let (pool, manager) = setup(8);
    let channel = pool.open_channel("audio", Quotas::new()).unwrap();
    let held = manager.acquire(channel).unwrap();
    let released = manager.acquire(channel).unwrap();
    drop(released);

    let stats = manager.stats(channel).unwrap();
    assert_eq!((stats.in_use, stats.cached, stats.peak), (1, 1, 2));
    assert_eq!(pool.in_use(BYTES).unwrap(), UNIT);
    assert_eq!(pool.cached(BYTES).unwrap(), UNIT);
    assert_eq!(pool.channel_in_use(channel, BYTES).unwrap(), UNIT);
    let metrics = pool.metrics();
    assert_eq!(
        (metrics.kinds[0].in_use, metrics.kinds[0].cached),
        (UNIT, UNIT)
    );
    assert_eq!(metrics.channels[0].used[0].1, UNIT);
    assert_eq!(metrics.channels[0].cached, vec![(BYTES, UNIT)]);
    assert_eq!(metrics.channels[0].leases, 1);
    assert_eq!(manager.metrics().cached, 1);

    // Closing: only the held buffer is a leak; the cached one is listed apart.
    let report = pool.close_all();
    assert_eq!(report.leaks.len(), 1);
    assert_eq!(report.leaks[0].purpose, "buffer");
    assert_eq!(report.units(BYTES), UNIT);
    assert_eq!(report.cached_units(BYTES), UNIT);
    assert!(report
        .to_string()
        .contains("idle in buffer caches (not a leak)"));

    // The closed channel's cache gives back on its next use and caches nothing more.
    drop(held);
    assert!(pool.leak_report().is_empty());
    assert!(matches!(
        manager.acquire(channel),
        Err(BufferError::Pool(PoolError::ChannelClosed { .. }))
    ));
    assert_eq!(pool.cached(BYTES).unwrap(), 0);
    assert!(pool.leak_report().cached.is_empty());
    assert_eq!(pool.metrics().kinds[0].in_use, 0);
    assert_eq!(manager.stats(channel).unwrap().cached, 0);
}

#[test]
fn a_cache_keeps_at_most_its_bound() {
    let (pool, manager) = setup(16);
    assert_eq!(manager.thread_cache(), DEFAULT_THREAD_CACHE);
    let manager = manager.with_thread_cache(2);
    let channel = pool.open_channel("c", Quotas::new()).unwrap();
    let held: Vec<_> = (0..5).map(|_| manager.acquire(channel).unwrap()).collect();
    drop(held);
    let stats = manager.stats(channel).unwrap();
    assert_eq!((stats.in_use, stats.cached), (0, 2));
    assert_eq!(pool.cached(BYTES).unwrap(), 2 * UNIT);
    assert_eq!(
        manager.metrics().idle,
        5,
        "3 back with the channel, 2 cached"
    );

    // No cache at all: every release goes back to the pool.
    let uncached = BufferManager::new(&pool, SIZE)
        .unwrap()
        .with_thread_cache(0);
    let other = pool.open_channel("other", Quotas::new()).unwrap();
    drop(uncached.acquire(other).unwrap());
    assert_eq!(uncached.stats(other).unwrap().cached, 0);
    assert_eq!(pool.cached(BYTES).unwrap(), 2 * UNIT);
    assert_eq!(manager.thread_cache(), 2);
    assert_eq!(uncached.thread_cache(), 0);
}

#[test]
fn a_refused_reservation_takes_this_threads_cache_back_first() {
    // The whole budget idles in this thread's cache of `a`.
    let (pool, manager) = setup(3);
    let a = pool.open_channel("a", Quotas::new()).unwrap();
    let b = pool.open_channel("b", Quotas::new()).unwrap();
    drop(
        (0..3)
            .map(|_| manager.acquire(a).unwrap())
            .collect::<Vec<_>>(),
    );
    assert_eq!(pool.cached(BYTES).unwrap(), 3 * UNIT);

    // Another channel's buffers, and a plain lease, still get the bytes.
    let on_b: Vec<_> = (0..2).map(|_| manager.acquire(b).unwrap()).collect();
    assert_eq!(
        pool.cached(BYTES).unwrap(),
        0,
        "the cache gave everything back"
    );
    let lease = pool.acquire(a, BYTES, UNIT, "table").unwrap();
    assert_eq!(pool.in_use(BYTES).unwrap(), 3 * UNIT);
    assert_eq!(pool.metrics().kinds[0].refused, 0, "nothing was refused");
    // Now the budget is really spent.
    assert!(matches!(
        manager.acquire(b),
        Err(BufferError::Pool(PoolError::Exhausted { available: 0, .. }))
    ));
    assert_eq!(pool.metrics().kinds[0].refused, 1);
    drop((on_b, lease));
}

#[test]
fn a_refused_quota_takes_the_cache_back_first() {
    let (pool, manager) = setup(10);
    let small = pool
        .open_channel("small", Quotas::new().limit(BYTES, 2 * UNIT))
        .unwrap();
    drop(
        (0..2)
            .map(|_| manager.acquire(small).unwrap())
            .collect::<Vec<_>>(),
    );
    // Both buffers idle in the cache, still counted against the quota...
    assert_eq!(pool.cached(BYTES).unwrap(), 2 * UNIT);
    // ...yet a plain lease on the channel gets the whole quota.
    let lease = pool.acquire(small, BYTES, 2 * UNIT, "table").unwrap();
    assert_eq!(pool.channel_in_use(small, BYTES).unwrap(), 2 * UNIT);
    assert!(matches!(
        manager.acquire(small),
        Err(BufferError::Pool(PoolError::OverQuota { used: 512, .. }))
    ));
    drop(lease);
}

#[test]
fn another_threads_cache_gives_back_on_its_next_use() {
    let (pool, manager) = setup(3);
    let a = pool.open_channel("a", Quotas::new()).unwrap();
    let b = pool.open_channel("b", Quotas::new()).unwrap();
    let first = manager.acquire(b).unwrap();
    let (go, wait) = mpsc::channel::<()>();
    let (done, cached) = mpsc::channel::<()>();
    let worker = {
        let manager = manager.clone();
        thread::spawn(move || {
            drop(
                (0..2)
                    .map(|_| manager.acquire(a).unwrap())
                    .collect::<Vec<_>>(),
            );
            done.send(()).unwrap();
            wait.recv().unwrap();
            // Its next use of the channel answers the request: everything
            // cached goes back before it takes one buffer through the pool.
            let kept = manager.acquire(a).unwrap();
            done.send(()).unwrap();
            wait.recv().unwrap();
            drop(kept);
        })
    };
    cached.recv().unwrap();
    assert_eq!(pool.cached(BYTES).unwrap(), 2 * UNIT);
    // The worker is idle: its cache cannot answer yet (what it can strand is
    // its bound per channel), but it is asked.
    assert!(matches!(
        manager.acquire(b),
        Err(BufferError::Pool(PoolError::Exhausted { .. }))
    ));
    go.send(()).unwrap();
    cached.recv().unwrap();
    assert_eq!(pool.cached(BYTES).unwrap(), 0, "the worker gave back");
    assert_eq!(pool.in_use(BYTES).unwrap(), 2 * UNIT);
    let second = manager.acquire(b).unwrap();
    go.send(()).unwrap();
    worker.join().unwrap();
    drop((first, second));
}

#[test]
fn a_thread_exit_returns_its_cache() {
    let (pool, manager) = setup(4);
    let channel = pool.open_channel("c", Quotas::new()).unwrap();
    let worker = {
        let manager = manager.clone();
        thread::spawn(move || {
            let held: Vec<_> = (0..3).map(|_| manager.acquire(channel).unwrap()).collect();
            drop(held);
            manager.stats(channel).unwrap().cached
        })
    };
    assert_eq!(worker.join().unwrap(), 3, "cached while the thread lived");
    assert_eq!(pool.cached(BYTES).unwrap(), 0);
    assert_eq!(pool.metrics().kinds[0].in_use, 0);
    let stats = manager.stats(channel).unwrap();
    assert_eq!((stats.in_use, stats.cached, stats.acquired), (0, 0, 3));
    // The whole budget is free for this thread, with no new allocation.
    let all: Vec<_> = (0..4).map(|_| manager.acquire(channel).unwrap()).collect();
    assert_eq!(manager.metrics().allocated, 4);
    assert_eq!(manager.stats(channel).unwrap().recycled, 3);
    drop(all);
}

#[test]
fn trimming_and_asking_back_empty_the_caches() {
    let (pool, manager) = setup(4);
    let channel = pool.open_channel("c", Quotas::new()).unwrap();
    drop(manager.acquire(channel).unwrap());
    assert_eq!(pool.cached(BYTES).unwrap(), UNIT);
    manager.trim_thread_cache();
    assert_eq!(pool.cached(BYTES).unwrap(), 0);
    assert_eq!(
        manager.stats(channel).unwrap().acquired,
        1,
        "counts survive"
    );

    drop(manager.acquire(channel).unwrap());
    assert_eq!(pool.cached(BYTES).unwrap(), UNIT);
    manager.ask_thread_caches_back();
    assert_eq!(pool.cached(BYTES).unwrap(), UNIT, "answered on next use");
    let again = manager.acquire(channel).unwrap();
    assert_eq!(pool.cached(BYTES).unwrap(), 0);
    drop(again);
    assert_eq!(
        pool.cached(BYTES).unwrap(),
        UNIT,
        "caching again afterwards"
    );
}

#[test]
fn a_buffer_released_on_another_thread_is_cached_there() {
    let (pool, manager) = setup(2);
    let channel = pool.open_channel("c", Quotas::new()).unwrap();
    let buffer = manager.acquire(channel).unwrap();
    let (tx, rx) = mpsc::channel();
    let (stop, stopped) = mpsc::channel::<()>();
    let worker = {
        let manager = manager.clone();
        thread::spawn(move || {
            drop(buffer);
            tx.send(manager.stats(channel).unwrap()).unwrap();
            stopped.recv().unwrap();
        })
    };
    let stats = rx.recv().unwrap();
    assert_eq!((stats.in_use, stats.cached), (0, 1));
    assert_eq!(pool.in_use(BYTES).unwrap(), 0);
    stop.send(()).unwrap();
    worker.join().unwrap();
    assert_eq!(pool.cached(BYTES).unwrap(), 0);
}
