//! 6 threads acquire buffers on two channels, hand some to the next thread
//! (which releases them into its own cache), trim their caches and ask the
//! others' back, in bounded loops. The pool never reserves more than its
//! capacity, every refusal is for want of bytes, and when the threads are
//! gone every byte is back: nothing in use, nothing cached, nothing leaked.

use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;

use typestep::{
    buffer::{Buffer, BufferError, BufferManager},
    pool::{PoolError, Quotas, ResourceKind, ResourcePool},
};

const BYTES: ResourceKind = ResourceKind::BUFFER_BYTES;
const THREADS: usize = 6;
const ROUNDS: u64 = 3000;
const SIZE: usize = 64;
const CAPACITY: u64 = 24 * SIZE as u64;

/// A small deterministic generator (xorshift), one per thread.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn caches_under_contention_never_lose_or_invent_a_byte() {
    let pool = ResourcePool::builder()
        .capacity(BYTES, CAPACITY)
        .build()
        .unwrap();
    let manager = BufferManager::new(&pool, SIZE)
        .unwrap()
        .with_thread_cache(3);
    let wide = pool.open_channel("wide", Quotas::new()).unwrap();
    let narrow = pool
        .open_channel("narrow", Quotas::new().limit(BYTES, 6 * SIZE as u64))
        .unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..THREADS).map(|_| mpsc::channel::<Buffer>()).unzip();
    let handles: Vec<_> = receivers
        .into_iter()
        .enumerate()
        .map(|(t, inbox)| {
            let (pool, manager, barrier) = (pool.clone(), manager.clone(), barrier.clone());
            let neighbour = senders[(t + 1) % THREADS].clone();
            thread::spawn(move || {
                let channels = [
                    manager.channel(wide).unwrap(),
                    manager.channel(narrow).unwrap(),
                ];
                let mut seed = 0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1);
                let (mut held, mut refused) = (Vec::new(), 0u64);
                barrier.wait();
                for round in 0..ROUNDS {
                    let roll = next(&mut seed);
                    match channels[(roll % 3 == 0) as usize].acquire() {
                        Ok(mut buffer) => {
                            buffer.extend_from_slice(&round.to_le_bytes()).unwrap();
                            held.push(buffer);
                        }
                        Err(BufferError::Pool(
                            PoolError::Exhausted { .. } | PoolError::OverQuota { .. },
                        )) => refused += 1,
                        Err(other) => panic!("unexpected {other}"),
                    }
                    match roll % 16 {
                        0 => manager.trim_thread_cache(),
                        1 => manager.ask_thread_caches_back(),
                        2..=5 => {
                            if let Some(buffer) = held.pop() {
                                // The neighbour may be gone: then it is released here.
                                let _ = neighbour.send(buffer);
                            }
                        }
                        _ => {}
                    }
                    if held.len() > 4 {
                        held.drain(..3);
                    }
                    for buffer in inbox.try_iter() {
                        assert_eq!(buffer.len(), 8, "what was written survived");
                    }
                    let usage = &pool.metrics().kinds[0];
                    assert!(usage.in_use + usage.cached <= CAPACITY);
                    assert!(usage.peak <= CAPACITY);
                }
                drop(held);
                drop(neighbour);
                // Release what is still on its way here before leaving.
                for buffer in inbox.iter() {
                    drop(buffer);
                }
                refused
            })
        })
        .collect();
    drop(senders);
    let refused: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();

    assert_eq!(pool.in_use(BYTES).unwrap(), 0, "nothing in use");
    assert_eq!(pool.cached(BYTES).unwrap(), 0, "every cache came back");
    let buffers = manager.metrics();
    assert_eq!(buffers.cached, 0);
    assert!(buffers
        .channels
        .iter()
        .all(|c| c.stats.in_use == 0 && c.stats.cached == 0));
    let acquired: u64 = buffers.channels.iter().map(|c| c.stats.acquired).sum();
    assert_eq!(acquired + refused, THREADS as u64 * ROUNDS);
    let peaks: u64 = buffers.channels.iter().map(|c| c.stats.peak).sum();
    assert_eq!(buffers.allocated, peaks);
    assert_eq!(buffers.idle as u64, peaks);
    // Neither channel ever reserved more than its quota or the capacity.
    assert!(buffers.channels[0].stats.peak * SIZE as u64 <= CAPACITY);
    assert!(buffers.channels[1].stats.peak <= 6);
    assert!(pool.close_all().is_empty());
    assert!(pool.leak_report().cached.is_empty());
}
