//! Channel subscriptions: completed moves delivered to other threads; and,
//! in the same box, the memory of superstates with `history`.

use std::sync::mpsc::{channel, Receiver, Sender};

use super::record::{MoveRecord, Pieces, Times};
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
            let (pieces, checkpoint) = Pieces::of(&record);
            let times = record.times();
            send_all(
                &mut side.senders,
                record.seq,
                checkpoint,
                pieces,
                times.as_ref(),
            );
        }
    }
}

/// The slow path of [`Subscribers::send`], out of line, taking the record
/// in pieces that travel in registers (see [`Pieces`]). Cold: sending on a
/// channel costs far more than a move, and a call the compiler thinks
/// frequent makes every move keep its values on the stack.
#[cold]
#[inline(never)]
fn send_all<C: Component>(
    senders: &mut Vec<Sender<MoveRecord<C>>>,
    seq: u64,
    checkpoint: u64,
    pieces: Pieces<C>,
    times: Option<&Times>,
) {
    let record = pieces.join(seq, checkpoint, times.copied().unwrap_or((None, None)));
    senders.retain(|tx| tx.send(record).is_ok());
}
