//! The ring never loses an event silently: with concurrent writers and a
//! reader, every event is either collected exactly once or counted as
//! overwritten (and with room enough, none is overwritten).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use typestep::recovery::{RecoveryEvent, RecoveryLogger};

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
    for i in 0..20 {
        let mut event = event();
        event.duration = Duration::from_nanos(i);
        logger.record(event);
    }
    assert_eq!(logger.overwritten(), 12);
    // The newest eight, in order, numbered from 0 when collected.
    let events = logger.collect();
    let kept: Vec<u64> = events
        .iter()
        .map(|e| e.duration.as_nanos() as u64)
        .collect();
    assert_eq!(kept, (12..20).collect::<Vec<_>>());
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..8).collect::<Vec<_>>());
    assert!(logger.collect().is_empty());
}

#[test]
fn one_writer_read_concurrently_sees_its_events_in_order_and_dense() {
    const EVENTS: u64 = 20_000;
    let logger = RecoveryLogger::new(EVENTS as usize);
    let done = AtomicUsize::new(0);
    let mut seen = Vec::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..EVENTS {
                logger.record(event());
            }
            done.store(1, Ordering::Release);
        });
        loop {
            let finished = done.load(Ordering::Acquire) == 1;
            seen.extend(logger.collect().into_iter().map(|e| e.seq));
            if finished {
                break;
            }
            std::thread::yield_now();
        }
    });
    // Batches come in order: no event of a later record overtakes an earlier one.
    assert_eq!(seen, (0..EVENTS).collect::<Vec<_>>());
    assert_eq!(logger.overwritten(), 0);
}

#[test]
fn capacity_rounds_up_to_a_power_of_two() {
    let logger = RecoveryLogger::new(5);
    for _ in 0..20 {
        logger.record(event());
    }
    assert_eq!(logger.overwritten(), 12);
    assert_eq!(logger.collect().len(), 8);
    assert_eq!(logger.recorded(), 20);
}

#[test]
fn events_are_stamped_with_time_since_the_logger_was_created() {
    let logger = RecoveryLogger::new(8);
    logger.record(event());
    std::thread::sleep(Duration::from_millis(50));
    logger.record(event());
    let events = logger.collect();
    // The default clock is coarse (a kernel tick, at most 10 ms).
    assert!(
        events[0].at < Duration::from_millis(20),
        "{:?}",
        events[0].at
    );
    assert!(
        events[1].at >= Duration::from_millis(30),
        "{:?}",
        events[1].at
    );
    assert!(logger.uptime() >= events[1].at);

    let precise = RecoveryLogger::new(8).precise_time();
    precise.record(event());
    std::thread::sleep(Duration::from_millis(5));
    precise.record(event());
    let events = precise.collect();
    assert!(events[1].at - events[0].at >= Duration::from_millis(5));
}
