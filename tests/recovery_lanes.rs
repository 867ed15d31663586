//! Each `MoveLogger` writes into a ring of its own: with several threads
//! each moving its own machine while a collector runs, nothing is lost or
//! collected twice, every logger's events keep their order, and a full
//! ring drops its oldest events and counts them (never silently).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use static_assertions::assert_impl_all;
use typestep::prelude::*;
use typestep::recovery::{EventKind, MoveLogger, RecoveryEvent, RecoveryLogger};

/// Eight states in a cycle: consecutive moves of one machine chain
/// (`to` of one is `from` of the next), so a lost, repeated or reordered
/// event breaks the chain.
#[derive(Component, Clone)]
#[component(states(S0, S1, S2, S3, S4, S5, S6, S7), initial = S0)]
#[transition(S0 -> S1 on Next)]
#[transition(S1 -> S2 on Next)]
#[transition(S2 -> S3 on Next)]
#[transition(S3 -> S4 on Next)]
#[transition(S4 -> S5 on Next)]
#[transition(S5 -> S6 on Next)]
#[transition(S6 -> S7 on Next)]
#[transition(S7 -> S0 on Next)]
struct Wheel;

#[derive(Component, Clone)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

assert_impl_all!(MoveLogger: Send, Sync, Clone);

const THREADS: usize = 4;

/// Asserts that `events` (one machine's, in collection order) chain.
fn assert_chained(events: &[&RecoveryEvent], who: &str) {
    for pair in events.windows(2) {
        assert_eq!(
            pair[0].to, pair[1].from,
            "{who}: #{} and #{} do not chain",
            pair[0].seq, pair[1].seq
        );
    }
}

/// `THREADS` threads each move their own labelled machine `moves` times
/// while the main thread collects; returns every collected event. The
/// machines (and their loggers) live until the last collection is done.
fn move_while_collecting(log: &Arc<RecoveryLogger>, moves: usize) -> Vec<RecoveryEvent> {
    let done = AtomicUsize::new(0);
    let mut seen = Vec::new();
    let machines = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|thread| {
                let logger = MoveLogger::new(log.clone()).labelled(format!("w{thread}"));
                let done = &done;
                scope.spawn(move || {
                    let mut wheel = StateMachine::new(Wheel).with_observer(logger);
                    for _ in 0..moves {
                        wheel.fire(wheel::Next).unwrap();
                    }
                    done.fetch_add(1, Ordering::Release);
                    wheel
                })
            })
            .collect();
        // Bounded: each pass collects something or the writers finish.
        loop {
            let finished = done.load(Ordering::Acquire) == THREADS;
            seen.extend(log.collect());
            if finished {
                seen.extend(log.collect());
                break;
            }
            std::thread::yield_now();
        }
        threads
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .collect::<Vec<_>>()
    });
    drop(machines);
    seen
}

fn by_label(events: &[RecoveryEvent]) -> HashMap<String, Vec<&RecoveryEvent>> {
    let mut map: HashMap<String, Vec<&RecoveryEvent>> = HashMap::new();
    for event in events {
        map.entry(event.component.to_string())
            .or_default()
            .push(event);
    }
    map
}

#[test]
fn with_room_enough_every_logger_keeps_every_event_in_order() {
    // Each logger records no more than its ring holds: nothing may be lost
    // however late the collector runs.
    let log = Arc::new(RecoveryLogger::new(4096));
    let moves = log.lane_capacity();
    let seen = move_while_collecting(&log, moves);

    assert_eq!(log.overwritten(), 0);
    assert_eq!(log.recorded(), (THREADS * moves) as u64);
    // Numbered when collected: 0, 1, 2, ... in collection order, none twice.
    let seqs: Vec<u64> = seen.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..(THREADS * moves) as u64).collect::<Vec<_>>());
    let labels = by_label(&seen);
    assert_eq!(labels.len(), THREADS);
    for (label, events) in &labels {
        assert_eq!(events.len(), moves, "{label}");
        assert_eq!(
            events[0].from,
            Some("S0"),
            "{label} starts at its first move"
        );
        assert!(events.iter().all(|e| e.kind == EventKind::Moved));
        assert_chained(events, label);
    }
    assert_eq!(log.analytics().moves, (THREADS * moves) as u64);
}

