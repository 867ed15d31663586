//! Why an accepted event did not move a component.

use crate::fault::BoxError;

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
    /// An exit or entry action of the move returned an error; the data was
    /// restored from its snapshot. `step` names it (`"entry of Idle"`).
    ///
    /// Kept apart from [`ActionFailed`](Refusal::ActionFailed) so that the
    /// step's name travels without a second allocation (with an error type
    /// that needs none, a failing hook allocates nothing, and the move's
    /// success path needs no stack frame).
    /// [`FireError`](crate::machine::FireError) reports it as
    /// `ActionFailed` whose source is a
    /// [`HookFailed`](crate::component::HookFailed).
    #[error("the {step} failed: {source}")]
    HookFailed {
        /// The step, as in `"entry of Idle"` or `"exit of LedOn"`.
        step: &'static str,
        /// The action's error.
        #[source]
        source: BoxError,
    },
    /// The action panicked; the data was restored from its snapshot.
    #[error("the action panicked: {0}")]
    ActionPanicked(String),
    /// The transition's guard or action is async: a blocking move cannot run
    /// it. Nothing ran; fire it with
    /// [`StateMachine::fire_async`](crate::StateMachine::fire_async).
    #[error("the transition is async: fire it with `fire_async` (nothing ran)")]
    NeedsAsync,
    /// An async move was cancelled (by a timeout or a cancellation signal)
    /// before it finished; the data was restored from its snapshot.
    #[error("the async move was cancelled before it finished; the data was restored")]
    Cancelled,
}

impl Refusal {
    /// A short, stable name of the kind of refusal (for logs and metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::GuardRefused => "guard_refused",
            Refusal::GuardPanicked(_) => "guard_panicked",
            Refusal::ActionFailed(_) | Refusal::HookFailed { .. } => "action_failed",
            Refusal::ActionPanicked(_) => "action_panicked",
            Refusal::NeedsAsync => "needs_async",
            Refusal::Cancelled => "cancelled",
        }
    }
}
