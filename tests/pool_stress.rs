//! 8 threads lease and return units at random, through private channels and
//! one shared channel. At every checkpoint the pool's counts equal the units
//! the threads hold; no unit is ever lost or invented, and no quota or
//! capacity is ever exceeded.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use typestep::pool::{ChannelId, Lease, PoolError, Quotas, ResourceKind, ResourcePool};

const THREADS: usize = 8;
const ROUNDS: usize = 8;
const STEPS_PER_ROUND: usize = 400;
const CAPACITY: u64 = 64;
const OWN_QUOTA: u64 = 12;
const SHARED_QUOTA: u64 = 20;
const KIND: ResourceKind = ResourceKind::HANDLES;

/// A small deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn eight_threads_never_lose_or_invent_a_unit() {
    let pool = ResourcePool::builder()
        .capacity(KIND, CAPACITY)
        .build()
        .unwrap();
    let shared = pool
        .open_channel("shared", Quotas::new().limit(KIND, SHARED_QUOTA))
        .unwrap();
    let own: Vec<ChannelId> = (0..THREADS)
        .map(|i| {
            pool.open_channel(format!("worker-{i}"), Quotas::new().limit(KIND, OWN_QUOTA))
                .unwrap()
        })
        .collect();
    let held_own: Arc<Vec<AtomicU64>> = Arc::new((0..THREADS).map(|_| AtomicU64::new(0)).collect());
    let held_shared: Arc<Vec<AtomicU64>> =
        Arc::new((0..THREADS).map(|_| AtomicU64::new(0)).collect());
    let barrier = Arc::new(Barrier::new(THREADS));
    let (granted, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));

    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (pool, own) = (pool.clone(), own[t]);
            let (held_own, held_shared, barrier) =
                (held_own.clone(), held_shared.clone(), barrier.clone());
            let (granted, refused) = (granted.clone(), refused.clone());
            thread::spawn(move || {
                let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1));
                let mut leases: Vec<(bool, Lease)> = Vec::new();
                let (mut mine, mut in_shared) = (0u64, 0u64);
                for _ in 0..ROUNDS {
                    for _ in 0..STEPS_PER_ROUND {
                        let roll = rng.next();
                        if roll % 3 == 0 && !leases.is_empty() {
                            let (is_shared, lease) =
                                leases.swap_remove((roll as usize / 3) % leases.len());
                            if is_shared {
                                in_shared -= lease.units()
                            } else {
                                mine -= lease.units()
                            }
                            drop(lease);
                        } else {
                            let units = 1 + (roll >> 8) % 5;
                            let use_shared = (roll >> 16) % 4 == 0;
                            let channel = if use_shared { shared } else { own };
                            match pool.acquire(channel, KIND, units, "stress") {
                                Ok(lease) => {
                                    assert_eq!(lease.units(), units);
                                    if use_shared {
                                        in_shared += units
                                    } else {
                                        mine += units
                                    }
                                    leases.push((use_shared, lease));
                                    granted.fetch_add(1, Ordering::Relaxed);
                                }
                                Err(PoolError::Exhausted {
                                    available,
                                    requested,
                                    capacity,
                                    ..
                                }) => {
                                    assert!(available < requested && capacity == CAPACITY);
                                    refused.fetch_add(1, Ordering::Relaxed);
                                }
                                Err(PoolError::OverQuota {
                                    used,
                                    requested,
                                    quota,
                                    ..
                                }) => {
                                    assert!(used + requested > quota);
                                    if !use_shared {
                                        assert_eq!(
                                            used, mine,
                                            "own channel used must equal what this thread holds"
                                        );
                                    }
                                    refused.fetch_add(1, Ordering::Relaxed);
                                }
                                Err(other) => panic!("unexpected error {other}"),
                            }
                        }
                        // Only this thread uses its own channel: the pool's count must be exact.
                        assert_eq!(pool.channel_in_use(own, KIND).unwrap(), mine);
                        assert!(mine <= OWN_QUOTA);
                    }
                    held_own[t].store(mine, Ordering::SeqCst);
                    held_shared[t].store(in_shared, Ordering::SeqCst);
                    // Checkpoint: everyone stops, one thread compares the pool with the holdings.
                    if barrier.wait().is_leader() {
                        let own_sum: u64 = held_own.iter().map(|h| h.load(Ordering::SeqCst)).sum();
                        let shared_sum: u64 =
                            held_shared.iter().map(|h| h.load(Ordering::SeqCst)).sum();
                        assert_eq!(pool.channel_in_use(shared, KIND).unwrap(), shared_sum);
                        assert_eq!(pool.in_use(KIND).unwrap(), own_sum + shared_sum);
                        assert!(shared_sum <= SHARED_QUOTA);
                    }
                    barrier.wait();
                }
                drop(leases);
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a stress thread failed");
    }

    let metrics = pool.metrics();
    assert_eq!(pool.in_use(KIND).unwrap(), 0, "every unit came back");
    assert!(metrics.kinds[0].peak <= CAPACITY);
    assert!(metrics
        .channels
        .iter()
        .all(|c| c.leases == 0 && c.used[0].1 == 0));
    // The run exercised both outcomes.
    assert!(granted.load(Ordering::Relaxed) > 1000);
    assert!(refused.load(Ordering::Relaxed) > 0);
    assert!(pool.close_all().is_empty());
}
