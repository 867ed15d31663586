//! Recording a move, a rejection or a rollback allocates nothing: counted
//! with dhat's counting global allocator (this test binary only).

use std::sync::Arc;
use std::time::Duration;

use typestep::prelude::*;
use typestep::{MoveLogger, RecoveryEvent, RecoveryLogger};

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
    let before = blocks();
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
        lamp.fire(lamp::Press).unwrap();
    }
    assert_eq!(blocks(), before, "recording allocated");
    assert_eq!(logger.recorded(), 100 + 4_000);

    // The counter does see allocations: formatting the same event does allocate.
    let event = logger.collect().pop().unwrap();
    let before = blocks();
    let line = serde_json::to_string(&event).unwrap();
    assert!(blocks() > before);
    assert!(line.contains(r#""kind":"moved""#));
}
