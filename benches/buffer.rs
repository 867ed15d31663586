//! Acquire + release of a pooled buffer, side by side with allocating a
//! fresh `Vec` of the same capacity each time.
//!
//! `cargo bench --bench buffer`
#![allow(missing_docs)] // `criterion_group!` generates undocumented items

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use typestep::{
    buffer::BufferManager,
    pool::{Quotas, ResourceKind, ResourcePool},
};

const SIZE: usize = 4096;

fn acquire_release(c: &mut Criterion) {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::BUFFER_BYTES, 64 * SIZE as u64)
        .build()
        .expect("pool");
    let channel = pool.open_channel("bench", Quotas::new()).expect("channel");
    let manager = BufferManager::new(&pool, SIZE).expect("manager");
    let buffers = manager.channel(channel).expect("buffer channel");
    drop(buffers.acquire().expect("warm-up buffer"));

    let mut group = c.benchmark_group("buffer_4k_acquire_release");
    group.bench_function("typestep_buffer_manager", |b| {
        b.iter(|| {
            let mut buffer = buffers.acquire().expect("budget");
            buffer.extend_from_slice(black_box(b"x")).expect("fits");
            black_box(&buffer);
        })
    });
    group.bench_function("fresh_vec_with_capacity", |b| {
        b.iter(|| {
            let mut buffer: Vec<u8> = Vec::with_capacity(black_box(SIZE));
            buffer.extend_from_slice(black_box(b"x"));
            black_box(&buffer);
        })
    });
    group.finish();
}

criterion_group!(benches, acquire_release);
criterion_main!(benches);
