//! Recording a [`StateMachine`](crate::StateMachine)'s moves: [`MoveLogger`].

use std::sync::Arc;

use super::event::{nanos, Name, RecoveryEvent};
use super::lane::LaneWriter;
use super::packed::Packed;
use super::RecoveryLogger;
use crate::component::{Component, Label};
use crate::machine::{Cause, FireError, MoveRecord, Observer};

/// An [`Observer`] that records every move, rejected move and rollback of a
/// machine in a [`RecoveryLogger`]. It asks the machine for move timing, so
/// events carry each move's duration (but not for the move's wall-clock
/// start: events are stamped by the logger).
///
/// Each `MoveLogger` writes into its own ring in the logger (one writer:
/// a record is a few plain stores, no atomic read-modify-write), holding
/// up to the logger's [`lane_capacity`](RecoveryLogger::lane_capacity)
/// uncollected events. Its events are collected in the order it recorded
/// them; how they are ordered against other sources is described at
/// [`RecoveryLogger::collect`]. When its ring is full, the oldest eighth of
/// it (at least one event) is dropped to make room and counted in
/// [`overwritten`](RecoveryLogger::overwritten): a logger nobody collects
/// keeps at least seven eighths of its ring of the newest events.
///
/// A clone gets a ring of its own, so one `MoveLogger` cloned onto several
/// machines (even on different threads) loses nothing and races with
/// nothing. A `MoveLogger` is `Send` and `Sync` and may move between
/// threads with its machine. Dropping it leaves its uncollected events to
/// the next collection.
///
/// ```
/// use std::sync::Arc;
/// use typestep::prelude::*;
/// use typestep::recovery::{MoveLogger, RecoveryLogger};
///
/// #[derive(Component, Clone)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// #[transition(On -> Off on Press)]
/// struct Lamp;
///
/// let log = Arc::new(RecoveryLogger::default());
/// let mut lamp = StateMachine::new(Lamp).with_observer(MoveLogger::new(log.clone()));
/// lamp.fire(lamp::Press).unwrap();
/// assert_eq!(log.analytics().moves, 1);
/// ```
pub struct MoveLogger {
    logger: Arc<RecoveryLogger>,
    label: Option<Name>,
    lane: LaneWriter,
}

impl MoveLogger {
    /// Records into `logger` under the component's name (in a ring of its
    /// own, see above).
    pub fn new(logger: Arc<RecoveryLogger>) -> Self {
        let lane = logger.lanes.open();
        MoveLogger {
            logger,
            label: None,
            lane,
        }
    }

    /// Records under `label` instead (to tell instances of one component apart).
    pub fn labelled(mut self, label: impl Into<Name>) -> Self {
        self.label = Some(label.into());
        self
    }

    fn component<C: Component>(&self) -> Name {
        self.label.clone().unwrap_or(Name::Static(C::NAME))
    }

    /// Records `event` in this logger's ring, stamped now.
    fn record(&mut self, event: RecoveryEvent) {
        let at = self.logger.clock.read();
        self.lane.push(Packed::new(event, 0, at));
    }
}

impl Clone for MoveLogger {
    /// The same logger and label, with a ring of its own.
    fn clone(&self) -> Self {
        MoveLogger {
            logger: self.logger.clone(),
            label: self.label.clone(),
            lane: self.logger.lanes.open(),
        }
    }
}

impl core::fmt::Debug for MoveLogger {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MoveLogger")
            .field("logger", &self.logger)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl<C: Component> Observer<C> for MoveLogger {
    fn wants_time(&self) -> bool {
        true
    }

    /// Events carry the logger's own time stamp, not the move's start.
    fn wants_wall_time(&self) -> bool {
        false
    }

    #[inline]
    fn on_move(&mut self, record: &MoveRecord<C>, _: &C) {
        let took = record.took.unwrap_or_default();
        let event = match record.cause {
            Cause::Event(event) if self.label.is_none() => {
                // The common case, packed where it is recorded.
                let names = (record.from.name(), event.name(), record.to.name());
                let at = self.logger.clock.read();
                return self
                    .lane
                    .push(Packed::moved(C::NAME, names, nanos(took), at));
            }
            Cause::Event(event) => RecoveryEvent::moved(
                self.component::<C>(),
                record.from.name(),
                event.name(),
                record.to.name(),
                took,
            ),
            Cause::Rollback { .. } => RecoveryEvent::rolled_back_to_checkpoint(
                self.component::<C>(),
                record.from.name(),
                record.to.name(),
                took,
            ),
            Cause::Cancelled(event) => RecoveryEvent::cancelled(
                self.component::<C>(),
                record.from.name(),
                event.name(),
                C::edge(record.from, event).map(|edge| edge.to.name()),
                took,
            ),
        };
        self.record(event);
    }

    fn on_rejected(&mut self, error: &FireError<C>, _: &C) {
        let from = error.state();
        let event = error.event();
        let to = C::edge(from, event).map(|edge| edge.to.name());
        let component = self.component::<C>();
        let recorded = match error {
            FireError::ActionFailed { .. } | FireError::ActionPanicked { .. } => {
                RecoveryEvent::rolled_back(
                    component,
                    from.name(),
                    event.name(),
                    to.unwrap_or(""),
                    Default::default(),
                    error.kind(),
                )
            }
            _ => RecoveryEvent::rejected(component, from.name(), event.name(), to, error.kind()),
        };
        self.record(recorded);
    }
}
