//! Hostile run-time input: huge durations, stalled workers, a panicking
//! clock, another instance's ids, dropped coordinators, absurd sizes. Each
//! is an error or handled, never a panic, a blind monitor or a leak.
//! Deadlines run on a `ManualClock`; real-time waits are bounded liveness
//! limits (a missing event fails the test), never speed claims.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use typestep::prelude::*;
use typestep::{
    buffer::{BufferError, BufferManager},
    cleanup::{CleanupCoordinator, CleanupStep, StepOutcome},
    coordinator::{
        Clock, ComponentCoordinator, CoordinatorConfig, CoordinatorError, FailureAction,
        FailureCause, Lifecycle, ManualClock, RestartPolicy, WorkerSpec,
    },
    pool::{PoolError, Quotas, ResourceKind, ResourcePool},
    recovery::{EventKind, RecoveryLogger},
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
/// How long a test waits for something that must happen (liveness only).
const PATIENCE: Duration = Duration::from_secs(20);

fn lifecycle() -> Lifecycle<Sensor> {
    Lifecycle::new(sensor::Fail)
        .start(sensor::Start)
        .stop(sensor::Stop, Some(sensor::Done.into()))
        .abandon(sensor::Abandon)
}

fn pool() -> ResourcePool {
    ResourcePool::builder()
        .capacity(ResourceKind::WORKER_THREADS, 64)
        .capacity(ResourceKind::HANDLES, 10)
        .capacity(ResourceKind::BUFFER_BYTES, u64::MAX)
        .build()
        .unwrap()
}

fn manual() -> (ComponentCoordinator, ManualClock) {
    let clock = ManualClock::new();
    let config = CoordinatorConfig {
        clock: Arc::new(clock.clone()),
        ..CoordinatorConfig::default()
    };
    (ComponentCoordinator::new(pool(), config), clock)
}

/// Polls `found` until it holds, for at most [`PATIENCE`].
fn eventually(what: &str, mut found: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while start.elapsed() < PATIENCE {
        if found() {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("never happened: {what}");
}

/// A worker body that panics once `go` receives.
fn panics_on(go: Receiver<()>) -> impl Fn(&Heartbeat) -> Result<(), BoxError> + Send + Sync {
    let go = Mutex::new(go);
    move |hb| {
        while go.lock().unwrap().recv_timeout(Duration::from_millis(5))
            == Err(RecvTimeoutError::Timeout)
        {
            hb.beat();
        }
        panic!("sensor unplugged")
    }
}

use typestep::component::BoxError;
use typestep::coordinator::Heartbeat;

// ---- Durations -----------------------------------------------------------

#[test]
fn a_maximal_interval_saturates_instead_of_panicking() {
    let spec = WorkerSpec::every(Duration::MAX);
    assert_eq!(spec.deadline(), Duration::MAX);
    assert_eq!(spec.cleanup_timeout, Duration::MAX);
    let spec = WorkerSpec {
        interval: Duration::MAX,
        cleanup_timeout: Duration::from_millis(50),
    };
    assert_eq!(spec.deadline(), Duration::MAX);
}

#[test]
fn one_huge_interval_does_not_stop_detection_for_the_others() {
    let (coordinator, clock) = manual();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    let lazy = WorkerSpec {
        interval: Duration::MAX,
        cleanup_timeout: Duration::from_millis(50),
    };
    let (stop_tx, stop_rx) = channel::<()>();
    let stop_rx = Mutex::new(stop_rx);
    coordinator
        .spawn_worker(a.id(), "lazy", lazy, move |hb| {
            while !hb.should_stop() && stop_rx.lock().unwrap().try_recv().is_err() {
                std::thread::park_timeout(Duration::from_millis(5));
            }
            Ok(())
        })
        .unwrap();
    let (go, rx) = channel();
    coordinator
        .spawn_worker(a.id(), "reader", WorkerSpec::every(INTERVAL), panics_on(rx))
        .unwrap();
    // The lazy worker's deadline saturates: it is never late, and the pass
    // goes on to the others.
    clock.advance(INTERVAL);
    assert!(coordinator.check().iter().all(|f| f.worker != "lazy"));
    go.send(()).unwrap();
    let mut found = Vec::new();
    eventually("the panic is detected", || {
        found.extend(coordinator.check());
        !found.is_empty()
    });
    assert_eq!(found[0].worker, "reader");
    assert_eq!(
        found[0].cause,
        FailureCause::Panicked("sensor unplugged".into())
    );
    drop(stop_tx);
}

#[test]
fn a_maximal_cleanup_timeout_runs_and_is_reported() {
    let cleanup = CleanupCoordinator::new();
    cleanup
        .register(CleanupStep::new("forever", || Ok::<(), BoxError>(())).timeout(Duration::MAX))
        .unwrap();
    let report = cleanup.cleanup();
    assert_eq!(report.outcome("forever"), Some(StepOutcome::Ok));
    // And a later report still has it.
    assert_eq!(cleanup.report().outcome("forever"), Some(StepOutcome::Ok));
}

#[test]
fn a_heartbeat_sleep_of_any_length_ends_when_asked_to_stop() {
    let (coordinator, _clock) = manual();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    let (done_tx, done_rx) = channel();
    let done_tx = Mutex::new(done_tx);
    coordinator
        .spawn_worker(a.id(), "sleeper", WorkerSpec::every(INTERVAL), move |hb| {
            let going_on = hb.sleep(Duration::MAX);
            let _ = done_tx.lock().unwrap().send(going_on);
            Ok(())
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(20));
    coordinator.register_stop(&[]).unwrap();
    assert_eq!(done_rx.recv_timeout(PATIENCE), Ok(false));
    let report = coordinator.cleanup().cleanup();
    assert_eq!(report.outcome("workers"), Some(StepOutcome::Ok), "{report}");
}

/// A clock that panics once told to: a fault inside the monitor's check.
#[derive(Debug, Default)]
struct BrokenClock {
    broken: AtomicBool,
}

impl Clock for BrokenClock {
    fn now(&self) -> Duration {
        if self.broken.load(Ordering::Acquire) {
            panic!("clock hardware gone");
        }
        Duration::ZERO
    }
}

#[test]
fn a_monitor_that_dies_is_reported_and_can_be_restarted() {
    let clock = Arc::new(BrokenClock::default());
    let config = CoordinatorConfig {
        clock: clock.clone(),
        ..CoordinatorConfig::default()
    };
    let coordinator = ComponentCoordinator::new(pool(), config);
    coordinator.start_monitor().unwrap();
    assert!(coordinator.is_monitoring());
    assert_eq!(coordinator.monitor_fault(), None);
    clock.broken.store(true, Ordering::Release);
    eventually("the monitor's death is reported", || {
        coordinator.monitor_fault().is_some()
    });
    assert!(!coordinator.is_monitoring());
    let fault = coordinator.monitor_fault().unwrap();
    assert!(fault.contains("clock hardware gone"), "{fault}");
    let logged = coordinator.logger().history("ComponentCoordinator", 10);
    assert!(
        logged.iter().any(|e| e.kind == EventKind::Failure
            && e.context.as_deref().is_some_and(|c| c.contains("monitor"))),
        "{logged:?}"
    );
    clock.broken.store(false, Ordering::Release);
    coordinator.start_monitor().unwrap();
    assert!(coordinator.is_monitoring());
    assert_eq!(coordinator.monitor_fault(), None);
    coordinator.stop_monitor();
}

// ---- Stalled workers do not blind the monitor -----------------------------

#[test]
fn stalled_workers_do_not_delay_detecting_a_panic() {
    let (coordinator, clock) = manual();
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    let b = coordinator
        .register("b", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    // Five workers that stall for good: they ignore the stop request, so
    // their cleanup (a join) could only end at its timeout, an hour away.
    let release = Arc::new(AtomicBool::new(false));
    let stalled = WorkerSpec::every(INTERVAL).cleanup_timeout(Duration::from_secs(3600));
    for n in 0..5 {
        let release = release.clone();
        coordinator
            .spawn_worker(a.id(), &format!("stuck{n}"), stalled, move |hb| {
                hb.beat();
                while !release.load(Ordering::Acquire) {
                    std::thread::park_timeout(Duration::from_millis(5));
                }
                Ok(())
            })
            .unwrap();
    }
    let (go, rx) = channel();
    coordinator
        // A long interval: its beats race the clock moves below, and only
        // its panic matters here (an exit is detected at once, not by deadline).
        .spawn_worker(
            b.id(),
            "reader",
            WorkerSpec::every(Duration::from_secs(3600)),
            panics_on(rx),
        )
        .unwrap();
    // Every stalled thread has run and beaten (at clock time 0) before the
    // clock moves.
    eventually("the stalled workers beat once", || {
        coordinator
            .metrics()
            .workers
            .iter()
            .filter(|w| w.name.starts_with("stuck"))
            .all(|w| w.beats >= 2)
    });
    coordinator.start_monitor().unwrap();
    // Two silent intervals: the monitor finds the five stalled workers.
    clock.advance(2 * INTERVAL);
    eventually("the stalled workers are detected", || {
        coordinator.failures().len() == 5
    });
    // A panic now, at the same clock time, is recorded while the five
    // cleanups still wait: detection does not wait on them.
    let panicked_at = clock.now();
    go.send(()).unwrap();
    eventually("the panic is detected", || {
        coordinator.failures().iter().any(|f| f.worker == "reader")
    });
    let failure = coordinator
        .failures()
        .into_iter()
        .find(|f| f.worker == "reader")
        .unwrap();
    assert_eq!(
        failure.cause,
        FailureCause::Panicked("sensor unplugged".into())
    );
    assert!(failure.detected_at <= panicked_at + 2 * INTERVAL);
    assert!(
        coordinator
            .failures()
            .iter()
            .filter(|f| f.worker.starts_with("stuck"))
            .all(|f| f.cleanup.is_none()),
        "the stalled cleanups are still running"
    );
    // Once the stalled threads return, their cleanups finish and say so.
    release.store(true, Ordering::Release);
    eventually("the stalled cleanups finish", || {
        coordinator
            .failures()
            .iter()
            .all(|f| f.cleanup == Some(StepOutcome::Ok))
    });
    coordinator.stop_monitor();
}

// ---- A failure is recorded before its restart is announced ----------------

#[test]
fn a_restart_is_announced_only_after_its_failure_is_recorded() {
    for _ in 0..50 {
        let (coordinator, _clock) = manual();
        let policy = RestartPolicy::new(1, Duration::from_secs(10));
        let a = coordinator
            .register(
                "a",
                StateMachine::new(Sensor),
                lifecycle().restart(sensor::Restart, policy),
                Quotas::new(),
            )
            .unwrap();
        coordinator.start_all().unwrap();
        let changes = coordinator.subscribe();
        let watcher = {
            let coordinator = coordinator.clone();
            std::thread::spawn(move || {
                for change in changes.iter() {
                    if change.from == "Failed" && change.to == "Running" {
                        return coordinator.failures().len();
                    }
                }
                0
            })
        };
        let (go, rx) = channel();
        let rx = Mutex::new(Some(rx));
        coordinator
            .spawn_worker(a.id(), "flaky", WorkerSpec::every(INTERVAL), move |hb| {
                // Taken first: the panic below must not poison the lock.
                let first = rx.lock().unwrap().take();
                match first {
                    Some(rx) => panics_on(rx)(hb),
                    None => {
                        while !hb.should_stop() {
                            std::thread::park_timeout(Duration::from_millis(5));
                        }
                        Ok(())
                    }
                }
            })
            .unwrap();
        go.send(()).unwrap();
        let mut found = Vec::new();
        eventually("the panic is detected", || {
            found.extend(coordinator.check());
            !found.is_empty()
        });
        assert!(matches!(found[0].action, FailureAction::Restarted(_)));
        assert_eq!(
            watcher.join().unwrap(),
            1,
            "the restart came before its record"
        );
        coordinator.register_stop(&[]).unwrap();
        coordinator.cleanup().cleanup();
    }
}

// ---- Ids belong to their instance -----------------------------------------

#[test]
fn a_pool_refuses_another_pools_channel() {
    let (a, b) = (pool(), pool());
    let mine = b.open_channel("mine", Quotas::new()).unwrap();
    let theirs = a.open_channel("theirs", Quotas::new()).unwrap();
    assert_ne!(mine, theirs);
    let foreign =
        |result: Result<_, PoolError>| matches!(result, Err(PoolError::ForeignChannel { .. }));
    assert!(foreign(
        b.acquire(theirs, ResourceKind::HANDLES, 1, "x").map(drop)
    ));
    assert!(foreign(b.channel(theirs).map(drop)));
    assert!(foreign(b.close_channel(theirs).map(drop)));
    assert!(foreign(
        b.channel_in_use(theirs, ResourceKind::HANDLES).map(drop)
    ));
    assert_eq!(b.channel_in_use(mine, ResourceKind::HANDLES).unwrap(), 0);
    let lease = b.acquire(mine, ResourceKind::HANDLES, 1, "x").unwrap();
    assert_eq!(b.channel_in_use(mine, ResourceKind::HANDLES).unwrap(), 1);
    drop(lease);
}

#[test]
fn a_buffer_manager_refuses_another_pools_channel() {
    let (a, b) = (pool(), pool());
    let theirs = a.open_channel("theirs", Quotas::new()).unwrap();
    let _mine = b.open_channel("mine", Quotas::new()).unwrap();
    let buffers = BufferManager::new(&b, 64).unwrap();
    assert!(matches!(
        buffers.acquire(theirs).map(drop),
        Err(BufferError::Pool(PoolError::ForeignChannel { .. }))
    ));
    assert_eq!(b.in_use(ResourceKind::BUFFER_BYTES).unwrap(), 0);
}

#[test]
fn a_coordinator_refuses_another_coordinators_component() {
    let (a, _) = manual();
    let (b, _) = manual();
    let theirs = a
        .register(
            "theirs",
            StateMachine::new(Sensor),
            lifecycle(),
            Quotas::new(),
        )
        .unwrap();
    let mine = b
        .register(
            "mine",
            StateMachine::new(Sensor),
            lifecycle(),
            Quotas::new(),
        )
        .unwrap();
    assert_ne!(theirs.id(), mine.id());
    assert!(matches!(
        b.acquire(theirs.id(), ResourceKind::HANDLES, 1, "x")
            .map(drop),
        Err(CoordinatorError::ForeignComponent(_))
    ));
    assert!(matches!(
        b.spawn_worker(theirs.id(), "w", WorkerSpec::every(INTERVAL), |_| Ok(())),
        Err(CoordinatorError::ForeignComponent(_))
    ));
    assert!(matches!(
        b.resources(theirs.id()),
        Err(CoordinatorError::ForeignComponent(_))
    ));
    assert!(!b.is_escalated(theirs.id()));
    assert_eq!(b.channel_of(mine.id()).unwrap(), mine.channel());
}

// ---- Dropped coordinators, monitors, absurd sizes --------------------------

#[test]
fn dropping_the_last_coordinator_handle_stops_its_workers() {
    let coordinator = ComponentCoordinator::new(pool(), CoordinatorConfig::default());
    let a = coordinator
        .register("a", StateMachine::new(Sensor), lifecycle(), Quotas::new())
        .unwrap();
    coordinator.start_all().unwrap();
    let (done_tx, done_rx) = channel();
    let done_tx = Mutex::new(done_tx);
    coordinator
        .spawn_worker(a.id(), "beater", WorkerSpec::every(INTERVAL), move |hb| {
            while hb.sleep(Duration::from_millis(10)) {
                hb.beat();
            }
            let _ = done_tx.lock().unwrap().send(());
            Ok(())
        })
        .unwrap();
    coordinator.start_monitor().unwrap();
    let second = coordinator.clone();
    drop(coordinator);
    assert_eq!(
        done_rx.recv_timeout(Duration::from_millis(200)),
        Err(RecvTimeoutError::Timeout),
        "a live handle keeps the workers running"
    );
    drop(second);
    drop(a);
    assert_eq!(
        done_rx.recv_timeout(PATIENCE),
        Ok(()),
        "the worker was never told to stop"
    );
}

#[test]
fn the_monitor_restarts_after_it_was_stopped() {
    let (coordinator, _) = manual();
    coordinator.start_monitor().unwrap();
    coordinator.stop_monitor();
    assert!(!coordinator.is_monitoring());
    coordinator.start_monitor().unwrap();
    assert!(coordinator.is_monitoring());
    coordinator.stop_monitor();
}

#[test]
fn an_impossible_buffer_size_is_an_error_and_reserves_nothing() {
    let pool = pool();
    let channel = pool.open_channel("audio", Quotas::new()).unwrap();
    match BufferManager::new(&pool, usize::MAX) {
        Err(error) => assert!(matches!(error, BufferError::TooLarge { .. }), "{error}"),
        Ok(buffers) => assert!(buffers.acquire(channel).is_err()),
    }
    assert_eq!(pool.in_use(ResourceKind::BUFFER_BYTES).unwrap(), 0);
    let small = ResourcePool::builder()
        .capacity(ResourceKind::BUFFER_BYTES, 1024)
        .build()
        .unwrap();
    assert!(matches!(
        BufferManager::new(&small, 4096),
        Err(BufferError::TooLarge { .. })
    ));
}

#[test]
fn a_recovery_logger_capacity_is_capped() {
    let logger = RecoveryLogger::new(usize::MAX);
    assert_eq!(logger.capacity(), RecoveryLogger::MAX_CAPACITY);
}
