//! The `ComponentCoordinator`: notifications, per-channel resources, and
//! thread monitoring with injected faults (a panicking worker, a stalled
//! worker, repeated failures past the restart intensity). Deadlines are
//! driven by a `ManualClock`; nothing sleeps for long.

use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use typestep::prelude::*;
use typestep::{
    cleanup::StepOutcome,
    coordinator::{
        ComponentCoordinator, CoordinatorConfig, FailureAction, FailureCause, Lifecycle,
        ManualClock, RestartPolicy, StateChange, WorkerSpec,
    },
    pool::{Quotas, ResourceKind, ResourcePool},
    recovery::EventKind,
};

#[derive(Component, Clone)]
#[component(states(Created, Running, Stopping, Stopped, Failed), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Running | Stopping -> Failed on Fail)]
#[transition(Failed -> Running on Restart)]
#[transition(Failed -> Stopped on Abandon)]
struct Sensor;

const INTERVAL: Duration = Duration::from_millis(100);

fn lifecycle() -> Lifecycle<Sensor> {
    Lifecycle::new(sensor::Fail)
        .start(sensor::Start)
        .stop(sensor::Stop, Some(sensor::Done.into()))
        .abandon(sensor::Abandon)
}

fn setup() -> (ComponentCoordinator, ManualClock, ResourcePool) {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::WORKER_THREADS, 4)
        .capacity(ResourceKind::HANDLES, 10)
        .build()
        .unwrap();
    let clock = ManualClock::new();
    let config = CoordinatorConfig {
        clock: Arc::new(clock.clone()),
        ..CoordinatorConfig::default()
    };
    (ComponentCoordinator::new(pool.clone(), config), clock, pool)
}

