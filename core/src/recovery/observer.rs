//! Recording a [`StateMachine`](crate::StateMachine)'s moves: [`MoveLogger`].

use std::sync::Arc;

use super::event::{Name, RecoveryEvent};
use super::RecoveryLogger;
use crate::component::{Component, Label};
use crate::machine::{Cause, FireError, MoveRecord, Observer};

/// An [`Observer`] that records every move, rejected move and rollback of a
/// machine in a [`RecoveryLogger`]. It asks the machine for move timing, so
/// events carry each move's duration (but not for the move's wall-clock
/// start: events are stamped by the logger).
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
#[derive(Debug, Clone)]
pub struct MoveLogger {
    logger: Arc<RecoveryLogger>,
    label: Option<Name>,
}

impl MoveLogger {
    /// Records into `logger` under the component's name.
    pub fn new(logger: Arc<RecoveryLogger>) -> Self {
        MoveLogger {
            logger,
            label: None,
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
                return self.logger.record_moved(C::NAME, names, took);
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
        self.logger.record(event);
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
        self.logger.record(recorded);
    }
}
