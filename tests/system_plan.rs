//! The constants `#[derive(System)]` generates for the origin's monitoring
//! system: init order, cleanup plan, dependencies and lock order.

use typestep::prelude::*;
use typestep::system::CleanupPlan;

// Placeholders for the runtime parts (the real ones live in `typestep`'s
// runtime; only the system's shape matters here).
struct ResourcePool;
struct ComponentCoordinator;
struct BufferManager;
struct RecoveryLogger;

// Only the generated constants are read here; `system_lock.rs` and the
// pass cases build systems and use their parts.
#[allow(dead_code)]
#[derive(System)]
struct Monitoring {
    pool: ResourcePool,
    #[depends_on(pool)]
    coordinator: ComponentCoordinator,
    #[depends_on(pool, coordinator)]
    buffers: BufferManager,
    logger: RecoveryLogger,
}

#[test]
fn init_order_follows_the_dependencies() {
    assert_eq!(Monitoring::NAME, "Monitoring");
    assert_eq!(
        Monitoring::PARTS,
        ["pool", "coordinator", "buffers", "logger"]
    );
    assert_eq!(
        Monitoring::DEPENDENCIES,
        [
            ("coordinator", "pool"),
            ("buffers", "pool"),
            ("buffers", "coordinator")
        ]
    );
    assert_eq!(
        Monitoring::INIT_ORDER,
        ["pool", "logger", "coordinator", "buffers"]
    );
}

#[test]
fn cleanup_plan_is_the_reverse_in_parallel_levels() {
    let plan: CleanupPlan = Monitoring::CLEANUP_PLAN;
    assert_eq!(
        plan.levels(),
        [&["buffers"][..], &["coordinator"], &["logger", "pool"]]
    );
    let reversed: Vec<&str> = Monitoring::INIT_ORDER.iter().rev().copied().collect();
    assert_eq!(plan.order().collect::<Vec<_>>(), reversed);
    assert!(plan.respects(Monitoring::DEPENDENCIES));
    assert_eq!(plan.len(), Monitoring::PARTS.len());
    assert_eq!(plan.level_of("logger"), Some(2));
    assert_eq!(plan.level_of("absent"), None);
}

#[test]
fn a_plan_that_breaks_an_edge_is_detected() {
    let wrong = CleanupPlan::new(&[&["pool"], &["coordinator", "buffers", "logger"]]);
    assert!(!wrong.respects(Monitoring::DEPENDENCIES));
    // Same level is not "before" either: the two would run in parallel.
    let flat = CleanupPlan::new(&[&["pool", "coordinator", "buffers", "logger"]]);
    assert!(!flat.respects(&[("coordinator", "pool")]));
    assert!(CleanupPlan::new(&[]).is_empty());
}

#[test]
fn lock_order_is_recorded_as_declared() {
    use typestep::lock::OrderedMutex;

    #[allow(dead_code)]
    #[derive(System)]
    #[system(lock_order(pool -> coordinator -> buffers, pool -> stats))]
    struct Locked4 {
        pool: OrderedMutex<u8, locked4::level::Pool>,
        coordinator: OrderedMutex<u8, locked4::level::Coordinator>,
        buffers: OrderedMutex<u8, locked4::level::Buffers>,
        stats: OrderedMutex<u8, locked4::level::Stats>,
    }

    assert_eq!(
        Locked4::LOCK_ORDER,
        [
            ("pool", "coordinator"),
            ("coordinator", "buffers"),
            ("pool", "stats")
        ]
    );
    assert!(Locked4::DEPENDENCIES.is_empty());
    assert_eq!(Locked4::CLEANUP_PLAN.levels().len(), 1);
}
