//! The description of a component that `#[derive(Component)]` generates.
//!
//! Everything the runtime knows about a component's lifecycle comes from the
//! [`Component`] trait: the states and events (as [`Label`] enums), the
//! initial and terminal states, and the transition table ([`Component::edge`]).
//! The typestate handles ([`Typed`](crate::Typed)) and the run-time
//! [`StateMachine`](crate::StateMachine) both read this one table, so the two
//! can never disagree.

mod action;
mod refusal;
mod snapshot;
mod table;
mod typed;

pub use crate::fault::BoxError;
pub use action::run_action;
pub use refusal::Refusal;
pub use snapshot::{ByClone, Snapshot};
pub use table::{
    perform, take_edge, Action, Component, Edge, EventMarker, Guard, Label, StateMarker, Step,
    TransitionSpec,
};
pub use typed::{Rejected, Transition, Typed};

pub(crate) use typed::{advance, try_advance};
