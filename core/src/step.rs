//! One move: guard, snapshot, action, then commit or restore.
//!
//! Both the typestate handles and the run-time machine perform moves through
//! [`perform`], so a move means the same thing on either side.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::component::{Component, Edge};
use crate::snapshot::Snapshot;

/// A boxed error from a user's action.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why an accepted event did not move the component. In every case the data
/// is what it was before the move was tried.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The transition's guard returned `false`.
    #[error("the guard refused the move")]
    GuardRefused,
    /// The guard panicked; the message is the panic's payload.
    #[error("the guard panicked: {0}")]
    GuardPanicked(String),
    /// The action returned an error; the data was restored from its snapshot.
    #[error("the action failed: {0}")]
    ActionFailed(#[source] BoxError),
    /// The action panicked; the data was restored from its snapshot.
    #[error("the action panicked: {0}")]
    ActionPanicked(String),
}

impl Refusal {
    /// A short, stable name of the kind of refusal (for logs and metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::GuardRefused => "guard_refused",
            Refusal::GuardPanicked(_) => "guard_panicked",
            Refusal::ActionFailed(_) => "action_failed",
            Refusal::ActionPanicked(_) => "action_panicked",
        }
    }
}

/// Performs the guard and action of `edge` on `data`.
///
/// On `Err` the data equals what it was before the call: the guard only reads
/// it, and the action wrapper restores its snapshot.
#[inline(always)]
pub fn perform<C: Component>(data: &mut C, edge: &Edge<C>) -> Result<(), Refusal> {
    if let Some(guard) = edge.guard {
        match catch_unwind(AssertUnwindSafe(|| guard(data))) {
            Ok(true) => {}
            Ok(false) => return Err(Refusal::GuardRefused),
            Err(payload) => return Err(Refusal::GuardPanicked(panic_message(payload.as_ref()))),
        }
    }
    if let Some(action) = edge.action {
        action(data)?;
    }
    Ok(())
}

/// The outcome of one move tried by [`Component::step`].
///
/// In the `NotAllowed` and `Refused` cases the data is what it was before the
/// move was tried.
pub enum Step<C: Component> {
    /// The state has no transition on the event; nothing ran.
    NotAllowed,
    /// The transition to `to` was refused by its guard or action.
    Refused {
        /// The state the move would have entered.
        to: C::State,
        /// Why it did not.
        refusal: Refusal,
    },
    /// The guard and action ran; the component enters this state.
    Moved(C::State),
}

impl<C: Component> std::fmt::Debug for Step<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::NotAllowed => f.write_str("NotAllowed"),
            Step::Refused { to, refusal } => f
                .debug_struct("Refused")
                .field("to", to)
                .field("refusal", refusal)
                .finish(),
            Step::Moved(to) => f.debug_tuple("Moved").field(to).finish(),
        }
    }
}

/// Takes `edge` (see [`perform`]) and says where it led.
///
/// Always inlined: when `edge` is a constant (as in the step the derive
/// generates) its guard and action become direct, inlinable calls.
#[inline(always)]
pub fn take_edge<C: Component>(data: &mut C, edge: Edge<C>) -> Step<C> {
    match perform(data, &edge) {
        Ok(()) => Step::Moved(edge.to),
        Err(refusal) => Step::Refused {
            to: edge.to,
            refusal,
        },
    }
}

/// Runs a user's action under a snapshot of `data` taken with `C::Snapshot`.
///
/// The derive wraps every declared action in this function; it is public only
/// for generated code and hand-written [`Component`] impls.
#[inline]
pub fn run_action<C, E>(data: &mut C, action: fn(&mut C) -> Result<(), E>) -> Result<(), Refusal>
where
    C: Component,
    C::Snapshot: Snapshot<C>,
    E: std::error::Error + Send + Sync + 'static,
{
    let saved = <C::Snapshot as Snapshot<C>>::save(data);
    let outcome = catch_unwind(AssertUnwindSafe(|| action(data)));
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => {
            <C::Snapshot as Snapshot<C>>::restore(data, saved);
            Err(Refusal::ActionFailed(Box::new(error)))
        }
        Err(payload) => {
            <C::Snapshot as Snapshot<C>>::restore(data, saved);
            Err(Refusal::ActionPanicked(panic_message(payload.as_ref())))
        }
    }
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}
