//! The `MonitoringCoordinator`: its part graph agrees with the one
//! `#[derive(System)]` validates, it routes resources, refuses out-of-state
//! requests, reports a leak at stop, and stops only once.

use std::time::Duration;

use typestep::prelude::*;
use typestep::{
    buffer::BufferManager,
    cleanup::StepOutcome,
    coordinator::{ComponentCoordinator, CoordinatorConfig, Lifecycle, WorkerSpec},
    monitoring::{MonitoringCoordinator, MonitoringError, SystemState},
    pool::{Quotas, ResourceKind, ResourcePool},
};

/// The same parts and dependencies, declared with the derive: the macro
/// checks the graph at build time and computes the orders.
#[allow(dead_code)]
#[derive(System)]
struct Monitoring {
    pool: ResourcePool,
    #[depends_on(pool)]
    components: ComponentCoordinator,
    #[depends_on(pool, components)]
    buffers: BufferManager,
}

#[derive(Component, Clone)]
#[component(states(Created, Running, Stopping, Stopped, Failed), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Running | Stopping -> Failed on Fail)]
#[transition(Failed -> Stopped on Abandon)]
struct Unit;

fn lifecycle() -> Lifecycle<Unit> {
    Lifecycle::new(unit::Fail)
        .start(unit::Start)
        .stop(unit::Stop, Some(unit::Done.into()))
        .abandon(unit::Abandon)
}

fn system() -> MonitoringCoordinator {
    MonitoringCoordinator::builder()
        .pool(
            ResourcePool::builder()
                .capacity(ResourceKind::BUFFER_BYTES, 4096)
                .capacity(ResourceKind::WORKER_THREADS, 4)
                .capacity(ResourceKind::HANDLES, 4),
        )
        .unwrap()
        .components(CoordinatorConfig::default())
        .buffers(1024)
        .unwrap()
}

#[test]
fn the_part_graph_is_the_one_the_derive_validates() {
    assert_eq!(MonitoringCoordinator::PARTS, Monitoring::PARTS);
    assert_eq!(
        MonitoringCoordinator::DEPENDENCIES,
        Monitoring::DEPENDENCIES
    );
    assert_eq!(MonitoringCoordinator::INIT_ORDER, Monitoring::INIT_ORDER);
    assert_eq!(
        MonitoringCoordinator::CLEANUP_PLAN,
        Monitoring::CLEANUP_PLAN
    );
    // The derive's builder accepts the parts in that order too.
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::BUFFER_BYTES, 1024)
        .build()
        .unwrap();
    let parts = Monitoring::builder()
        .pool(|| pool)
        .components(|pool| ComponentCoordinator::new(pool.clone(), CoordinatorConfig::default()))
        .try_buffers(|pool, _| BufferManager::new(pool, 256))
        .unwrap()
        .build();
    assert_eq!(parts.buffers.buffer_size(), 256);
}

#[test]
fn resources_flow_through_the_system_and_stop_cleans_in_reverse_init_order() {
    let system = system();
    let a = system
        .register("a", StateMachine::new(Unit), lifecycle(), Quotas::new())
        .unwrap();
    let frames = system.open_channel("frames", Quotas::new()).unwrap();
    let lease = system
        .acquire(a.id(), ResourceKind::HANDLES, 2, "files")
        .unwrap();
    let buffer = system.buffer(frames).unwrap();
    assert_eq!(
        system.pool().in_use(ResourceKind::BUFFER_BYTES).unwrap(),
        1024
    );
    system.start().unwrap();
    assert_eq!(system.state(), SystemState::Running);
    system
        .spawn_worker(
            a.id(),
            "loop",
            WorkerSpec::every(Duration::from_secs(1)),
            |hb| {
                while hb.sleep(Duration::from_millis(2)) {
                    hb.beat();
                }
                Ok(())
            },
        )
        .unwrap();
    let metrics = system.metrics();
    assert_eq!(metrics.components.components[0].state, "Running");
    assert_eq!(metrics.buffers.channels[0].stats.in_use, 1);
    assert_eq!(
        metrics
            .pool
            .kinds
            .iter()
            .find(|k| k.kind == ResourceKind::WORKER_THREADS)
            .unwrap()
            .in_use,
        1
    );
    assert!(matches!(
        system.start(),
        Err(MonitoringError::WrongState { .. })
    ));

    drop((lease, buffer));
    let report = system.stop();
    assert!(report.is_clean(), "{report}");
    let order: Vec<&str> = report
        .cleanup
        .steps
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        order,
        ["workers", "component:a", "buffers", "components", "pool"]
    );
    assert_eq!(a.state(), unit::State::Stopped);
    assert_eq!(system.state(), SystemState::Stopped);
    assert_eq!(system.stop(), report, "stop is idempotent");
    assert!(system
        .register("b", StateMachine::new(Unit), lifecycle(), Quotas::new())
        .is_err());
}

#[test]
fn a_resource_still_held_at_stop_is_reported_and_fails_verification() {
    let system = system();
    let a = system
        .register("a", StateMachine::new(Unit), lifecycle(), Quotas::new())
        .unwrap();
    system.start().unwrap();
    let forgotten = system
        .acquire(a.id(), ResourceKind::HANDLES, 1, "forgotten socket")
        .unwrap();
    let report = system.stop();
    assert!(!report.is_clean());
    assert_eq!(
        report.cleanup.outcome("component:a"),
        Some(StepOutcome::Failed)
    );
    assert_eq!(report.leaks.leaks.len(), 1);
    assert_eq!(report.leaks.leaks[0].purpose, "forgotten socket");
    // Its cleanup failed, so the component moved to its failure state.
    assert_eq!(a.state(), unit::State::Failed);
    drop(forgotten);
    assert!(system.pool().leak_report().is_empty());
}

#[test]
fn parts_built_by_the_derived_builder_assemble_only_around_one_pool() {
    let pool = || {
        ResourcePool::builder()
            .capacity(ResourceKind::BUFFER_BYTES, 1024)
            .build()
    };
    let parts = Monitoring::builder()
        .try_pool(pool)
        .unwrap()
        .components(|pool| ComponentCoordinator::new(pool.clone(), CoordinatorConfig::default()))
        .try_buffers(|pool, _| BufferManager::new(pool, 256))
        .unwrap()
        .build();
    let system =
        MonitoringCoordinator::from_parts(parts.pool, parts.components, parts.buffers).unwrap();
    assert_eq!(system.buffers().buffer_size(), 256);

    // A buffer manager on another pool would spend outside the system's budget.
    let own = pool().unwrap();
    let stranger = pool().unwrap();
    let components = ComponentCoordinator::new(own.clone(), CoordinatorConfig::default());
    let buffers = BufferManager::new(&stranger, 256).unwrap();
    assert_eq!(
        MonitoringCoordinator::from_parts(own, components, buffers).unwrap_err(),
        MonitoringError::ForeignPool { part: "buffers" }
    );
}
