//! Registered components: the typed handle users keep, and the erased view
//! the coordinator drives.

use core::fmt;
use std::sync::Arc;

use super::change::Attached;
use super::lifecycle::{Lifecycle, RestartPolicy};
use crate::component::{Component, Label};
use crate::machine::{FireError, MoveRecord, Observer, SharedMachine, StateMachine};
use crate::pool::ChannelId;

/// Identifies a component registered with one coordinator. It carries
/// its coordinator's owner tag: another coordinator refuses it
/// ([`CoordinatorError::ForeignComponent`](super::CoordinatorError::ForeignComponent)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId {
    pub(crate) owner: u64,
    pub(crate) index: usize,
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}", self.index)
    }
}

/// Serialized as its index (the owner tag means nothing outside the process).
#[cfg(feature = "serde")]
impl serde::Serialize for ComponentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct("ComponentId", &self.index)
    }
}

/// The lifecycle events the coordinator fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Start,
    Stop,
    Stopped,
    Fail,
    Abandon,
    Restart,
}

/// A component as the coordinator sees it, whatever its type.
pub(crate) trait Driven: Send + Sync {
    fn kind(&self) -> &'static str;
    fn state(&self) -> &'static str;
    fn is_terminal(&self) -> bool;
    fn mermaid(&self) -> &'static str;
    fn restart_policy(&self) -> Option<RestartPolicy>;
    /// Fires the lifecycle event `which` if the lifecycle names one and the
    /// current state accepts it: `Ok(true)` moved, `Ok(false)` not applicable.
    fn fire(&self, which: Which) -> Result<bool, String>;
}

/// The machine of a registered component: the user's observer `O`, plus the
/// coordinator's ([`Attached`]: recovery log and state-change notifications).
pub type ManagedMachine<C, O> = SharedMachine<C, (O, Attached)>;

pub(crate) struct Erased<C: Component, O> {
    pub(crate) machine: Arc<ManagedMachine<C, O>>,
    pub(crate) lifecycle: Lifecycle<C>,
}

impl<C, O> Driven for Erased<C, O>
where
    C: Component + Send + 'static,
    O: Observer<C> + Send + 'static,
{
    fn kind(&self) -> &'static str {
        C::NAME
    }

    fn state(&self) -> &'static str {
        self.machine.state().name()
    }

    fn is_terminal(&self) -> bool {
        C::is_terminal(self.machine.state())
    }

    fn mermaid(&self) -> &'static str {
        C::MERMAID
    }

    fn restart_policy(&self) -> Option<RestartPolicy> {
        self.lifecycle.restart_policy()
    }

    fn fire(&self, which: Which) -> Result<bool, String> {
        let l = &self.lifecycle;
        let event = match which {
            Which::Start => l.start,
            Which::Stop => l.stop,
            Which::Stopped => l.stopped,
            Which::Fail => Some(l.fail),
            Which::Abandon => l.abandon,
            Which::Restart => l.restart.map(|(event, _)| event),
        };
        let Some(event) = event else {
            return Ok(false);
        };
        self.machine.with_mut(|m| {
            if !m.accepts(event) {
                return Ok(false);
            }
            m.fire(event).map(|_| true).map_err(|e| e.to_string())
        })
    }
}

/// The handle of a registered component: its id, channel and shared machine.
/// Clones share the component.
pub struct Managed<C: Component, O = crate::machine::NoObserver> {
    pub(crate) id: ComponentId,
    pub(crate) name: Arc<str>,
    pub(crate) channel: ChannelId,
    pub(crate) machine: Arc<ManagedMachine<C, O>>,
}

impl<C: Component, O> Clone for Managed<C, O> {
    fn clone(&self) -> Self {
        Managed {
            id: self.id,
            name: self.name.clone(),
            channel: self.channel,
            machine: self.machine.clone(),
        }
    }
}

impl<C: Component, O: Observer<C>> Managed<C, O> {
    /// The component's id in its coordinator.
    pub fn id(&self) -> ComponentId {
        self.id
    }

    /// The name it was registered under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pool channel its resources are drawn from.
    pub fn channel(&self) -> ChannelId {
        self.channel
    }

    /// Its current state.
    pub fn state(&self) -> C::State {
        self.machine.state()
    }

    /// Fires `event` as one checked move (subscribers are told).
    pub fn fire(&self, event: impl Into<C::Event>) -> Result<MoveRecord<C>, FireError<C>> {
        self.machine.fire(event)
    }

    /// The shared machine, for reading data or history, checkpoints and
    /// rollbacks ([`SharedMachine::with_mut`]).
    pub fn machine(&self) -> &Arc<ManagedMachine<C, O>> {
        &self.machine
    }
}

impl<C: Component, O> fmt::Debug for Managed<C, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Managed")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &C::NAME)
            .finish_non_exhaustive()
    }
}

/// Wraps `machine` with the coordinator's observer and shares it.
pub(crate) fn attach<C, O>(
    machine: StateMachine<C, O>,
    attached: Attached,
) -> Arc<ManagedMachine<C, O>>
where
    C: Component,
    O: Observer<C>,
{
    Arc::new(SharedMachine::new(machine.with_observer(attached)))
}
