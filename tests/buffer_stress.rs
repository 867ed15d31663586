//! 8 threads acquire, write, pass on and release buffers on shared and
//! private channels. The pool's byte count always covers exactly the buffers
//! held, never exceeds its capacity, and returns to zero.
//!
//! With per-thread caches of idle buffers (which keep their reservation), a
//! thread allocates while another thread's cache may hold idle buffers of the
//! same channel, so a channel's allocations are bounded by its peak of
//! buffers *reserved* (in use or cached: `BufferStats::peak`, exactly) and
//! thus by its peak in use plus the cache bound for each thread using it:
//! `allocated ≤ Σ peaks in use + caches × bound` (+ the acquires in flight
//! that the test's own count of the shared channel has not seen yet).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use typestep::{
    buffer::{BufferError, BufferManager},
    pool::{PoolError, Quotas, ResourceKind, ResourcePool},
};

const THREADS: usize = 8;
const ROUNDS: usize = 2000;
const SIZE: usize = 64;
const CAPACITY: u64 = 40 * SIZE as u64;

#[test]
fn eight_threads_share_the_byte_budget_without_losing_a_byte() {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::BUFFER_BYTES, CAPACITY)
        .build()
        .unwrap();
    let manager = BufferManager::new(&pool, SIZE).unwrap();
    let shared = pool.open_channel("shared", Quotas::new()).unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    // The test's own count of shared buffers held, and its peak.
    let shared_held = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (pool, manager, barrier) = (pool.clone(), manager.clone(), barrier.clone());
            let shared_held = shared_held.clone();
            thread::spawn(move || {
                let own = pool
                    .open_channel(
                        format!("t{t}"),
                        Quotas::new().limit(ResourceKind::BUFFER_BYTES, 4 * SIZE as u64),
                    )
                    .unwrap();
                let (own, shared) = (
                    manager.channel(own).unwrap(),
                    manager.channel(shared).unwrap(),
                );
                let mut held = Vec::new();
                let mut refused = 0u32;
                let (mut own_held, mut own_peak) = (0u64, 0u64);
                barrier.wait();
                for i in 0..ROUNDS {
                    let channel = if i % 3 == 0 { &shared } else { &own };
                    match channel.acquire() {
                        Ok(mut buffer) => {
                            buffer.extend_from_slice(&(i as u64).to_le_bytes()).unwrap();
                            if buffer.channel() == shared.id() {
                                let now = shared_held[0].fetch_add(1, Ordering::SeqCst) + 1;
                                shared_held[1].fetch_max(now, Ordering::SeqCst);
                            } else {
                                own_held += 1;
                                own_peak = own_peak.max(own_held);
                            }
                            held.push(buffer);
                        }
                        Err(BufferError::Pool(
                            PoolError::Exhausted { .. } | PoolError::OverQuota { .. },
                        )) => refused += 1,
                        Err(other) => panic!("unexpected {other}"),
                    }
                    if held.len() > 5 || i % 7 == 0 {
                        // Release half, from the front, checking what was written survived.
                        for buffer in held.drain(..held.len() / 2 + 1) {
                            assert_eq!(buffer.len(), 8);
                            if buffer.channel() == shared.id() {
                                shared_held[0].fetch_sub(1, Ordering::SeqCst);
                            } else {
                                own_held -= 1;
                            }
                        }
                    }
                    assert_eq!(
                        own.stats().in_use * SIZE as u64,
                        pool.channel_in_use(own.id(), ResourceKind::BUFFER_BYTES)
                            .unwrap()
                    );
                }
                drop(held);
                (refused, own_peak)
            })
        })
        .collect();
    let (mut refused, mut peaks_in_use) = (0u32, shared_held[1].load(Ordering::SeqCst));
    for handle in handles {
        let (r, own_peak) = handle.join().unwrap();
        refused += r;
        peaks_in_use += own_peak;
    }
    let metrics = pool.metrics();
    assert_eq!(metrics.kinds[0].in_use, 0, "every byte came back");
    assert!(metrics.kinds[0].peak <= CAPACITY);
    let buffers = manager.metrics();
    assert!(buffers.channels.iter().all(|c| c.stats.in_use == 0));
    let acquired: u64 = buffers.channels.iter().map(|c| c.stats.acquired).sum();
    assert_eq!(acquired + u64::from(refused), (THREADS * ROUNDS) as u64);
    // Each channel allocates exactly its peak of buffers reserved...
    let peaks: u64 = buffers.channels.iter().map(|c| c.stats.peak).sum();
    assert_eq!(buffers.allocated, peaks);
    assert_eq!(buffers.idle as u64, peaks);
    // ...and every thread exited, so every cache came back.
    assert_eq!(buffers.cached, 0);
    assert_eq!(pool.cached(ResourceKind::BUFFER_BYTES).unwrap(), 0);
    // At most its peak in use plus each cache's bound: THREADS caches of the
    // shared channel, one of each private one, plus the shared acquires in
    // flight (at most one per thread) the test had not counted yet.
    let caches = 2 * THREADS as u64;
    let bound = manager.thread_cache() as u64;
    assert!(
        buffers.allocated <= peaks_in_use + caches * bound + THREADS as u64,
        "{} allocations for peaks in use summing to {peaks_in_use}",
        buffers.allocated
    );
}
