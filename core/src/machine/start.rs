//! `StateMachine::start`: a machine whose initial configuration was entered
//! (see [`crate::component::StartFailed`] for the rules).

use super::StateMachine;
use crate::component::{enter, enter_async, Component, StartFailed};

impl<C: Component> StateMachine<C> {
    /// Starts `data` in the initial state after running the entry actions
    /// of the initial configuration ([`Component::enter_initial`]): the
    /// superstates that hold the initial leaf, outermost first, then the
    /// leaf. Not a move: it is not numbered, recorded or observed (observers
    /// are attached after). [`new`](StateMachine::new) runs nothing.
    ///
    /// # Errors
    ///
    /// [`StartFailed`], with the data restored, when one fails or panics, or
    /// is `async` (`Refusal::NeedsAsync`: use
    /// [`start_async`](StateMachine::start_async)).
    pub fn start(data: C) -> Result<Self, StartFailed<C>> {
        enter(data).map(StateMachine::new)
    }

    /// [`start`](StateMachine::start), awaiting `async` entry actions;
    /// dropping the future before it finishes drops the data restored.
    ///
    /// # Errors
    ///
    /// [`StartFailed`], with the data restored, when one fails or panics.
    pub async fn start_async(data: C) -> Result<Self, StartFailed<C>> {
        enter_async(data).await.map(StateMachine::new)
    }
}
