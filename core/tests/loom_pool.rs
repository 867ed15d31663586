//! Loom models of the `ResourcePool`: every interleaving of racing acquires,
//! drops and closes keeps the accounting exact and never over-commits.
//!
//! `RUSTFLAGS="--cfg loom" cargo test -p typestep-core --test loom_pool --release`
#![cfg(loom)]

use loom::thread;
use typestep::buffer::BufferManager;
use typestep::pool::{Quotas, ResourceKind, ResourcePool};

const KIND: ResourceKind = ResourceKind::HANDLES;

#[test]
fn two_channels_racing_for_the_last_unit_get_it_once() {
    loom::model(|| {
        let pool = ResourcePool::builder().capacity(KIND, 1).build().unwrap();
        let a = pool.open_channel("a", Quotas::new()).unwrap();
        let b = pool.open_channel("b", Quotas::new()).unwrap();
        let racers: Vec<_> = [a, b]
            .into_iter()
            .map(|channel| {
                let pool = pool.clone();
                thread::spawn(move || pool.acquire(channel, KIND, 1, "race").ok())
            })
            .collect();
        let leases: Vec<_> = racers
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        assert_eq!(leases.len(), 1, "exactly one racer gets the unit");
        assert_eq!(pool.in_use(KIND).unwrap(), 1);
        drop(leases);
        assert_eq!(pool.in_use(KIND).unwrap(), 0);
    });
}

#[test]
fn a_quota_holds_when_one_channel_races_itself() {
    loom::model(|| {
        let pool = ResourcePool::builder().capacity(KIND, 4).build().unwrap();
        let shared = pool
            .open_channel("shared", Quotas::new().limit(KIND, 1))
            .unwrap();
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let pool = pool.clone();
                thread::spawn(move || pool.acquire(shared, KIND, 1, "race").ok())
            })
            .collect();
        let leases: Vec<_> = racers
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        assert_eq!(leases.len(), 1);
        assert_eq!(pool.channel_in_use(shared, KIND).unwrap(), 1);
    });
}

#[test]
fn a_drop_racing_a_close_leaves_no_leak_and_no_unit_behind() {
    loom::model(|| {
        let pool = ResourcePool::builder().capacity(KIND, 2).build().unwrap();
        let channel = pool.open_channel("c", Quotas::new()).unwrap();
        let lease = pool.acquire(channel, KIND, 2, "held").unwrap();
        let dropper = thread::spawn(move || drop(lease));
        let report = pool.close_channel(channel).unwrap();
        // The close saw the lease either still held or already returned.
        assert!(report.is_empty() || report.units(KIND) == 2);
        dropper.join().unwrap();
        assert!(pool.leak_report().is_empty());
        assert_eq!(pool.in_use(KIND).unwrap(), 0);
    });
}

/// Buffers draw on one account per channel whose units grow and shrink
/// (the thread caches are off under loom: its threads share one OS thread).
#[test]
fn buffers_racing_for_the_last_bytes_get_them_once_and_give_them_back() {
    loom::model(|| {
        let bytes = ResourceKind::BUFFER_BYTES;
        let pool = ResourcePool::builder().capacity(bytes, 8).build().unwrap();
        let manager = BufferManager::new(&pool, 8).unwrap();
        assert_eq!(manager.thread_cache(), 0);
        let racers: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let id = pool.open_channel(name, Quotas::new()).unwrap();
                let channel = manager.channel(id).unwrap();
                thread::spawn(move || channel.acquire().ok())
            })
            .collect();
        let held: Vec<_> = racers
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        assert_eq!(held.len(), 1, "exactly one racer gets the bytes");
        assert_eq!(pool.in_use(bytes).unwrap(), 8);
        let report = pool.close_all();
        assert_eq!(report.units(bytes), 8, "the held buffer is a leak");
        drop(held);
        assert!(pool.leak_report().is_empty());
        assert_eq!(pool.in_use(bytes).unwrap(), 0);
        assert_eq!(pool.cached(bytes).unwrap(), 0);
    });
}
