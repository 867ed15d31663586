//! State-change notifications: every move of every registered component,
//! delivered to the coordinator's subscribers.

use core::fmt;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::component::{Component, Label};
use crate::machine::{Cause, ClockReading, FireError, MoveRecord, Observer};
use crate::recovery::MoveLogger;

/// One move of a registered component, as subscribers receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StateChange {
    /// The name the component was registered under.
    #[cfg_attr(feature = "serde", serde(serialize_with = "serialize_name"))]
    pub component: Arc<str>,
    /// The component's type (`Component::NAME`).
    pub kind: &'static str,
    /// The move's number in the component's machine.
    pub seq: u64,
    /// The state left.
    pub from: &'static str,
    /// The event fired, or `None` for an explicit rollback.
    pub event: Option<&'static str>,
    /// The state entered.
    pub to: &'static str,
}

#[cfg(feature = "serde")]
fn serialize_name<S: serde::Serializer>(name: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(name)
}

impl fmt::Display for StateChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.event {
            Some(event) => write!(
                f,
                "{} #{}: {} --{}--> {}",
                self.component, self.seq, self.from, event, self.to
            ),
            None => write!(
                f,
                "{} #{}: {} --rollback--> {}",
                self.component, self.seq, self.from, self.to
            ),
        }
    }
}

/// The subscribers of one coordinator.
#[derive(Debug, Default)]
pub(crate) struct Bus {
    senders: Mutex<Vec<Sender<StateChange>>>,
}

impl Bus {
    pub(crate) fn subscribe(&self) -> Receiver<StateChange> {
        let (tx, rx) = channel();
        self.senders.lock().push(tx);
        rx
    }

    fn send(&self, change: &StateChange) {
        let mut senders = self.senders.lock();
        if !senders.is_empty() {
            senders.retain(|tx| tx.send(change.clone()).is_ok());
        }
    }
}

/// The observer the coordinator adds to every registered machine: logs each
/// move in the recovery log and tells the coordinator's subscribers.
#[derive(Debug, Clone)]
pub struct Attached {
    name: Arc<str>,
    logger: MoveLogger,
    bus: Arc<Bus>,
}

impl Attached {
    pub(crate) fn new(name: Arc<str>, logger: MoveLogger, bus: Arc<Bus>) -> Self {
        Attached { name, logger, bus }
    }
}

impl<C: Component> Observer<C> for Attached {
    fn wants_time(&self) -> bool {
        true
    }

    /// The log keeps durations and its own time stamps.
    fn wants_wall_time(&self) -> bool {
        false
    }

    fn on_move(&mut self, record: &MoveRecord<C>, data: &C) {
        Observer::<C>::on_move(&mut self.logger, record, data);
        self.announce(record);
    }

    fn on_timed_move(&mut self, record: &MoveRecord<C>, data: &C, end: ClockReading) {
        Observer::<C>::on_timed_move(&mut self.logger, record, data, end);
        self.announce(record);
    }

    fn on_rejected(&mut self, error: &FireError<C>, data: &C) {
        Observer::<C>::on_rejected(&mut self.logger, error, data);
    }

    fn on_rejected_toward(&mut self, error: &FireError<C>, toward: C::State, data: &C) {
        Observer::<C>::on_rejected_toward(&mut self.logger, error, toward, data);
    }

    fn on_cancelled(&mut self, record: &MoveRecord<C>, toward: C::State, data: &C) {
        Observer::<C>::on_cancelled(&mut self.logger, record, toward, data);
        self.announce(record);
    }
}

impl Attached {
    /// Tells the bus about a committed move.
    fn announce<C: Component>(&self, record: &MoveRecord<C>) {
        let event = match record.cause {
            Cause::Event(event) | Cause::Cancelled(event) => Some(event.name()),
            Cause::Rollback { .. } => None,
        };
        self.bus.send(&StateChange {
            component: self.name.clone(),
            kind: C::NAME,
            seq: record.seq,
            from: record.from.name(),
            event,
            to: record.to.name(),
        });
    }
}
