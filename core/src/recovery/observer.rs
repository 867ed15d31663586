//! Recording a [`StateMachine`](crate::StateMachine)'s moves: [`MoveLogger`].

use std::sync::Arc;

use std::time::Duration;

use super::event::{nanos, EventKind, Name};
use super::lane::{index, names, Entry, LaneWriter};
use super::merge::next_order;
use super::RecoveryLogger;
use crate::component::Component;
use crate::machine::{Cause, ClockReading, FireError, MoveRecord, Observer};

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
/// the next collection (they move to the logger's shared ring, which keeps
/// the newest [`capacity`](RecoveryLogger::capacity) of them and counts the
/// rest in [`overwritten`](RecoveryLogger::overwritten)).
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
        let lane = logger.lanes.open(None);
        MoveLogger {
            logger,
            label: None,
            lane,
        }
    }

    /// Records under `label` instead (to tell instances of one component
    /// apart). The label is kept once, with this logger's ring: events
    /// recorded before are collected under the name they had.
    pub fn labelled(mut self, label: impl Into<Name>) -> Self {
        let label = label.into();
        let unlabelled =
            std::mem::replace(&mut self.lane, self.logger.lanes.open(Some(label.clone())));
        self.logger.retire(&unlabelled);
        self.label = Some(label);
        self
    }

    /// Records one event about `C`, stamped now (from `end`, the move's
    /// end reading, when there is one): a few plain stores into one cache
    /// line.
    #[inline(always)]
    fn record<C: Component>(
        &mut self,
        kind: EventKind,
        (from, event, to): (C::State, Option<C::Event>, Option<C::State>),
        (took, end): (Duration, Option<ClockReading>),
        context: Option<&'static str>,
    ) {
        let at_raw = match end {
            Some(end) => self.logger.clock.read_after(end),
            None => self.logger.clock.read(),
        };
        self.lane.push(Entry {
            at_raw,
            duration_ns: nanos(took),
            names: names::<C>,
            context,
            order: next_order(),
            from: index(from),
            event: event.map_or(u32::MAX, index),
            to: to.map_or(u32::MAX, index),
            kind,
        });
    }

    /// Records a committed move (`end`: the reading that ended it, when
    /// the machine timed it).
    #[inline(always)]
    fn moved<C: Component>(&mut self, record: &MoveRecord<C>, end: Option<ClockReading>) {
        let took = (record.took.unwrap_or_default(), end);
        let (from, to) = (record.from, record.to);
        match record.cause {
            Cause::Event(event) => {
                self.record::<C>(EventKind::Moved, (from, Some(event), Some(to)), took, None)
            }
            Cause::Rollback { .. } => self.record::<C>(
                EventKind::RolledBack,
                (from, None, Some(to)),
                took,
                Some("checkpoint"),
            ),
            Cause::Cancelled(event) => {
                let toward = C::edge(from, event).map(|edge| edge.to);
                self.cancelled(record, event, toward, took);
            }
        }
    }

    /// Records a cancelled async move on `event`, headed for `toward`.
    fn cancelled<C: Component>(
        &mut self,
        record: &MoveRecord<C>,
        event: C::Event,
        toward: Option<C::State>,
        took: (Duration, Option<ClockReading>),
    ) {
        self.record::<C>(
            EventKind::Cancelled,
            (record.from, Some(event), toward),
            took,
            Some("cancelled"),
        );
    }

    /// Records a rejected move; `to` is where it was headed, if anywhere.
    fn rejected<C: Component>(&mut self, error: &FireError<C>, to: Option<C::State>) {
        let kind = match error {
            FireError::ActionFailed { .. } | FireError::ActionPanicked { .. } => {
                EventKind::RolledBack
            }
            _ => EventKind::Rejected,
        };
        self.record::<C>(
            kind,
            (error.state(), Some(error.event()), to),
            (Duration::ZERO, None),
            Some(error.kind()),
        );
    }
}

impl Clone for MoveLogger {
    /// The same logger and label, with a ring of its own.
    fn clone(&self) -> Self {
        MoveLogger {
            logger: self.logger.clone(),
            label: self.label.clone(),
            lane: self.logger.lanes.open(self.label.clone()),
        }
    }
}

impl Drop for MoveLogger {
    /// Hands the uncollected events of this logger's ring to the logger's
    /// shared ring and removes the ring.
    fn drop(&mut self) {
        self.logger.retire(&self.lane);
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
        self.moved(record, None);
    }

    /// Stamps the event with the move's end reading (no clock read).
    #[inline]
    fn on_timed_move(&mut self, record: &MoveRecord<C>, _: &C, end: ClockReading) {
        self.moved(record, Some(end));
    }

    /// Names the transition's target from the table (the machine calls
    /// [`on_rejected_toward`](Observer::on_rejected_toward) when it knows
    /// the resolved one).
    fn on_rejected(&mut self, error: &FireError<C>, _: &C) {
        let to = C::edge(error.state(), error.event()).map(|edge| edge.to);
        self.rejected(error, to);
    }

    fn on_rejected_toward(&mut self, error: &FireError<C>, toward: C::State, _: &C) {
        self.rejected(error, Some(toward));
    }

    /// Names the resolved target the machine passes.
    fn on_cancelled(&mut self, record: &MoveRecord<C>, toward: C::State, _: &C) {
        match record.cause {
            Cause::Cancelled(event) => {
                let took = (record.took.unwrap_or_default(), None);
                self.cancelled(record, event, Some(toward), took);
            }
            _ => self.moved(record, None),
        }
    }
}
