//! Ordered lock/unlock through a `#[derive(System)]` token against the
//! underlying `parking_lot` mutex, with `tracing-mutex` (which checks the
//! order at run time) as a peer. Uncontended, one thread: this measures what
//! the ordering costs, not how the mutex behaves under contention.
//!
//! `cargo bench --bench lock_order`; BENCHMARKS.md records the ratios of
//! medians from one run.
#![allow(missing_docs)] // `criterion_group!` generates undocumented functions.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use typestep::lock::{LockChain, OrderedMutex};
use typestep::prelude::*;

#[derive(System)]
#[system(lock_order(pool -> buffers))]
struct Bench {
    pool: OrderedMutex<u64, bench::level::Pool>,
    buffers: OrderedMutex<u64, bench::level::Buffers>,
}

fn one_lock(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock_order/one_lock");

    let raw = parking_lot::Mutex::new(0u64);
    group.bench_function("parking_lot", |b| {
        b.iter(|| {
            let mut guard = black_box(&raw).lock();
            *guard += 1;
        })
    });

    let system = Bench::builder()
        .pool(|| OrderedMutex::new(0))
        .buffers(|| OrderedMutex::new(0))
        .build();
    let mut chain = LockChain::start().expect("bench thread has no chain");
    let mut root = bench::Locked::new(&mut chain);
    group.bench_function("typestep_ordered", |b| {
        b.iter(|| {
            let (mut guard, _) = root.lock(black_box(&system.pool));
            *guard += 1;
        })
    });

    let tracing = tracing_mutex::parkinglot::tracing::Mutex::new(0u64);
    group.bench_function("tracing_mutex", |b| {
        b.iter(|| {
            let mut guard = black_box(&tracing).lock();
            *guard += 1;
        })
    });
    group.finish();
}

fn two_locks(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock_order/two_locks");

    let (raw_a, raw_b) = (parking_lot::Mutex::new(0u64), parking_lot::Mutex::new(0u64));
    group.bench_function("parking_lot", |b| {
        b.iter(|| {
            let mut a = black_box(&raw_a).lock();
            let mut b = black_box(&raw_b).lock();
            *a += 1;
            *b += 1;
        })
    });

    let system = Bench::builder()
        .pool(|| OrderedMutex::new(0))
        .buffers(|| OrderedMutex::new(0))
        .build();
    let mut chain = LockChain::start().expect("bench thread has no chain");
    let mut root = bench::Locked::new(&mut chain);
    group.bench_function("typestep_ordered", |b| {
        b.iter(|| {
            let (mut a, mut locks) = root.lock(black_box(&system.pool));
            let (mut b, _) = locks.lock(black_box(&system.buffers));
            *a += 1;
            *b += 1;
        })
    });

    let (tracing_a, tracing_b) = (
        tracing_mutex::parkinglot::tracing::Mutex::new(0u64),
        tracing_mutex::parkinglot::tracing::Mutex::new(0u64),
    );
    group.bench_function("tracing_mutex", |b| {
        b.iter(|| {
            let mut a = black_box(&tracing_a).lock();
            let mut b = black_box(&tracing_b).lock();
            *a += 1;
            *b += 1;
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(60)
}

criterion_group! {
    name = benches;
    config = config();
    targets = one_lock, two_locks
}
criterion_main!(benches);
