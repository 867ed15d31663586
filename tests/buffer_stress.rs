//! 8 threads acquire, write, pass on and release buffers on shared and
//! private channels. The pool's byte count always covers exactly the buffers
//! held, never exceeds its capacity, and returns to zero.

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
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (pool, manager, barrier) = (pool.clone(), manager.clone(), barrier.clone());
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
                barrier.wait();
                for i in 0..ROUNDS {
                    let channel = if i % 3 == 0 { &shared } else { &own };
                    match channel.acquire() {
                        Ok(mut buffer) => {
                            buffer.extend_from_slice(&(i as u64).to_le_bytes()).unwrap();
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
                        }
                    }
                    assert_eq!(
                        own.stats().in_use * SIZE as u64,
                        pool.channel_in_use(own.id(), ResourceKind::BUFFER_BYTES)
                            .unwrap()
                    );
                }
                drop(held);
                refused
            })
        })
        .collect();
    let refused: u32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let metrics = pool.metrics();
    assert_eq!(metrics.kinds[0].in_use, 0, "every byte came back");
    assert!(metrics.kinds[0].peak <= CAPACITY);
    let buffers = manager.metrics();
    assert!(buffers.channels.iter().all(|c| c.stats.in_use == 0));
    let acquired: u64 = buffers.channels.iter().map(|c| c.stats.acquired).sum();
    assert_eq!(acquired + u64::from(refused), (THREADS * ROUNDS) as u64);
    // Never more allocations than the budget allows buffers at once, per channel peak.
    let peaks: u64 = buffers.channels.iter().map(|c| c.stats.peak).sum();
    assert_eq!(buffers.allocated, peaks);
    assert_eq!(buffers.idle as u64, peaks);
}
