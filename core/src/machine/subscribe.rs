//! Channel subscriptions: completed moves delivered to other threads; and,
//! in the same box, the memory of superstates with `history`.

use std::sync::mpsc::{channel, Receiver, Sender};

use std::time::{Duration, SystemTime};

use super::record::{Cause, MoveRecord};
use crate::component::{Component, HistoryMemory};

/// What a plain machine does without: the senders of its subscribers and
/// the leaves its superstates with `history` remember. Boxed together and
/// absent until needed, so that a machine without either holds one null
/// pointer (a pointer to an inline collection would keep the machine out of
/// registers) and pays one check per move.
pub(crate) struct Subscribers<C: Component> {
    side: Option<Box<Side<C>>>,
}

struct Side<C: Component> {
    senders: Vec<Sender<MoveRecord<C>>>,
    memory: HistoryMemory<C>,
}

impl<C: Component> Subscribers<C> {
    /// No subscribers; for a component with `history`, nothing remembered
    /// yet (the box is made here, once).
    pub(crate) fn new() -> Self {
        let side = (!C::HISTORY.is_empty()).then(|| {
            Box::new(Side {
                senders: Vec::new(),
                memory: HistoryMemory::new(),
            })
        });
        Subscribers { side }
    }

    fn side(&mut self) -> &mut Side<C> {
        self.side.get_or_insert_with(|| {
            Box::new(Side {
                senders: Vec::new(),
                memory: HistoryMemory::new(),
            })
        })
    }

    /// A new receiver of every later move.
    pub(crate) fn subscribe(&mut self) -> Receiver<MoveRecord<C>> {
        let (tx, rx) = channel();
        self.side().senders.push(tx);
        rx
    }

    /// How many subscribers are still connected (as of the last send).
    pub(crate) fn len(&self) -> usize {
        self.side.as_ref().map_or(0, |s| s.senders.len())
    }

    /// The remembered leaves, one slot per [`Component::HISTORY`] entry
    /// (none for a component without `history`).
    #[inline]
    pub(crate) fn slots(&self) -> &[Option<C::State>] {
        match &self.side {
            Some(side) => side.memory.slots(),
            None => &[],
        }
    }

    /// A copy of the memory.
    pub(crate) fn memory(&self) -> HistoryMemory<C> {
        self.side
            .as_ref()
            .map_or_else(HistoryMemory::new, |s| s.memory.clone())
    }

    /// Replaces the memory (a rollback, a rehydration).
    pub(crate) fn set_memory(&mut self, memory: HistoryMemory<C>) {
        if !C::HISTORY.is_empty() {
            self.side().memory = memory;
        }
    }

    /// Updates the memory after a committed move (see [`HistoryMemory::left`]).
    #[inline]
    pub(crate) fn left(&mut self, from: C::State, to: C::State) {
        if let Some(side) = &mut self.side {
            side.memory.left(from, to);
        }
    }

    /// Sends `record` to each subscriber, forgetting those that hung up.
    #[inline]
    pub(crate) fn send(&mut self, record: MoveRecord<C>) {
        if let Some(side) = self.side.as_mut().filter(|s| !s.senders.is_empty()) {
            let senders = &mut side.senders;
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
