//! Acquire + release of a pooled buffer, side by side with allocating a
//! fresh `Vec` of the same capacity each time.
//!
//! The `_cpu` group times the same work in the benchmarking thread's own CPU
//! time (`cpu-time`'s `ThreadTime`, criterion `iter_custom`): on a loaded
//! machine wall-clock time mostly measures waiting for a core.
//!
//! `cargo bench --bench buffer`
#![allow(missing_docs)] // `criterion_group!` generates undocumented items

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::{criterion_group, criterion_main, Criterion};
use typestep::{
    buffer::{BufferChannel, BufferManager},
    pool::{Quotas, ResourceKind, ResourcePool},
};

const SIZE: usize = 4096;

fn setup() -> (ResourcePool, BufferManager, BufferChannel) {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::BUFFER_BYTES, 64 * SIZE as u64)
        .build()
        .expect("pool");
    let channel = pool.open_channel("bench", Quotas::new()).expect("channel");
    let manager = BufferManager::new(&pool, SIZE).expect("manager");
    let buffers = manager.channel(channel).expect("buffer channel");
    drop(buffers.acquire().expect("warm-up buffer"));
    (pool, manager, buffers)
}

/// One pooled cycle: acquire, write a byte, release.
fn pooled(buffers: &BufferChannel) {
    let mut buffer = buffers.acquire().expect("budget");
    buffer.extend_from_slice(black_box(b"x")).expect("fits");
    black_box(&buffer);
}

/// The baseline: a fresh allocation of the same capacity, written and freed.
fn fresh() {
    let mut buffer: Vec<u8> = Vec::with_capacity(black_box(SIZE));
    buffer.extend_from_slice(black_box(b"x"));
    black_box(&buffer);
}

thread_local! {
    /// The floor of a per-thread cache of idle buffers: a `Vec` popped and
    /// pushed back, no lock, no atomic, no allocator.
    static CACHE: RefCell<Vec<Vec<u8>>> = RefCell::new(vec![Vec::with_capacity(SIZE)]);
}

/// A per-thread cache hit and release, as cheap as it can be.
fn thread_cache() {
    CACHE.with(|cache| {
        let popped = cache.borrow_mut().pop();
        let mut buffer = popped.unwrap_or_else(|| Vec::with_capacity(SIZE));
        buffer.extend_from_slice(black_box(b"x"));
        black_box(&buffer);
        buffer.clear();
        cache.borrow_mut().push(buffer);
    })
}

/// The same cache with the proposed pool bookkeeping: the owner publishes
/// its idle units in a single-writer atomic that the pool's readers would
/// subtract (a plain load and store, no read-modify-write).
fn thread_cache_counted(idle_units: &AtomicU64) {
    CACHE.with(|cache| {
        let popped = cache.borrow_mut().pop();
        let mut buffer = popped.unwrap_or_else(|| Vec::with_capacity(SIZE));
        let idle = idle_units.load(Ordering::Relaxed);
        idle_units.store(idle.wrapping_sub(SIZE as u64), Ordering::Release);
        buffer.extend_from_slice(black_box(b"x"));
        black_box(&buffer);
        buffer.clear();
        cache.borrow_mut().push(buffer);
        let idle = idle_units.load(Ordering::Relaxed);
        idle_units.store(idle.wrapping_add(SIZE as u64), Ordering::Release);
    })
}

fn acquire_release(c: &mut Criterion) {
    let (_pool, _manager, buffers) = setup();
    let mut group = c.benchmark_group("buffer_4k_acquire_release");
    group.bench_function("typestep_buffer_manager", |b| b.iter(|| pooled(&buffers)));
    group.bench_function("fresh_vec_with_capacity", |b| b.iter(fresh));
    group.finish();
}

/// Runs `work` `iters` times and returns the thread's CPU time.
fn cpu_time(iters: u64, mut work: impl FnMut()) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iters {
        work();
    }
    start.elapsed()
}

fn acquire_release_cpu(c: &mut Criterion) {
    let (_pool, _manager, buffers) = setup();
    let mut group = c.benchmark_group("buffer_4k_acquire_release_cpu");
    group.bench_function("typestep_buffer_manager", |b| {
        b.iter_custom(|iters| cpu_time(iters, || pooled(&buffers)))
    });
    group.bench_function("fresh_vec_with_capacity", |b| {
        b.iter_custom(|iters| cpu_time(iters, fresh))
    });
    group.bench_function("ref_thread_local_cache", |b| {
        b.iter_custom(|iters| cpu_time(iters, thread_cache))
    });
    let idle_units = Arc::new(AtomicU64::new(SIZE as u64));
    group.bench_function("ref_thread_local_cache_counted", |b| {
        b.iter_custom(|iters| cpu_time(iters, || thread_cache_counted(black_box(&idle_units))))
    });
    let lock = Mutex::new(0u64);
    group.bench_function("ref_uncontended_mutex", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                if let Ok(mut n) = black_box(&lock).lock() {
                    *n += 1;
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, acquire_release, acquire_release_cpu);
criterion_main!(benches);
