//! The coordinator's read-only readouts for dashboards: restarts left in the
//! window, and heartbeat ages, driven by a `ManualClock`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use typestep::coordinator::{
    ComponentCoordinator, CoordinatorConfig, FailureAction, Lifecycle, ManualClock, RestartPolicy,
    WorkerSpec,
};
use typestep::pool::{Quotas, ResourceKind, ResourcePool};
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Running, Failed), initial = Created)]
#[transition(Created -> Running on Start)]
#[transition(Running -> Failed on Fail)]
#[transition(Failed -> Running on Restart)]
struct Pump;

fn setup() -> (ComponentCoordinator, ManualClock) {
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::WORKER_THREADS, 4)
        .build()
        .expect("builds");
    let clock = ManualClock::new();
    let config = CoordinatorConfig {
        clock: Arc::new(clock.clone()),
        ..CoordinatorConfig::default()
    };
    (ComponentCoordinator::new(pool, config), clock)
}

fn check_until_found(coordinator: &ComponentCoordinator) -> FailureAction {
    for _ in 0..2000 {
        if let Some(failure) = coordinator.check().into_iter().next() {
            return failure.action;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("no failure detected");
}

#[test]
fn the_restart_budget_counts_down_within_the_window_and_refills_after_it() {
    let (coordinator, clock) = setup();
    let policy = RestartPolicy::new(2, Duration::from_secs(10));
    let pump = coordinator
        .register(
            "pump",
            StateMachine::new(Pump),
            Lifecycle::new(pump::Fail)
                .start(pump::Start)
                .restart(pump::Restart, policy),
            Quotas::new(),
        )
        .expect("registers");
    let plain = coordinator
        .register(
            "plain",
            StateMachine::new(Pump),
            Lifecycle::new(pump::Fail).start(pump::Start),
            Quotas::new(),
        )
        .expect("registers");
    coordinator.start_all().expect("starts");
    assert_eq!(coordinator.restart_budget(plain.id()), Ok(None));
    assert_eq!(coordinator.restart_budget(pump.id()), Ok(Some(2)));
    coordinator
        .spawn_worker(
            pump.id(),
            "flaky",
            WorkerSpec::every(Duration::from_millis(100)),
            |_| Err("bad frame".into()),
        )
        .expect("spawns");
    assert!(matches!(
        check_until_found(&coordinator),
        FailureAction::Restarted(_)
    ));
    assert_eq!(coordinator.restart_budget(pump.id()), Ok(Some(1)));
    clock.advance(Duration::from_secs(1));
    assert!(matches!(
        check_until_found(&coordinator),
        FailureAction::Restarted(_)
    ));
    assert_eq!(coordinator.restart_budget(pump.id()), Ok(Some(0)));
    // Both restarts leave the window: the budget is whole again.
    clock.advance(Duration::from_secs(10));
    assert_eq!(coordinator.restart_budget(pump.id()), Ok(Some(2)));
    coordinator.stop_monitor();
}

#[test]
fn heartbeat_ages_follow_the_clock_from_the_last_beat() {
    let (coordinator, clock) = setup();
    let pump = coordinator
        .register(
            "pump",
            StateMachine::new(Pump),
            Lifecycle::new(pump::Fail).start(pump::Start),
            Quotas::new(),
        )
        .expect("registers");
    coordinator.start_all().expect("starts");
    assert!(coordinator.heartbeat_ages().is_empty(), "no worker yet");
    let beat = Arc::new(AtomicBool::new(false));
    let beaten = Arc::new(AtomicBool::new(false));
    let (asked, done) = (beat.clone(), beaten.clone());
    let worker = coordinator
        .spawn_worker(
            pump.id(),
            "steady",
            WorkerSpec::every(Duration::from_secs(60)),
            move |hb| {
                while !hb.should_stop() {
                    if asked.swap(false, Ordering::SeqCst) {
                        hb.beat();
                        done.store(true, Ordering::SeqCst);
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(())
            },
        )
        .expect("spawns");
    clock.advance(Duration::from_millis(700));
    beat.store(true, Ordering::SeqCst);
    while !beaten.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(1));
    }
    clock.advance(Duration::from_millis(250));
    assert_eq!(
        coordinator.heartbeat_ages(),
        vec![(worker, Duration::from_millis(250))]
    );
    coordinator.register_stop(&[]).expect("stop steps");
    coordinator.cleanup().cleanup();
}
