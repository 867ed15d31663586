//! The fan-out and its bounds, driven by explicit sampler ticks (no clock,
//! no timed assert): a client that never reads stays at its queue's bound
//! and is told how much it missed, while another client gets everything.

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use typestep_core::recovery::{RecoveryEvent, RecoveryLogger};

use super::*;
use crate::live::{Hub, Sources};

fn hub(logger: &Arc<RecoveryLogger>) -> Hub {
    Hub::new(Sources {
        logger: Some(Arc::clone(logger)),
        ..Sources::default()
    })
}

fn record(logger: &RecoveryLogger, count: usize) {
    for _ in 0..count {
        logger.record(RecoveryEvent::moved(
            "pump",
            "Idle",
            "Start",
            "Pumping",
            Duration::from_micros(3),
        ));
    }
}

/// What a client has been sent so far: event seqs and holes, in order
/// (snapshots skipped). Only polls what is already queued.
fn drain(subscriber: &mut Subscriber, seqs: &mut Vec<u64>, holes: &mut Vec<(usize, u64)>) {
    while let Some(Some(item)) = subscriber.next().now_or_never() {
        match item {
            Item::Message(message) => {
                if let Message::Event { seq, .. } = &*message {
                    seqs.push(*seq);
                }
            }
            Item::FellBehind(missed) => holes.push((seqs.len(), missed)),
        }
    }
}

#[test]
fn a_client_that_never_reads_stays_bounded_and_others_get_everything() {
    let logger = Arc::new(RecoveryLogger::new(4096));
    let hub = hub(&logger);
    let mut fast = hub.subscribe(None, 0).expect("a place").subscriber;
    let mut slow = hub.subscribe(None, 0).expect("a place").subscriber;
    let total = 3 * CLIENT_QUEUE;
    let (mut fast_seqs, mut fast_holes) = (Vec::new(), Vec::new());
    for _ in 0..total / 256 {
        record(&logger, 256);
        hub.tick();
        drain(&mut fast, &mut fast_seqs, &mut fast_holes);
        // Never more than its own bound, however far behind it is.
        assert!(slow.queued() <= CLIENT_QUEUE, "{}", slow.queued());
    }
    assert_eq!(
        slow.queued(),
        CLIENT_QUEUE,
        "the slow client's queue filled"
    );
    assert_eq!(fast_seqs.len(), total);
    assert!(fast_holes.is_empty(), "{fast_holes:?}");
    assert!(fast_seqs.windows(2).all(|w| w[1] == w[0] + 1), "contiguous");

    // The slow client reads at last: the queued events, then (once the
    // next event shows the hole) how many it missed, then that event.
    let (mut slow_seqs, mut slow_holes) = (Vec::new(), Vec::new());
    drain(&mut slow, &mut slow_seqs, &mut slow_holes);
    let kept = slow_seqs.len();
    assert!(kept > 0 && kept <= CLIENT_QUEUE, "{kept}");
    assert_eq!(
        slow_seqs[..],
        fast_seqs[..kept],
        "its first events, in order"
    );
    assert!(slow_holes.is_empty(), "no hole seen before the next event");
    record(&logger, 1);
    hub.tick();
    drain(&mut slow, &mut slow_seqs, &mut slow_holes);
    drain(&mut fast, &mut fast_seqs, &mut fast_holes);
    assert_eq!(slow_holes, vec![(kept, (total - kept) as u64)]);
    assert_eq!(slow_seqs.last(), fast_seqs.last(), "then the newest event");
    assert_eq!(fast_seqs.len(), total + 1);
    assert!(fast_holes.is_empty());
}

#[test]
fn a_reconnect_resumes_after_its_last_event_without_gaps_or_repeats() {
    let logger = Arc::new(RecoveryLogger::new(4096));
    let hub = hub(&logger);
    record(&logger, 10);
    hub.tick();
    let first = hub.subscribe(None, 100).expect("a place");
    let seqs: Vec<u64> = first
        .backlog
        .iter()
        .filter_map(|m| match &**m {
            Message::Event { seq, .. } => Some(*seq),
            Message::Snapshot(_) => None,
        })
        .collect();
    assert_eq!(seqs.len(), 10);
    drop(first);
    // Events while it was away; it comes back with the 4th one's seq.
    record(&logger, 5);
    hub.tick();
    let mut again = hub.subscribe(Some(seqs[3]), 100).expect("a place");
    assert_eq!(again.fell_behind, None);
    let mut resumed: Vec<u64> = again
        .backlog
        .iter()
        .filter_map(|m| match &**m {
            Message::Event { seq, .. } => Some(*seq),
            Message::Snapshot(_) => None,
        })
        .collect();
    // And what comes after the join arrives through its queue.
    record(&logger, 2);
    hub.tick();
    let mut holes = Vec::new();
    drain(&mut again.subscriber, &mut resumed, &mut holes);
    assert!(holes.is_empty(), "{holes:?}");
    assert_eq!(resumed.len(), 6 + 5 + 2);
    assert_eq!(resumed[0], seqs[3] + 1);
    assert!(resumed.windows(2).all(|w| w[1] == w[0] + 1), "{resumed:?}");
    // An id the history no longer has: told so, then everything kept.
    let lost = hub.subscribe(Some(u64::MAX - 1), 100).expect("a place");
    assert!(lost.fell_behind.is_some());
}

#[test]
fn the_number_of_clients_is_capped_and_leaving_frees_a_place() {
    let mut clients = Clients::default();
    let mut queues: Vec<_> = (0..MAX_CLIENTS)
        .map(|_| clients.join().expect("a place"))
        .collect();
    assert_eq!(clients.join().err(), Some(Full));
    queues.pop();
    assert!(
        clients.join().is_ok(),
        "the place a client left is free again"
    );
    // A send drops the clients that left.
    queues.truncate(10);
    clients.send(&Arc::new(Message::Snapshot(Arc::from("{}"))));
    assert_eq!(clients.len(), 10);
}

#[test]
fn a_subscriber_skips_repeats_and_reports_holes_where_they_are() {
    let (tx, rx) = mpsc::channel(8);
    let event = |order: u64| {
        Arc::new(Message::Event {
            order,
            seq: order + 100,
            component: String::from("pump"),
            kind: "moved",
            event: RecoveryEvent::failure("pump", "x"),
        })
    };
    let mut subscriber = Subscriber::new(rx, 2);
    for order in [1, 2, 3, 4, 7, 8] {
        tx.try_send(event(order)).expect("room");
    }
    let (mut seqs, mut holes) = (Vec::new(), Vec::new());
    drain(&mut subscriber, &mut seqs, &mut holes);
    assert_eq!(seqs, vec![103, 104, 107, 108]);
    assert_eq!(holes, vec![(2, 2)]);
}
