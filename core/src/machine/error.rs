//! Why a run-time move, a conversion or a rehydration did not happen.

use core::fmt;

use crate::component::Refusal;
use crate::component::{Component, HookFailed, Label};
use crate::fault::SharedError;

/// Why [`StateMachine::fire`](crate::StateMachine::fire) did not move the
/// machine. In every case the state and the data are what they were before
/// the call.
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// #[transition(On -> Off on Release)]
/// struct Button;
///
/// let mut m = StateMachine::new(Button);
/// match m.fire(button::Event::Release) {
///     Err(FireError::NotAllowed { state, event, .. }) => {
///         assert_eq!((state, event), (button::State::Off, button::Event::Release));
///     }
///     other => panic!("unexpected: {other:?}"),
/// }
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum FireError<C: Component> {
    /// The current state has no transition on this event.
    #[error("`{component}` in state `{state}` has no transition on `{event}`")]
    NotAllowed {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
    },
    /// The transition's guard returned `false`.
    #[error("`{component}` stayed in state `{state}`: the guard of `{event}` refused the move")]
    GuardRefused {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
    },
    /// The transition's guard panicked.
    #[error("`{component}` stayed in state `{state}`: the guard of `{event}` panicked: {message}")]
    GuardPanicked {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
        /// The panic's message.
        message: String,
    },
    /// The transition's action returned an error; the data was restored from
    /// the snapshot taken before the action.
    #[error("`{component}` stayed in state `{state}`: the action of `{event}` failed")]
    ActionFailed {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
        /// The action's error.
        #[source]
        source: SharedError,
    },
    /// The transition's action panicked; the data was restored from the
    /// snapshot taken before the action.
    #[error(
        "`{component}` stayed in state `{state}`: the action of `{event}` panicked: {message}"
    )]
    ActionPanicked {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
        /// The panic's message.
        message: String,
    },
    /// [`SharedMachine::fire_from`](crate::SharedMachine::fire_from): another
    /// move happened first and the machine is no longer in `expected`.
    #[error("`{component}` is in state `{state}`, not `{expected}`: `{event}` was not fired")]
    StateChanged {
        /// The component's name.
        component: &'static str,
        /// The state the caller expected.
        expected: C::State,
        /// The state the machine is in.
        state: C::State,
        /// The event that was not fired.
        event: C::Event,
    },
    /// The transition's guard or action is async: a blocking
    /// [`fire`](crate::StateMachine::fire) cannot run it, and nothing ran.
    /// Fire it with [`fire_async`](crate::StateMachine::fire_async).
    #[error("`{component}` stayed in state `{state}`: the transition on `{event}` is async, fire it with `fire_async`")]
    NeedsAsync {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
    },
    /// A [`SharedMachine`](crate::SharedMachine) was in the middle of an async
    /// move: a blocking move does not wait for it, and nothing changed.
    #[error("`{component}` is busy with an async move from `{state}`: `{event}` was not fired")]
    Busy {
        /// The component's name.
        component: &'static str,
        /// The state the machine was in when the async move began (it stays
        /// there unless that move commits).
        state: C::State,
        /// The event that was not fired.
        event: C::Event,
    },
    /// An async move was cut short by its cancellation signal or time-out
    /// before it finished; the data was restored and the state did not change.
    #[error("`{component}` stayed in state `{state}`: the async move on `{event}` was cancelled")]
    Cancelled {
        /// The component's name.
        component: &'static str,
        /// The state the machine is (still) in.
        state: C::State,
        /// The event that was fired.
        event: C::Event,
    },
}

impl<C: Component> FireError<C> {
    /// The error for an accepted event whose guard or action refused.
    pub(crate) fn refused(state: C::State, event: C::Event, refusal: Refusal) -> Self {
        let component = C::NAME;
        match refusal {
            Refusal::GuardRefused => FireError::GuardRefused {
                component,
                state,
                event,
            },
            Refusal::GuardPanicked(message) => FireError::GuardPanicked {
                component,
                state,
                event,
                message,
            },
            Refusal::ActionFailed(source) => FireError::ActionFailed {
                component,
                state,
                event,
                source: source.into(),
            },
            Refusal::HookFailed { step, source } => FireError::ActionFailed {
                component,
                state,
                event,
                source: std::sync::Arc::new(HookFailed { step, source }),
            },
            Refusal::ActionPanicked(message) => FireError::ActionPanicked {
                component,
                state,
                event,
                message,
            },
            Refusal::NeedsAsync => FireError::NeedsAsync {
                component,
                state,
                event,
            },
            Refusal::Cancelled => FireError::Cancelled {
                component,
                state,
                event,
            },
        }
    }

