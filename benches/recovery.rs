//! Recording one event in the recovery log against formatting the same event
//! as a JSON line (the work the hot path avoids), and a machine move with and
//! without the recording observer.
//!
//! The `*_cpu` groups time the same work in the benchmarking thread's own
//! CPU time (`cpu-time`'s `ThreadTime`, criterion `iter_custom`): on a
//! loaded shared machine wall-clock time also counts the time the thread
//! waits for a core, so absolute figures are quoted from those groups.
//!
//! Run: `cargo bench --bench recovery -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs)] // `criterion_group!` generates an undocumented `pub fn`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::{criterion_group, criterion_main, Criterion};
use typestep::prelude::*;
use typestep::recovery::{MoveLogger, RecoveryEvent, RecoveryLogger};

#[derive(Component, Clone)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

fn event() -> RecoveryEvent {
    RecoveryEvent::moved("Lamp", "Off", "Press", "On", Duration::from_nanos(40))
}

/// The same event built where it is recorded (as `MoveLogger` does), with
/// an opaque duration. `black_box` on the whole 168-byte event instead adds
/// two `memcpy` calls of the harness to every iteration, and on each `&str`
/// a store-forwarding stall (two 8-byte stores read back as one 16-byte
/// load): neither is part of recording.
fn opaque_event() -> RecoveryEvent {
    let nanos = black_box(40);
    RecoveryEvent::moved("Lamp", "Off", "Press", "On", Duration::from_nanos(nanos))
}

fn recording(c: &mut Criterion) {
    let mut group = c.benchmark_group("recovery_event");
    // Steady state: the ring is full, every record overwrites the oldest.
    let logger = RecoveryLogger::new(1024);
    for _ in 0..2048 {
        logger.record(event());
    }
    group.bench_function("record", |b| b.iter(|| logger.record(opaque_event())));
    // The same with TSC time stamps instead of the coarse clock.
    let precise = RecoveryLogger::new(1024).precise_time();
    for _ in 0..2048 {
        precise.record(event());
    }
    group.bench_function("record_precise_time", |b| {
        b.iter(|| precise.record(opaque_event()))
    });
    // References for this machine's speed: one uncontended atomic
    // read-modify-write, and one `std::time::Instant` read.
    let counter = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("ref_atomic_fetch_add", |b| {
        b.iter(|| counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    });
    group.bench_function("ref_std_instant_now", |b| b.iter(std::time::Instant::now));
    // One TSC read through `quanta` (what a timed move reads twice).
    let tsc = quanta::Clock::new();
    group.bench_function("ref_quanta_raw", |b| b.iter(|| tsc.raw()));

    let mut formatted = event();
    formatted.seq = 123_456;
    formatted.at = Duration::from_micros(987_654);
    let mut line = Vec::with_capacity(256);
    group.bench_function("format_json_line", |b| {
        b.iter(|| {
            line.clear();
            serde_json::to_writer(&mut line, black_box(&formatted)).unwrap();
            line.push(b'\n');
            black_box(&line);
        })
    });
    group.finish();

    let mut group = c.benchmark_group("machine_move");
    let mut plain = StateMachine::new(Lamp);
    group.bench_function("no_observer", |b| {
        b.iter(|| black_box(plain.fire(black_box(lamp::Press))).is_ok())
    });
    let mut timed = StateMachine::new(Lamp).with_timing(true);
    group.bench_function("timing", |b| {
        b.iter(|| black_box(timed.fire(black_box(lamp::Press))).is_ok())
    });
    let log = Arc::new(RecoveryLogger::new(1024));
    let mut logged = StateMachine::new(Lamp).with_observer(MoveLogger::new(log));
    group.bench_function("move_logger", |b| {
        b.iter(|| black_box(logged.fire(black_box(lamp::Press))).is_ok())
    });
    // A labelled logger, as the coordinator gives every machine it registers.
    let log = Arc::new(RecoveryLogger::new(1024));
    let mut labelled = StateMachine::new(Lamp)
        .with_observer(MoveLogger::new(log).labelled(String::from("lamp-1")));
    group.bench_function("move_logger_labelled", |b| {
        b.iter(|| black_box(labelled.fire(black_box(lamp::Press))).is_ok())
    });
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

fn recording_cpu(c: &mut Criterion) {
    let mut group = c.benchmark_group("recovery_event_cpu");
    let logger = RecoveryLogger::new(1024);
    for _ in 0..2048 {
        logger.record(event());
    }
    group.bench_function("record", |b| {
        b.iter_custom(|iters| cpu_time(iters, || logger.record(opaque_event())))
    });
    let counter = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("ref_atomic_fetch_add", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                black_box(counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            })
        })
    });
    let tsc = quanta::Clock::new();
    group.bench_function("ref_quanta_raw", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                black_box(tsc.raw());
            })
        })
    });
    group.finish();

    let mut group = c.benchmark_group("machine_move_cpu");
    let mut plain = StateMachine::new(Lamp);
    group.bench_function("no_observer", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                black_box(black_box(plain.fire(black_box(lamp::Press))).is_ok());
            })
        })
    });
    let mut timed = StateMachine::new(Lamp).with_timing(true);
    group.bench_function("timing", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                black_box(black_box(timed.fire(black_box(lamp::Press))).is_ok());
            })
        })
    });
    // Nobody collects: the logger's ring is full and makes room as it goes
    // (the steady state of a tight loop, which no collector keeps up with).
    let log = Arc::new(RecoveryLogger::new(1024));
    let mut logged = StateMachine::new(Lamp).with_observer(MoveLogger::new(log));
    group.bench_function("move_logger", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                black_box(black_box(logged.fire(black_box(lamp::Press))).is_ok());
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = recording, recording_cpu
}
criterion_main!(benches);
