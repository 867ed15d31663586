//! Recording a move, a rejection or a rollback allocates nothing: counted
//! with dhat's counting global allocator (this test binary only).

use std::sync::Arc;
use std::time::Duration;

use typestep::prelude::*;
use typestep::recovery::{MoveLogger, RecoveryEvent, RecoveryLogger};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[derive(Component, Clone)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Whether `work` allocated nothing in one of three tries. dhat counts every
/// thread, and the test harness's main thread allocates a few blocks once,
/// at a moment that depends on scheduling; work that allocates does so on
/// every try, so it still fails.
fn allocation_free(mut work: impl FnMut()) -> bool {
    (0..3).any(|_| {
        let before = blocks();
        work();
        blocks() == before
    })
}

// One test only: dhat allows one profiler per process at a time.
#[test]
fn recording_allocates_nothing_but_formatting_does() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let logger = Arc::new(RecoveryLogger::new(64));
    let mut lamp = StateMachine::new(Lamp).with_observer(MoveLogger::new(logger.clone()));

    // Warm up until the ring is full, so the overwrite path is measured too.
    for _ in 0..100 {
        logger.record(RecoveryEvent::moved(
            "Lamp",
            "Off",
            "Press",
            "On",
            Duration::from_nanos(40),
        ));
    }
    let recording = allocation_free(|| {
        for _ in 0..1_000 {
            logger.record(RecoveryEvent::moved(
                "Lamp",
                "Off",
                "Press",
                "On",
                Duration::from_nanos(40),
            ));
            logger.record(RecoveryEvent::rejected(
                "Lamp",
                "On",
                "Press",
                None,
                "not_allowed",
            ));
            logger.record(RecoveryEvent::rolled_back(
                "Lamp",
                "Off",
                "Press",
                "On",
                Duration::from_nanos(90),
                "action_failed",
            ));
        }
    });
    assert!(recording, "recording allocated");

    // A move observed by `MoveLogger` allocates nothing either. (With the
    // `metrics` feature, `StateMachine::fire` itself builds a labelled
    // `metrics` key per move, which allocates: that is the machine's own
    // emission, not the recovery log's, so it is left out of this check.)
    let moving = allocation_free(|| {
        for _ in 0..1_000 {
            lamp.fire(lamp::Press).unwrap();
        }
    });
    #[cfg(not(feature = "metrics"))]
    assert!(moving, "an observed move allocated");
    let _ = moving;
    // Each try that ran recorded its events.
    assert!(logger.recorded() >= 100 + 4_000);

    // The counter does see allocations: formatting the same event does allocate.
    let event = logger.collect().pop().unwrap();
    let before = blocks();
    let line = serde_json::to_string(&event).unwrap();
    assert!(blocks() > before);
    assert!(line.contains(r#""kind":"moved""#));
}
