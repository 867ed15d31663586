//! Channel subscriptions: completed moves delivered to other threads.

use std::sync::mpsc::{channel, Receiver, Sender};

use super::record::MoveRecord;
use crate::component::Component;

/// The senders of a machine's subscribers. Empty by default, so a machine
/// without subscribers pays one length check per move.
pub(crate) struct Subscribers<C: Component> {
    // Boxed so that a machine without subscribers holds no collection inline.
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
    pub(crate) fn send(&mut self, record: &MoveRecord<C>) {
        if let Some(senders) = &mut self.senders {
            senders.retain(|tx| tx.send(*record).is_ok());
        }
    }
}
