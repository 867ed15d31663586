//! What a dashboard costs the moving thread: nothing more than a move
//! costs without one. The dashboard only
//! pulls (its sampler reads the recovery log and the public accessors from
//! its own thread), so a move runs the same code with or without one; here
//! that is checked as allocations counted on the moving thread (the
//! counter is per thread), with no dashboard, a dashboard and no client, and
//! a dashboard with one client reading the stream.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use typestep::coordinator::{ComponentCoordinator, CoordinatorConfig, Lifecycle, Managed};
use typestep::dashboard::Dashboard;
use typestep::pool::{Quotas, ResourcePool};
use typestep::prelude::*;

#[derive(Component, Clone, Debug)]
#[component(states(Idle, Pumping, Draining, Failed), initial = Idle)]
#[transition(Idle -> Pumping on Start)]
#[transition(Pumping -> Draining on Drain)]
#[transition(Draining -> Pumping on Refill)]
#[transition(Pumping | Draining -> Failed on Fail)]
struct Pump;

/// Allocations made by this thread over 1,000 moves (after a warm-up that
/// lets every lazily allocated part exist).
fn allocations_per_1000_moves(pump: &Managed<Pump>) -> u64 {
    let mut draining = false;
    let mut step = || {
        let event = if draining {
            pump::Event::Refill
        } else {
            pump::Event::Drain
        };
        draining = !draining;
        assert!(pump.fire(event).is_ok());
    };
    for _ in 0..100 {
        step();
    }
    let info = allocation_counter::measure(|| {
        for _ in 0..1000 {
            step();
        }
    });
    info.count_total
}

#[test]
fn a_move_allocates_nothing_with_or_without_a_dashboard_or_a_client() {
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

    // What a move allocates by itself: nothing, unless the `metrics`
    // feature is on (the `metrics` facade builds each counter's key with
    // its run-time labels on every move). The dashboard must add nothing.
    let alone = allocations_per_1000_moves(&pump);
    #[cfg(not(feature = "metrics"))]
    assert_eq!(alone, 0, "no dashboard");

    let dashboard = Dashboard::builder()
        .coordinator(&coordinator)
        .component::<Pump>()
        .serve("127.0.0.1:0")
        .expect("binds loopback");
    dashboard.refresh();
    assert_eq!(
        allocations_per_1000_moves(&pump),
        alone,
        "dashboard, no client"
    );

    // One client reading the stream while the moves run.
    let url = format!("http://{}/events", dashboard.address());
    let reading = Arc::new(AtomicBool::new(true));
    let keep = Arc::clone(&reading);
    let (opened_tx, opened) = std::sync::mpsc::channel();
    let (first_tx, first_line) = std::sync::mpsc::channel();
    let client = std::thread::spawn(move || {
        let Ok(response) = ureq::get(&url).call() else {
            return 0usize;
        };
        let _ = opened_tx.send(());
        let mut lines = BufReader::new(response.into_body().into_reader()).lines();
        let mut read = 0;
        while keep.load(Ordering::Relaxed) {
            match lines.next() {
                Some(Ok(_)) => read += 1,
                _ => break,
            }
            if read == 1 {
                let _ = first_tx.send(());
            }
        }
        read
    });
    opened.recv().expect("the stream opened");
    assert_eq!(allocations_per_1000_moves(&pump), alone, "one client");
    dashboard.refresh(); // the sampler sends what the moves logged

    // Stop the client only once it has read something: on a loaded machine
    // its thread may not have run at all yet (bounded wait, not a timing claim).
    let _ = first_line.recv_timeout(std::time::Duration::from_secs(60));
    reading.store(false, Ordering::Relaxed);
    drop(dashboard);
    assert!(client.join().unwrap_or(0) > 0, "the client read the stream");

    // The counter counts this thread's allocations at all.
    let info = allocation_counter::measure(|| {
        std::hint::black_box(Vec::<u8>::with_capacity(64));
    });
    assert_eq!(info.count_total, 1);
}
