//! The ring never loses an event silently: with concurrent writers and a
//! reader, every event is either collected exactly once or counted as
//! overwritten (and with room enough, none is overwritten).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use typestep::{RecoveryEvent, RecoveryLogger};

const WRITERS: usize = 2;
const PER_WRITER: usize = 20_000;

fn event() -> RecoveryEvent {
    RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Start",
        "Running",
        Duration::from_nanos(100),
    )
}

/// Records from `WRITERS` threads while one reader collects; returns the
/// collected sequence numbers.
fn record_while_reading(logger: &RecoveryLogger) -> Vec<u64> {
    let done = AtomicUsize::new(0);
    let mut seen = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..WRITERS {
            scope.spawn(|| {
                for _ in 0..PER_WRITER {
                    logger.record(event());
                }
                done.fetch_add(1, Ordering::Release);
            });
        }
        // Bounded: each pass either collects something or the writers finish.
        loop {
            let finished = done.load(Ordering::Acquire) == WRITERS;
            seen.extend(logger.collect().into_iter().map(|e| e.seq));
            if finished {
                seen.extend(logger.collect().into_iter().map(|e| e.seq));
                break;
            }
            std::thread::yield_now();
        }
    });
    seen
}

#[test]
fn no_event_is_lost_when_the_ring_is_read_while_moves_are_recorded() {
    let logger = RecoveryLogger::new(WRITERS * PER_WRITER);
    let seen = record_while_reading(&logger);
    assert_eq!(logger.overwritten(), 0);
    assert_eq!(logger.recorded(), (WRITERS * PER_WRITER) as u64);
    let unique: HashSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an event was collected twice");
    assert_eq!(unique, (0..(WRITERS * PER_WRITER) as u64).collect());
    // The analytics saw every event too.
    assert_eq!(logger.analytics().moves, (WRITERS * PER_WRITER) as u64);
}

#[test]
fn a_small_ring_accounts_for_every_event_as_collected_or_overwritten() {
    let logger = RecoveryLogger::new(64);
    let seen = record_while_reading(&logger);
    let unique: HashSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an event was collected twice");
    assert_eq!(
        seen.len() as u64 + logger.overwritten(),
        (WRITERS * PER_WRITER) as u64
    );
}

#[test]
fn a_full_ring_keeps_the_newest_events_and_counts_the_rest() {
    let logger = RecoveryLogger::new(8);
    for _ in 0..20 {
        logger.record(event());
    }
    assert_eq!(logger.overwritten(), 12);
    let seqs: Vec<u64> = logger.collect().into_iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (12..20).collect::<Vec<_>>());
    assert!(logger.collect().is_empty());
}
