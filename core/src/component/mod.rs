//! A component's declared lifecycle and one move over it.
//!
//! Everything the runtime knows about a component comes from the [`Component`]
//! trait that `#[derive(Component)]` implements: the states and events (as
//! [`Label`] enums), the initial and terminal states, and the transition table
//! ([`Component::edge`], [`Component::TRANSITIONS`]). The typestate handle
//! [`Typed`] and the run-time [`StateMachine`](crate::StateMachine) read this one
//! table and move through the same [`perform`]: guard, [`Snapshot`], action, then
//! commit or restore. They can never disagree.
//!
//! This module also holds what generated code and hand-written impls need:
//! [`Edge`], [`Step`], the marker traits [`StateMarker`] and [`EventMarker`], and
//! [`run_action`], the snapshot wrapper put around every declared action.
//! Nested states (`states(Idle, Blinking(LedOn, LedOff))`) are flattened by the
//! derive into leaf moves; [`Region`] answers `is_in`, [`Component::NESTING`]
//! lists the superstates, and [`run_chain`] runs a move's exit actions, action
//! and entry actions under one snapshot ([`HookFailed`] names a failing one).
//! With `history`, a typed handle carries the remembered leaves
//! ([`MemorySlots`]) and a move into such a superstate gives a [`Within`]
//! handle; [`StartFailed`] says why entering the initial configuration
//! (`start`) did not happen.
//!
//! ```
//! use typestep::prelude::*;
//! use typestep::component::{Component, Label};
//!
//! #[derive(Component, Clone, Debug)]
//! #[component(states(Off, On), initial = Off)]
//! #[transition(Off -> On on Press, guard = Self::powered)]
//! #[transition(On -> Off on Press)]
//! struct Lamp { powered: bool }
//!
//! impl Lamp {
//!     fn powered(&self) -> bool { self.powered }
//! }
//!
//! // The table, as data:
//! assert_eq!(Lamp::INITIAL, lamp::State::Off);
//! assert_eq!(Lamp::TRANSITIONS.len(), 2);
//! assert_eq!(lamp::State::from_name("On"), Some(lamp::State::On));
//!
//! // A guarded move hands the old handle back when it is refused.
//! let refused = Typed::new(Lamp { powered: false }).fire(lamp::Press).unwrap_err();
//! assert!(matches!(refused.reason, Refusal::GuardRefused));
//! ```
//!
//! # Errors
//!
//! A move that does not happen says why with a [`Refusal`]: the guard refused or
//! panicked, or the action failed or panicked (the data was then restored from
//! its snapshot). Typed handles wrap it in [`Rejected`], which hands the old
//! handle back. An event the current state does not accept is a compile error
//! for typed handles and [`Step::NotAllowed`] at run time.

mod action;
mod async_move;
mod future;
mod memory;
mod nested;
mod refusal;
mod slots;
mod snapshot;
mod start;
mod table;
mod typed;
mod within;

pub use crate::fault::BoxError;
pub use action::run_action;
pub(crate) use async_move::UntilSignal;
pub use async_move::{
    AsyncMove, AsyncResume, AsyncWithinMove, Boxer, Landing, MoveFuture, Origin, TypedAsyncMove,
};
pub use future::{
    action_verdict, catch_unwind_async, guard_verdict, into_async, poll_caught, run_guard,
    run_guard_async, run_hook_async, ActionGuard, Caught,
};
pub use memory::{HistoryMemory, MemoryRefused};
pub(crate) use nested::{dot_clusters, mermaid_nesting};
pub use nested::{inside, parent_of, run_chain, run_chained_action, run_hook, HookFailed, Region};
pub use refusal::Refusal;
pub use slots::MemorySlots;
pub use snapshot::{ByClone, Snapshot};
pub use start::StartFailed;
pub(crate) use start::{enter, enter_async};
pub use table::{
    perform, take_edge, Action, AsyncStep, Component, Edge, EventMarker, Guard, Label, StateMarker,
    Step, Superstate, TransitionSpec,
};
pub use typed::{Rejected, Transition, Typed};
pub use within::{
    leave_within, leave_within_infallible, move_within, move_within_infallible, resume,
    resume_infallible, within_leaf, Leaves, RejectedWithin, SuperTransition, Within,
};

pub(crate) use typed::{advance, try_advance};
