//! Loom model of the recovery ring: every interleaving of two writers and a
//! reader is explored, and every event must be collected exactly once or
//! counted as overwritten, with unique sequence numbers.
//!
//! `RUSTFLAGS="--cfg loom" cargo test -p typestep-core --test loom_recovery --release`
#![cfg(loom)]

use std::collections::HashSet;
use std::time::Duration;

use loom::sync::Arc;
use loom::thread;
use typestep::recovery::{RecoveryEvent, RecoveryLogger};

fn event() -> RecoveryEvent {
    RecoveryEvent::moved("W", "A", "Go", "B", Duration::from_nanos(1))
}

/// Two writers record `each` events while the main thread collects once;
/// after they finish a last collection runs. Returns the collected seqs.
fn run(capacity: usize, each: usize) -> (Arc<RecoveryLogger>, Vec<u64>) {
    let logger = Arc::new(RecoveryLogger::new(capacity));
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let logger = logger.clone();
            thread::spawn(move || {
                for _ in 0..each {
                    logger.record(event());
                }
            })
        })
        .collect();
    let mut seen: Vec<u64> = logger.collect().into_iter().map(|e| e.seq).collect();
    for writer in writers {
        writer.join().unwrap();
    }
    seen.extend(logger.collect().into_iter().map(|e| e.seq));
    (logger, seen)
}

#[test]
fn with_room_enough_every_event_is_collected_once() {
    loom::model(|| {
        let (logger, seen) = run(4, 1);
        let unique: HashSet<u64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "collected twice: {seen:?}");
        assert_eq!(logger.overwritten(), 0);
        assert_eq!(logger.recorded(), 2);
        assert_eq!(unique, (0..2).collect());
    });
}

#[test]
fn a_full_ring_collects_or_counts_every_event() {
    loom::model(|| {
        let (logger, seen) = run(1, 2);
        let unique: HashSet<u64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "collected twice: {seen:?}");
        assert_eq!(logger.recorded(), 4);
        assert_eq!(seen.len() as u64 + logger.overwritten(), 4);
        // The last collection after the writers finished left nothing behind.
        assert!(logger.collect().is_empty());
    });
}

/// Two states in a cycle, for machines whose moves a `MoveLogger` records.
#[derive(typestep::prelude::Component, Clone)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

/// Two threads each move their own machine `each` times, each machine with
/// its own `MoveLogger` (its own ring of `capacity`), while the main thread
/// collects once; a last collection runs after they finish. Returns the
/// logger and what was collected, per thread label, in collection order.
fn run_loggers(
    capacity: usize,
    each: usize,
) -> (std::sync::Arc<RecoveryLogger>, [Vec<&'static str>; 2]) {
    use typestep::prelude::*;
    use typestep::recovery::MoveLogger;
    let log = std::sync::Arc::new(RecoveryLogger::new(capacity));
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|label| {
            let logger = MoveLogger::new(log.clone()).labelled(label);
            thread::spawn(move || {
                let mut lamp = StateMachine::new(Lamp).with_observer(logger);
                for _ in 0..each {
                    lamp.fire(lamp::Press).unwrap();
                }
            })
        })
        .collect();
    let mut seen = log.collect();
    for writer in writers {
        writer.join().unwrap();
    }
    seen.extend(log.collect());
    let mut per = [Vec::new(), Vec::new()];
    for event in &seen {
        let thread = usize::from(&*event.component == "b");
        per[thread].push(event.to.unwrap());
    }
    (log, per)
}

#[test]
fn logger_rings_with_room_enough_keep_every_event_in_order() {
    loom::model(|| {
        // Room enough for both rings' events to move to the shared ring
        // when the loggers are dropped.
        let (log, per) = run_loggers(4, 2);
        assert_eq!(log.recorded(), 4);
        assert_eq!(log.overwritten(), 0);
        for moves in per {
            assert_eq!(moves, ["On", "Off"], "lost, repeated or out of order");
        }
    });
}

#[test]
fn full_logger_rings_drop_the_oldest_and_count_it() {
    loom::model(|| {
        let (log, per) = run_loggers(1, 2);
        assert_eq!(log.recorded(), 4);
        let collected: usize = per.iter().map(Vec::len).sum();
        assert_eq!(collected as u64 + log.overwritten(), 4);
        for moves in per {
            // Whatever is kept comes in order, none twice (a dropped
            // logger's last events may be replaced in the shared ring).
            assert!(
                matches!(moves.as_slice(), [] | ["On"] | ["Off"] | ["On", "Off"]),
                "{moves:?}"
            );
        }
        assert!(log.collect().is_empty());
    });
}
