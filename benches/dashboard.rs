//! What the live dashboard costs a move: the same move of a coordinated
//! component (logged to the recovery log) without a dashboard, with a
//! dashboard serving but nobody watching, and with one client reading the
//! event stream. The dashboard only pulls (every 100 ms, on its own thread),
//! so the differences are the sampler's reads of the log's ring and the
//! CPU it shares.
//!
//! Each variant is measured twice: `dashboard_move` in wall-clock time (what
//! criterion usually measures; on a loaded machine it includes time the
//! moving thread waits for a core), and `dashboard_move_cpu` in the moving
//! thread's own CPU time (the move's cost, including any cache misses the
//! sampler causes it, without the scheduler's noise).
//!
//! Run: `cargo bench --bench dashboard --features dashboard -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs)] // `criterion_group!` generates an undocumented `pub fn`.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::{criterion_group, criterion_main, Criterion};
use typestep::coordinator::{ComponentCoordinator, CoordinatorConfig, Lifecycle};
use typestep::dashboard::Dashboard;
use typestep::pool::{Quotas, ResourcePool};
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Pumping, Draining, Failed), initial = Idle)]
#[transition(Idle -> Pumping on Start)]
#[transition(Pumping -> Draining on Drain)]
#[transition(Draining -> Pumping on Refill)]
#[transition(Pumping | Draining -> Failed on Fail)]
struct Pump;

fn moves(c: &mut Criterion) {
    let pool = ResourcePool::builder().build().expect("builds");
    let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
    let pump = coordinator
        .register(
            "pump",
            StateMachine::new(Pump),
            Lifecycle::new(pump::Fail).start(pump::Start),
            Quotas::new(),
        )
        .expect("registers");
    coordinator.start_all().expect("starts");
    // One iteration is one move; alternating keeps every move legal.
    let mut draining = false;
    let mut step = move || {
        let event = if draining {
            pump::Event::Refill
        } else {
            pump::Event::Drain
        };
        draining = !draining;
        pump.fire(event).is_ok()
    };

    // Each variant in wall-clock time, then in the thread's CPU time.
    let mut run = |c: &mut Criterion, name: &str| {
        c.benchmark_group("dashboard_move")
            .bench_function(name, |b| b.iter(&mut step));
        c.benchmark_group("dashboard_move_cpu")
            .bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let start = ThreadTime::now();
                    for _ in 0..iters {
                        std::hint::black_box(step());
                    }
                    start.try_elapsed().unwrap_or(Duration::ZERO)
                })
            });
    };
    run(c, "no_dashboard");

    let dashboard = Dashboard::builder()
        .coordinator(&coordinator)
        .component::<Pump>()
        .serve("127.0.0.1:0")
        .expect("binds loopback");
    run(c, "dashboard_no_client");

    // One client reading the stream for as long as the next bench runs.
    let url = format!("http://{}/events", dashboard.address());
    let reading = Arc::new(AtomicBool::new(true));
    let keep = reading.clone();
    let client = std::thread::spawn(move || {
        let Ok(response) = ureq::get(&url).call() else {
            return 0usize;
        };
        let mut lines = BufReader::new(response.into_body().into_reader()).lines();
        let mut read = 0;
        while keep.load(Ordering::Relaxed) {
            match lines.next() {
                Some(Ok(_)) => read += 1,
                _ => break,
            }
        }
        read
    });
    run(c, "dashboard_one_client");
    reading.store(false, Ordering::Relaxed);
    drop(dashboard); // closes the stream, so the client returns
    let lines = client.join().unwrap_or(0);
    assert!(lines > 0, "the client read the stream during the bench");
}

criterion_group!(benches, moves);
criterion_main!(benches);
