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