/// Runs detection passes until one finds something (the worker thread needs
/// a moment to unwind); bounded, so a missing detection fails the test.
fn check_until_found(coordinator: &ComponentCoordinator) -> typestep::coordinator::Failure {
    for _ in 0..2000 {
        if let Some(failure) = coordinator.check().into_iter().next() {
            return failure;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("no failure detected");
}

fn changes(rx: &Receiver<StateChange>) -> Vec<String> {
    rx.try_iter()
        .map(|c| format!("{}:{}->{}", c.component, c.from, c.to))
        .collect()
}

#[test]
fn every_state_change_is_sent_to_subscribers_and_logged() {
    let (coordinator, _, _) = setup();
    let rx = coordinator.subscribe();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    let b = coordinator
        .register("b", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    a.fire(sensor::Stop).unwrap();
    assert!(b.fire(sensor::Done).is_err(), "an invalid move is refused");
    assert_eq!(
        changes(&rx),
        [
            "a:Created->Running",
            "b:Created->Running",
            "a:Running->Stopping"
        ]
    );
    let analytics = coordinator.logger().analytics();
    assert_eq!(analytics.moves, 3);
    assert_eq!(b.state(), sensor::State::Running);
}

#[test]
fn resources_are_tracked_per_component_channel() {
    let (coordinator, _, pool) = setup();
    let a = coordinator
        .register(
            "a",
            StateMachine::new(Sensor),
            lifecycle(),
            Quotas::new().limit(ResourceKind::HANDLES, 3),
        )
        .unwrap();
    let b = coordinator
        .register("b", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    let held = coordinator
        .acquire(a.id(), ResourceKind::HANDLES, 3, "files")
        .unwrap();
    assert!(coordinator
        .acquire(a.id(), ResourceKind::HANDLES, 1, "files")
        .is_err());
    let other = coordinator
        .acquire(b.id(), ResourceKind::HANDLES, 5, "sockets")
        .unwrap();
    let usage = coordinator.resources(a.id()).unwrap();
    assert_eq!(usage.name, "a");
    assert!(usage.used.contains(&(ResourceKind::HANDLES, 3, Some(3))));
    assert_eq!(
        pool.channel_in_use(b.channel(), ResourceKind::HANDLES)
            .unwrap(),
        5
    );
    drop((held, other));
    assert_eq!(pool.in_use(ResourceKind::HANDLES).unwrap(), 0);
}

#[test]
fn a_panicking_worker_fails_its_component_is_cleaned_up_and_logged() {
    let (coordinator, _, pool) = setup();
    let rx = coordinator.subscribe();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    coordinator
        .spawn_worker(a.id(), "reader", WorkerSpec::every(INTERVAL), |_hb| {
            panic!("sensor unplugged")
        })
        .unwrap();
    let failure = check_until_found(&coordinator);
    assert_eq!(
        failure.cause,
        FailureCause::Panicked("sensor unplugged".into())
    );
    assert_eq!(
        (failure.component.as_str(), failure.worker.as_str()),
        ("a", "reader")
    );
    assert_eq!(failure.state, "Failed");
    // The cleanup runs off the detection path; wait for it.
    coordinator.cleanup().cleanup();
    assert_eq!(coordinator.failures()[0].cleanup, Some(StepOutcome::Ok));
    assert_eq!(failure.action, FailureAction::LeftFailed);
    assert_eq!(a.state(), sensor::State::Failed);
    assert_eq!(changes(&rx), ["a:Created->Running", "a:Running->Failed"]);
    // The thread unit came back through the cleanup.
    assert_eq!(pool.in_use(ResourceKind::WORKER_THREADS).unwrap(), 0);
    // Logged with context.
    let events = coordinator.logger().history("a", 10);
    assert!(events.iter().any(|e| e.kind == EventKind::Failure
        && e.context
            .as_deref()
            .is_some_and(|c| c.contains("reader") && c.contains("sensor unplugged"))));
    assert!(coordinator.cleanup().report().get("a/reader#0").is_some());
}

#[test]
fn a_stalled_worker_is_detected_within_two_heartbeat_intervals() {
    let (coordinator, clock, pool) = setup();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    // Beats once, then stalls (never beats again) until asked to stop.
    let (beat_tx, beat_rx) = std::sync::mpsc::channel::<()>();
    coordinator
        .spawn_worker(a.id(), "stuck", WorkerSpec::every(INTERVAL), move |hb| {
            hb.beat();
            let _ = beat_tx.send(());
            while !hb.should_stop() {
                std::thread::park_timeout(Duration::from_millis(50));
            }
            Ok(())
        })
        .unwrap();
    // The clock moves only once the beat is in: a worker thread scheduled
    // late would otherwise beat after the first interval, and the second
    // would then be its only silent one.
    beat_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the worker beats once");
    clock.advance(INTERVAL);
    assert!(
        coordinator.check().is_empty(),
        "one interval of silence is allowed"
    );
    assert_eq!(a.state(), sensor::State::Running);
    clock.advance(INTERVAL);
    let found = coordinator.check();
    assert_eq!(found.len(), 1, "two intervals of silence are detected");
    assert_eq!(
        found[0].cause,
        FailureCause::MissedHeartbeat {
            silent_for: 2 * INTERVAL,
            deadline: INTERVAL * 3 / 2
        }
    );
    assert_eq!(a.state(), sensor::State::Failed);
    // The stalled thread was asked to stop, joined (off the detection path),
    // and its unit returned.
    coordinator.cleanup().cleanup();
    assert_eq!(coordinator.failures()[0].cleanup, Some(StepOutcome::Ok));
    assert_eq!(pool.in_use(ResourceKind::WORKER_THREADS).unwrap(), 0);
}

#[test]
fn a_healthy_worker_is_never_failed() {
    let (coordinator, clock, _) = setup();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let rx = std::sync::Mutex::new(rx);
    let done_tx = std::sync::Mutex::new(done_tx);
    // Beats each time the test asks, so its last beat follows the clock.
    coordinator
        .spawn_worker(a.id(), "steady", WorkerSpec::every(INTERVAL), move |hb| {
            while rx.lock().unwrap().recv().is_ok() {
                hb.beat();
                let _ = done_tx.lock().unwrap().send(());
            }
            Ok(())
        })
        .unwrap();
    for _ in 0..10 {
        clock.advance(INTERVAL);
        tx.send(()).unwrap();
        done_rx.recv().unwrap();
        assert!(coordinator.check().is_empty());
    }
    drop(tx);
    assert_eq!(a.state(), sensor::State::Running);
}

#[test]
fn restarts_are_limited_then_the_failure_escalates() {
    let (coordinator, clock, pool) = setup();
    let policy = RestartPolicy::new(2, Duration::from_secs(10));
    let a = coordinator
        .register(
            "a",
            StateMachine::new(Sensor),
            lifecycle().restart(sensor::Restart, policy),
            Quotas::new(),
        )
        .unwrap();
    coordinator.start_all().unwrap();
    coordinator
        .spawn_worker(a.id(), "flaky", WorkerSpec::every(INTERVAL), |_hb| {
            Err("bad frame".into())
        })
        .unwrap();
    let first = check_until_found(&coordinator);
    assert!(matches!(first.action, FailureAction::Restarted(_)));
    assert_eq!(first.cause, FailureCause::Errored("bad frame".into()));
    assert_eq!(a.state(), sensor::State::Running, "restarted");
    clock.advance(Duration::from_secs(1));
    let second = check_until_found(&coordinator);
    assert!(matches!(second.action, FailureAction::Restarted(_)));
    clock.advance(Duration::from_secs(1));
    let third = check_until_found(&coordinator);
    assert_eq!(
        third.action,
        FailureAction::Escalated,
        "a third failure within 10 s escalates"
    );
    assert!(coordinator.is_escalated(a.id()));
    assert_eq!(a.state(), sensor::State::Failed);
    coordinator.cleanup().cleanup();
    assert_eq!(pool.in_use(ResourceKind::WORKER_THREADS).unwrap(), 0);
    let metrics = coordinator.metrics();
    assert_eq!(
        metrics
            .workers
            .iter()
            .map(|w| w.generation)
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(metrics.failures.len(), 3);
}

#[test]
fn restarts_outside_the_window_do_not_count() {
    let (coordinator, clock, _) = setup();
    let policy = RestartPolicy::new(1, Duration::from_secs(5));
    let a = coordinator
        .register(
            "a",
            StateMachine::new(Sensor),
            lifecycle().restart(sensor::Restart, policy),
            Quotas::new(),
        )
        .unwrap();
    coordinator.start_all().unwrap();
    coordinator
        .spawn_worker(a.id(), "flaky", WorkerSpec::every(INTERVAL), |_hb| {
            Err("bad frame".into())
        })
        .unwrap();
    assert!(matches!(
        check_until_found(&coordinator).action,
        FailureAction::Restarted(_)
    ));
    clock.advance(Duration::from_secs(6));
    assert!(matches!(
        check_until_found(&coordinator).action,
        FailureAction::Restarted(_)
    ));
    assert!(matches!(
        check_until_found(&coordinator).action,
        FailureAction::Escalated
    ));
}

#[test]
fn the_monitor_thread_detects_a_panic_on_its_own() {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::WORKER_THREADS, 2)
        .build()
        .unwrap();
    let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
    let rx = coordinator.subscribe();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    coordinator.start_monitor().unwrap();
    coordinator
        .spawn_worker(
            a.id(),
            "bomb",
            WorkerSpec::every(Duration::from_secs(5)),
            |_hb| panic!("boom"),
        )
        .unwrap();
    // Wait (bounded) for the failure move the monitor makes.
    let failed = rx
        .iter()
        .take(3)
        .find(|c| c.to == "Failed")
        .expect("the monitor moved the component to Failed");
    assert_eq!(failed.component.as_ref(), "a");
    coordinator.stop_monitor();
    assert_eq!(coordinator.failures().len(), 1);
}

#[test]
fn an_orderly_stop_joins_workers_closes_channels_and_stops_components() {
    let (coordinator, _, pool) = setup();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    let b = coordinator
        .register("b", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    for component in [&a, &b] {
        coordinator
            .spawn_worker(component.id(), "loop", WorkerSpec::every(INTERVAL), |hb| {
                while hb.sleep(Duration::from_millis(5)) {
                    hb.beat();
                }
                Ok(())
            })
            .unwrap();
    }
    b.fire(sensor::Fail).unwrap(); // a failed component is abandoned at stop
    let steps = coordinator.register_stop(&[]).unwrap();
    assert_eq!(steps, ["workers", "component:a", "component:b"]);
    let report = coordinator.cleanup().cleanup();
    assert!(report.is_clean(), "{report}");
    assert_eq!(a.state(), sensor::State::Stopped);
    assert_eq!(b.state(), sensor::State::Stopped);
    assert_eq!(pool.in_use(ResourceKind::WORKER_THREADS).unwrap(), 0);
    assert!(pool.leak_report().is_empty());
    assert!(coordinator
        .spawn_worker(a.id(), "late", WorkerSpec::every(INTERVAL), |_| Ok(()))
        .is_err());
}
