//! One bounded queue per `/events` client, fed by a fan-out.
//!
//! The sampler hands every new message to [`Clients::send`], which offers it
//! to each client's own queue without waiting: a client whose queue is full
//! simply misses the message (its memory stays at [`CLIENT_QUEUE`] messages,
//! each an `Arc` shared with the history), and the other clients are not
//! touched. A [`Subscriber`] sees the hole as a jump in the dense `order` of
//! the events it reads and reports it as [`Item::FellBehind`] with the
//! number missed, at the place they were missed; it then goes on with
//! what comes next (and can reconnect with `Last-Event-ID` to fetch them from
//! the history).
//!
//! Why not one broadcast ring that every client reads at its own pace: the
//! ring costs the same memory however many clients there are, but a slow
//! client there is told it fell behind only after the ring wrapped past it,
//! and it cannot be given less room than the fastest one. A queue per client
//! bounds each client separately, lets the fan-out drop clients that left,
//! and caps how many clients may stream ([`MAX_CLIENTS`]).

use std::sync::Arc;

use tokio::sync::mpsc::{self, error::TrySendError};

use crate::message::Message;

/// Messages one stream client may have waiting before it misses the next
/// ones (and is told it fell behind).
pub(crate) const CLIENT_QUEUE: usize = 1024;

/// Stream clients served at once; one more is answered 503.
pub(crate) const MAX_CLIENTS: usize = 64;

/// The senders of every connected stream client.
#[derive(Default)]
pub(crate) struct Clients {
    senders: Vec<mpsc::Sender<Arc<Message>>>,
}

/// Every one of [`MAX_CLIENTS`] places is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

impl Clients {
    /// A new client's queue (empty), or [`Full`].
    pub(crate) fn join(&mut self) -> Result<mpsc::Receiver<Arc<Message>>, Full> {
        self.senders.retain(|tx| !tx.is_closed());
        if self.senders.len() >= MAX_CLIENTS {
            return Err(Full);
        }
        let (tx, rx) = mpsc::channel(CLIENT_QUEUE);
        self.senders.push(tx);
        Ok(rx)
    }

    /// Offers `message` to every client, never waiting: a full queue misses
    /// it, a closed one (the client left) is dropped.
    pub(crate) fn send(&mut self, message: &Arc<Message>) {
        self.senders
            .retain(|tx| match tx.try_send(Arc::clone(message)) {
                Ok(()) | Err(TrySendError::Full(_)) => true,
                Err(TrySendError::Closed(_)) => false,
            });
    }

    /// Clients connected (as of the last send or join).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.senders.len()
    }
}

/// What a stream client gets next.
#[derive(Debug)]
pub(crate) enum Item {
    /// A message, in order.
    Message(Arc<Message>),
    /// This many events were missed here (the client's queue was full).
    FellBehind(u64),
}

/// The reading end of one client's queue: drops events it already has
/// (order at or below `last`) and reports holes.
pub(crate) struct Subscriber {
    rx: mpsc::Receiver<Arc<Message>>,
    last: u64,
    held: Option<Arc<Message>>,
}

impl Subscriber {
    /// Reads `rx`, having already sent the events up to order `last`.
    pub(crate) fn new(rx: mpsc::Receiver<Arc<Message>>, last: u64) -> Self {
        Subscriber {
            rx,
            last,
            held: None,
        }
    }

    /// The next item, or `None` once the dashboard stopped.
    pub(crate) async fn next(&mut self) -> Option<Item> {
        loop {
            let message = match self.held.take() {
                Some(message) => message,
                None => self.rx.recv().await?,
            };
            let Message::Event { order, .. } = &*message else {
                return Some(Item::Message(message));
            };
            let order = *order;
            if order <= self.last {
                continue;
            }
            let missed = order - self.last - 1;
            if missed > 0 {
                // Report the hole first; the message comes next.
                self.last = order - 1;
                self.held = Some(message);
                return Some(Item::FellBehind(missed));
            }
            self.last = order;
            return Some(Item::Message(message));
        }
    }

    /// Messages waiting in this client's queue.
    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        self.rx.len()
    }
}

#[cfg(test)]
mod tests;
