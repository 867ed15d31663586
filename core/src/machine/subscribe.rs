//! Channel subscriptions: completed moves delivered to other threads.

use std::sync::mpsc::{channel, Receiver, Sender};

use std::time::{Duration, SystemTime};

use super::record::{Cause, MoveRecord};
use crate::component::Component;

/// The senders of a machine's subscribers. Empty by default, so a machine
/// without subscribers pays one length check per move.
pub(crate) struct Subscribers<C: Component> {
    // Boxed so that a machine without subscribers holds no collection inline:
    // a pointer to an inline `Vec` would keep the machine out of registers.
    #[allow(clippy::box_collection)]
    senders: Option<Box<Vec<Sender<MoveRecord<C>>>>>,
}

impl<C: Component> Subscribers<C> {
    pub(crate) fn new() -> Self {
        Subscribers { senders: None }
    }

    /// A new receiver of every later move.
    pub(crate) fn subscribe(&mut self) -> Receiver<MoveRecord<C>> {
        let (tx, rx) = channel();
        self.senders.get_or_insert_with(Box::default).push(tx);
        rx
    }

    /// How many subscribers are still connected (as of the last send).
    pub(crate) fn len(&self) -> usize {
        self.senders.as_ref().map_or(0, |s| s.len())
    }

    /// Sends `record` to each subscriber, forgetting those that hung up.
    #[inline]
    pub(crate) fn send(&mut self, record: MoveRecord<C>) {
        if let Some(senders) = &mut self.senders {
            let MoveRecord {
                seq,
                from,
                cause,
                to,
                at,
                took,
            } = record;
            send_all(senders, seq, (from, to), cause, (at, took));
        }
    }
}

/// The slow path of [`Subscribers::send`], out of line. It takes the record
/// in pieces, which travel in registers: a whole record would be written to
/// the stack on every move, subscribers or not.
#[inline(never)]
fn send_all<C: Component>(
    senders: &mut Vec<Sender<MoveRecord<C>>>,
    seq: u64,
    (from, to): (C::State, C::State),
    cause: Cause<C::Event>,
    (at, took): (Option<SystemTime>, Option<Duration>),
) {
    let record = MoveRecord {
        seq,
        from,
        cause,
        to,
        at,
        took,
    };
    senders.retain(|tx| tx.send(record).is_ok());
}