#[test]
fn full_rings_drop_their_oldest_events_and_count_every_one() {
    let log = Arc::new(RecoveryLogger::new(64));
    let moves = 20_000;
    let seen = move_while_collecting(&log, moves);

    assert_eq!(log.recorded(), (THREADS * moves) as u64);
    // Every event is collected once or counted as lost: a duplicate or a
    // silent loss breaks the sum.
    assert_eq!(
        seen.len() as u64 + log.overwritten(),
        (THREADS * moves) as u64
    );
    for (label, events) in by_label(&seen) {
        assert!(events.len() <= moves, "{label}");
        // The last event of each logger is its last move (drops take the
        // oldest, and the final collection ran after the writers finished).
        let last = events.last().unwrap();
        assert_eq!(
            last.to,
            Some(["S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7"][moves % 8])
        );
    }
    assert!(log.collect().is_empty());
}

#[test]
fn a_full_ring_nobody_collects_keeps_its_newest_events_in_order() {
    let log = Arc::new(RecoveryLogger::new(16));
    assert_eq!(log.lane_capacity(), 16);
    let mut wheel = StateMachine::new(Wheel).with_observer(MoveLogger::new(log.clone()));
    for _ in 0..100 {
        wheel.fire(wheel::Next).unwrap();
    }
    assert_eq!(log.recorded(), 100);
    let events = log.collect();
    // The oldest eighth goes at once when the ring is full: at least seven
    // eighths of it are kept.
    assert!((14..=16).contains(&events.len()), "{}", events.len());
    assert_eq!(events.len() as u64 + log.overwritten(), 100);
    let refs: Vec<&RecoveryEvent> = events.iter().collect();
    assert_chained(&refs, "wheel");
    assert_eq!(events.last().unwrap().to, Some(wheel.state().name()));
}

#[test]
fn one_threads_events_keep_their_order_across_loggers_and_the_shared_ring() {
    // The default clock ticks every few milliseconds: these all carry the
    // same time stamp, and still come back in the order they were made.
    let log = Arc::new(RecoveryLogger::new(64));
    let mut wheel = StateMachine::new(Wheel).with_observer(MoveLogger::new(log.clone()));
    let mut lamp = StateMachine::new(Lamp).with_observer(MoveLogger::new(log.clone()));
    log.record(RecoveryEvent::failure("a", "first"));
    wheel.fire(wheel::Next).unwrap();
    log.record(RecoveryEvent::failure("b", "second"));
    lamp.fire(lamp::Press).unwrap();
    wheel.fire(wheel::Next).unwrap();
    log.record(RecoveryEvent::failure("c", "third"));
    lamp.fire(lamp::Press).unwrap();
    let order: Vec<String> = log
        .collect()
        .iter()
        .map(|e| format!("{} {}", e.component, e.to.unwrap_or("-")))
        .collect();
    assert_eq!(
        order,
        ["a -", "Wheel S1", "b -", "Lamp On", "Wheel S2", "c -", "Lamp Off"]
    );
}

#[test]
fn one_threads_events_keep_their_order_while_the_clock_ticks() {
    // A timed move's event takes the coarse stamp this thread last read
    // (if read less than 100 µs before) instead of reading the clock: a
    // tick between a shared-ring record and the next move must not stamp
    // the move before the record. Alternating them for 60 ms spans many
    // ticks of the coarse clock (1–4 ms each).
    let log = Arc::new(RecoveryLogger::new(4096));
    let mut lamp = StateMachine::new(Lamp).with_observer(MoveLogger::new(log.clone()));
    let start = std::time::Instant::now();
    let mut pairs = 0;
    while start.elapsed() < std::time::Duration::from_millis(60) {
        for _ in 0..1000 {
            lamp.fire(lamp::Press).unwrap();
            log.record(RecoveryEvent::failure("shared", "between moves"));
        }
        let events = log.collect();
        assert_eq!(events.len(), 2000);
        for (index, pair) in events.chunks(2).enumerate() {
            assert_eq!(
                (pair[0].kind, pair[1].kind),
                (EventKind::Moved, EventKind::Failure),
                "pair {} of round {}: {:?}",
                index,
                pairs / 1000,
                pair
            );
        }
        pairs += 1000;
    }
    assert!(log.overwritten() == 0);
}

