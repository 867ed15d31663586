//! Cleanup states linked to state machines, and cleanup built from a System.

use std::sync::Arc;

use typestep::prelude::*;
use typestep::{
    cleanup::{CleanupCoordinator, CleanupLink, CleanupStep, LinkHandle, StepOutcome},
    machine::NoObserver,
    recovery::{EventKind, RecoveryLogger},
};

#[derive(Component, Clone)]
#[component(states(Running, Stopping, Stopped, Failed), initial = Running, terminal(Stopped, Failed))]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Running | Stopping -> Failed on Fail)]
struct Worker;

type Linked = SharedMachine<Worker, (NoObserver, CleanupLink<Worker>)>;

/// A shared worker machine whose `Stopping` state schedules `steps()`.
fn linked_worker<F>(
    coordinator: &Arc<CleanupCoordinator>,
    steps: F,
) -> (Arc<Linked>, LinkHandle<Worker>)
where
    F: FnMut() -> Vec<CleanupStep> + Send + 'static,
{
    let link = CleanupLink::<Worker>::new(
        coordinator.clone(),
        worker::State::Stopping,
        worker::Done,
        worker::Fail,
        steps,
    );
    let handle = link.handle();
    let machine = Arc::new(SharedMachine::new(
        StateMachine::new(Worker).with_observer(link),
    ));
    handle.bind(&machine);
    (machine, handle)
}

fn ok(name: &'static str) -> CleanupStep {
    CleanupStep::new(name, || Ok::<(), std::io::Error>(()))
}

#[test]
fn entering_the_cleanup_state_schedules_the_steps_and_success_moves_on() {
    let coordinator = Arc::new(CleanupCoordinator::new());
    let (machine, handle) = linked_worker(&coordinator, || {
        vec![ok("threads"), ok("queues").depends_on("threads")]
    });
    assert!(coordinator.is_empty());
    machine.fire(worker::Stop).unwrap();
    assert_eq!(
        coordinator.len(),
        2,
        "entering Stopping registered the steps"
    );
    assert_eq!(machine.state(), worker::State::Stopping);
    let report = coordinator.cleanup();
    assert!(report.is_clean());
    assert_eq!(machine.state(), worker::State::Stopped);
    assert!(handle.errors().is_empty());
}

#[test]
fn a_failed_step_moves_the_machine_to_its_failure_state() {
    let coordinator = Arc::new(CleanupCoordinator::new());
    let (machine, _handle) = linked_worker(&coordinator, || {
        vec![
            ok("threads"),
            CleanupStep::new("queues", || Err::<(), _>("queue not drained")),
        ]
    });
    machine.fire(worker::Stop).unwrap();
    let report = coordinator.cleanup();
    assert_eq!(report.outcome("queues"), Some(StepOutcome::Failed));
    assert_eq!(machine.state(), worker::State::Failed);
}

#[test]
fn a_machine_entering_cleanup_during_a_running_cleanup_joins_it() {
    let coordinator = Arc::new(CleanupCoordinator::new().sequential());
    let (machine, _handle) = linked_worker(&coordinator, || vec![ok("worker-threads")]);
    let trigger = machine.clone();
    // Another part's cleanup stops the worker: its steps join this cleanup.
    coordinator
        .register(CleanupStep::new("supervisor", move || {
            trigger
                .fire(worker::Stop)
                .map(drop)
                .map_err(|e| e.to_string())
        }))
        .unwrap();
    let report = coordinator.cleanup();
    assert_eq!(report.outcome("worker-threads"), Some(StepOutcome::Ok));
    assert_eq!(machine.state(), worker::State::Stopped);
}

#[test]
fn a_registration_error_is_reported_and_moves_the_machine_to_its_failure_state() {
    let logger = Arc::new(RecoveryLogger::new(64));
    let coordinator = Arc::new(CleanupCoordinator::new().logger(logger.clone()));
    coordinator.register(ok("pool")).unwrap();
    assert!(coordinator.cleanup().is_clean());
    // The worker's step depends on the pool, which is already cleaned up.
    let (machine, handle) = linked_worker(&coordinator, || vec![ok("worker").depends_on("pool")]);
    machine.fire(worker::Stop).unwrap();
    assert_eq!(handle.errors().len(), 1);
    assert!(
        handle.errors()[0].contains("whose cleanup has already started"),
        "{:?}",
        handle.errors()
    );
    coordinator.cleanup();
    assert_eq!(machine.state(), worker::State::Failed);
    let failures: Vec<_> = logger
        .collect()
        .into_iter()
        .filter(|e| e.kind == EventKind::Failure)
        .collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(&*failures[0].component, "Worker");
}

#[test]
fn an_outcome_that_cannot_be_fired_is_reported() {
    let coordinator = Arc::new(CleanupCoordinator::new());
    let (machine, handle) = linked_worker(&coordinator, || vec![ok("threads")]);
    machine.fire(worker::Stop).unwrap();
    // Something else moves the worker on before its cleanup finishes.
    machine.fire(worker::Fail).unwrap();
    coordinator.cleanup();
    assert_eq!(machine.state(), worker::State::Failed);
    let errors = handle.errors();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("could not fire `Done`"), "{errors:?}");
}

mod system {
    use super::*;

    struct ResourcePool;
    struct ComponentCoordinator;
    struct BufferManager;
    struct Stats;

    #[derive(System)]
    #[allow(dead_code)]
    struct Monitoring {
        pool: ResourcePool,
        #[depends_on(pool)]
        coordinator: ComponentCoordinator,
        #[depends_on(pool, coordinator)]
        buffers: BufferManager,
        #[depends_on(pool)]
        stats: Stats,
    }

    #[test]
    fn a_coordinator_built_from_a_system_follows_its_dependencies() {
        let cleanup = CleanupCoordinator::new();
        cleanup
            .register_system::<Monitoring>(|part| {
                CleanupStep::new(part, || Ok::<(), std::io::Error>(()))
            })
            .unwrap();
        let levels = cleanup.levels();
        assert_eq!(
            levels,
            [vec!["buffers", "stats"], vec!["coordinator"], vec!["pool"]]
        );
        // The generated plan and the coordinator agree on every dependency.
        assert!(Monitoring::CLEANUP_PLAN.respects(Monitoring::DEPENDENCIES));
        let report = cleanup.cleanup();
        let order: Vec<&str> = report.steps.iter().map(|r| r.name.as_str()).collect();
        let position = |name: &str| order.iter().position(|n| *n == name).unwrap();
        for (part, dependency) in Monitoring::DEPENDENCIES {
            assert!(
                position(part) < position(dependency),
                "{part} before {dependency}"
            );
        }
        assert_eq!(
            report.get("pool").unwrap().component.as_deref(),
            Some("Monitoring")
        );
    }

    #[test]
    fn a_coordinator_built_from_a_plan_runs_level_by_level() {
        let cleanup = CleanupCoordinator::new();
        cleanup
            .register_plan(Monitoring::CLEANUP_PLAN, |part| {
                CleanupStep::new(part, || Ok::<(), std::io::Error>(()))
            })
            .unwrap();
        let levels: Vec<Vec<String>> = Monitoring::CLEANUP_PLAN
            .levels()
            .iter()
            .map(|level| level.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(cleanup.levels(), levels);
    }
}