    /// The state the machine stayed in.
    pub fn state(&self) -> C::State {
        match self {
            FireError::NotAllowed { state, .. }
            | FireError::GuardRefused { state, .. }
            | FireError::GuardPanicked { state, .. }
            | FireError::ActionFailed { state, .. }
            | FireError::ActionPanicked { state, .. }
            | FireError::StateChanged { state, .. }
            | FireError::NeedsAsync { state, .. }
            | FireError::Busy { state, .. }
            | FireError::Cancelled { state, .. } => *state,
        }
    }

    /// The event that was fired.
    pub fn event(&self) -> C::Event {
        match self {
            FireError::NotAllowed { event, .. }
            | FireError::GuardRefused { event, .. }
            | FireError::GuardPanicked { event, .. }
            | FireError::ActionFailed { event, .. }
            | FireError::ActionPanicked { event, .. }
            | FireError::StateChanged { event, .. }
            | FireError::NeedsAsync { event, .. }
            | FireError::Busy { event, .. }
            | FireError::Cancelled { event, .. } => *event,
        }
    }

    /// A short, stable name of the kind of error (for logs and metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            FireError::NotAllowed { .. } => "not_allowed",
            FireError::GuardRefused { .. } => "guard_refused",
            FireError::GuardPanicked { .. } => "guard_panicked",
            FireError::ActionFailed { .. } => "action_failed",
            FireError::ActionPanicked { .. } => "action_panicked",
            FireError::StateChanged { .. } => "state_changed",
            FireError::NeedsAsync { .. } => "needs_async",
            FireError::Busy { .. } => "busy",
            FireError::Cancelled { .. } => "cancelled",
        }
    }
}

impl<C: Component> fmt::Debug for FireError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct(match self {
            FireError::NotAllowed { .. } => "NotAllowed",
            FireError::GuardRefused { .. } => "GuardRefused",
            FireError::GuardPanicked { .. } => "GuardPanicked",
            FireError::ActionFailed { .. } => "ActionFailed",
            FireError::ActionPanicked { .. } => "ActionPanicked",
            FireError::StateChanged { .. } => "StateChanged",
            FireError::NeedsAsync { .. } => "NeedsAsync",
            FireError::Busy { .. } => "Busy",
            FireError::Cancelled { .. } => "Cancelled",
        });
        s.field("component", &C::NAME)
            .field("state", &self.state())
            .field("event", &self.event());
        match self {
            FireError::GuardPanicked { message, .. }
            | FireError::ActionPanicked { message, .. } => {
                s.field("message", message);
            }
            FireError::ActionFailed { source, .. } => {
                s.field("source", source);
            }
            FireError::StateChanged { expected, .. } => {
                s.field("expected", expected);
            }
            FireError::NotAllowed { .. }
            | FireError::GuardRefused { .. }
            | FireError::NeedsAsync { .. }
            | FireError::Busy { .. }
            | FireError::Cancelled { .. } => {}
        }
        s.finish()
    }
}

/// Why a stored state could not be turned back into a machine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RehydrateError {
    /// The stored name is not a state of the component.
    #[error("`{component}` has no state named `{name}`")]
    UnknownState {
        /// The component's name.
        component: &'static str,
        /// The stored name.
        name: String,
    },
    /// The state is declared, but no sequence of declared transitions
    /// reaches it from the initial state, so no machine could be in it.
    #[error("`{component}` can never be in state `{state}`: no declared transition leads there from the initial state")]
    Unreachable {
        /// The component's name.
        component: &'static str,
        /// The state's name.
        state: &'static str,
    },
    /// A stored remembered leaf of a superstate with `history` is not valid
    /// for the component.
    #[error(transparent)]
    Memory(#[from] crate::component::MemoryRefused),
    /// The component's own check of the stored data refused it.
    #[error("`{component}` refused the stored data for state `{state}`")]
    Invalid {
        /// The component's name.
        component: &'static str,
        /// The state's name.
        state: &'static str,
    },
}

/// A machine that is not in the state a typed handle was asked for; it is
/// handed back unchanged.
pub struct WrongState<M, S> {
    /// The machine, unchanged.
    pub machine: M,
    /// The state the typed handle needed.
    pub expected: S,
    /// The state the machine is in.
    pub actual: S,
}

impl<M, S: Label> WrongState<M, S> {
    /// Takes the machine back.
    pub fn into_machine(self) -> M {
        self.machine
    }
}

impl<M, S: Label> fmt::Debug for WrongState<M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrongState")
            .field("expected", &self.expected)
            .field("actual", &self.actual)
            .finish_non_exhaustive()
    }
}

impl<M, S: Label> fmt::Display for WrongState<M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the machine is in state `{}`, not `{}`",
            self.actual, self.expected
        )
    }
}

impl<M, S: Label> std::error::Error for WrongState<M, S> {}