#[test]
fn a_dropped_logger_leaves_its_events_to_the_next_collection() {
    let log = Arc::new(RecoveryLogger::new(64));
    let mut wheel = StateMachine::new(Wheel).with_observer(MoveLogger::new(log.clone()));
    for _ in 0..3 {
        wheel.fire(wheel::Next).unwrap();
    }
    drop(wheel);
    // Its ring is gone (its events moved to the shared ring); its counts
    // are not.
    assert_eq!((log.recorded(), log.overwritten()), (3, 0));
    let events = log.collect();
    let to: Vec<_> = events.iter().map(|e| e.to.unwrap()).collect();
    assert_eq!(to, ["S1", "S2", "S3"]);
    assert_eq!((log.recorded(), log.overwritten()), (3, 0));
    assert!(log.collect().is_empty());

    // Loggers of many short-lived machines nobody collects: memory stays
    // bounded by the shared ring, which keeps the newest and counts the rest.
    for _ in 0..100 {
        let mut wheel = StateMachine::new(Wheel).with_observer(MoveLogger::new(log.clone()));
        for _ in 0..8 {
            wheel.fire(wheel::Next).unwrap();
        }
    }
    assert_eq!(log.recorded(), 803);
    assert_eq!(log.overwritten(), 800 - log.capacity() as u64);
    assert_eq!(log.collect().len(), log.capacity());

    // Labelling a logger replaces its ring: the first one goes, with what
    // it held.
    let mut logger = MoveLogger::new(log.clone());
    Observer::<Wheel>::on_move(
        &mut logger,
        &StateMachine::new(Wheel).fire(wheel::Next).unwrap(),
        &Wheel,
    );
    let logger = logger.labelled("named");
    let mut wheel = StateMachine::new(Wheel).with_observer(logger);
    wheel.fire(wheel::Next).unwrap();
    let names: Vec<_> = log
        .collect()
        .iter()
        .map(|e| e.component.to_string())
        .collect();
    assert_eq!(names, ["Wheel", "named"]);
    // One ring left: the labelled one (the others' loggers are gone).
    assert!(format!("{log:?}").contains("loggers: 1"), "{log:?}");
}

#[test]
fn a_cloned_logger_on_machines_of_two_threads_loses_nothing() {
    let log = Arc::new(RecoveryLogger::new(4096));
    let logger = MoveLogger::new(log.clone()).labelled("shared");
    let moves = 2_000;
    std::thread::scope(|scope| {
        let first = logger.clone();
        scope.spawn(move || {
            let mut wheel = StateMachine::new(Wheel).with_observer(first);
            for _ in 0..moves {
                wheel.fire(wheel::Next).unwrap();
            }
        });
        // The original moves to another thread with its machine.
        scope.spawn(move || {
            let mut lamp = StateMachine::new(Lamp).with_observer(logger);
            for _ in 0..moves {
                lamp.fire(lamp::Press).unwrap();
            }
        });
        for _ in 0..100 {
            let _ = log.analytics();
            std::thread::yield_now();
        }
    });
    let _ = log.collect();
    let recent = log.history("shared", 2 * moves);
    assert_eq!(recent.len(), 2 * moves);
    assert_eq!(log.overwritten(), 0);
    let (wheel, lamp): (Vec<&RecoveryEvent>, Vec<&RecoveryEvent>) = recent
        .iter()
        .partition(|e| e.from.is_some_and(|from| from.starts_with('S')));
    assert_eq!((wheel.len(), lamp.len()), (moves, moves));
    assert_chained(&wheel, "wheel");
    assert_chained(&lamp, "lamp");
}
