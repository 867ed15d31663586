//! Cleanup: planning a 10,000-step DAG; 64 independent 10 ms steps in
//! parallel against sequentially; the per-step overhead of a no-op step
//! against calling the same closures directly.
//!
//! Run: `cargo bench --bench cleanup`
#![allow(missing_docs)] // `criterion_group!` generates an undocumented `pub fn`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use typestep::cleanup::{CleanupCoordinator, CleanupStep};

fn noop(name: String) -> CleanupStep {
    CleanupStep::new(name, || Ok::<(), std::io::Error>(()))
}

/// A 10,000-step DAG: each step depends on up to 3 earlier ones
/// (deterministic pseudo-random choice), registered in one batch.
fn dag(steps: usize) -> Vec<CleanupStep> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..steps)
        .map(|index| {
            let mut step = noop(format!("s{index}"));
            if index > 0 {
                for _ in 0..(next() % 4) {
                    step = step.depends_on(format!("s{}", next() as usize % index));
                }
            }
            step
        })
        .collect()
}

fn planning(c: &mut Criterion) {
    let mut group = c.benchmark_group("cleanup_plan");
    group.sample_size(20);
    group.bench_function("register_and_plan_10k", |b| {
        b.iter_batched(
            || dag(10_000),
            |steps| {
                let coordinator = CleanupCoordinator::new();
                coordinator.register_all(steps).unwrap();
                black_box(coordinator.levels().len())
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn sleeping(count: usize) -> Vec<CleanupStep> {
    (0..count)
        .map(|index| {
            CleanupStep::new(format!("sleep{index}"), || {
                std::thread::sleep(Duration::from_millis(10));
                Ok::<(), std::io::Error>(())
            })
        })
        .collect()
}

fn parallel_vs_sequential(c: &mut Criterion) {
    let mut group = c.benchmark_group("cleanup_64x10ms");
    // Long iterations: flat sampling keeps the run to a few seconds.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(7));
    let run = |coordinator: fn() -> CleanupCoordinator| {
        move |b: &mut criterion::Bencher<'_>| {
            b.iter_batched(
                || sleeping(64),
                |steps| {
                    let coordinator = coordinator();
                    coordinator.register_all(steps).unwrap();
                    black_box(coordinator.cleanup().steps.len())
                },
                BatchSize::PerIteration,
            )
        }
    };
    group.bench_function("sequential", run(|| CleanupCoordinator::new().sequential()));
    group.bench_function("parallel_default", run(CleanupCoordinator::new));
    group.bench_function(
        "parallel_16",
        run(|| CleanupCoordinator::new().max_parallel(16)),
    );
    group.finish();
}

fn per_step_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("cleanup_noop_100");
    group.sample_size(20);
    group.bench_function("direct_calls", |b| {
        b.iter_batched(
            || {
                (0..100)
                    .map(|_| || Ok::<(), std::io::Error>(()))
                    .collect::<Vec<_>>()
            },
            |steps| {
                for step in steps {
                    black_box(step()).unwrap();
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("sequential", |b| {
        b.iter_batched(
            || (0..100).map(|i| noop(format!("n{i}"))).collect::<Vec<_>>(),
            |steps| {
                let coordinator = CleanupCoordinator::new().sequential();
                coordinator.register_all(steps).unwrap();
                black_box(coordinator.cleanup().steps.len())
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("parallel_default", |b| {
        b.iter_batched(
            || (0..100).map(|i| noop(format!("n{i}"))).collect::<Vec<_>>(),
            |steps| {
                let coordinator = CleanupCoordinator::new();
                coordinator.register_all(steps).unwrap();
                black_box(coordinator.cleanup().steps.len())
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = planning, parallel_vs_sequential, per_step_overhead
}
criterion_main!(benches);
