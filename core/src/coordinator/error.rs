//! What can go wrong when driving components.

use std::time::Duration;

use super::{ComponentId, WorkerId};
use crate::cleanup::{CleanupError, StepOutcome};
use crate::pool::PoolError;

/// Why the [`ComponentCoordinator`](crate::coordinator::ComponentCoordinator) refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoordinatorError {
    /// The pool refused (no channel for the name, exhausted, over quota...).
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// No component with this id is registered.
    #[error("no component {0} is registered")]
    UnknownComponent(ComponentId),
    /// The id was handed out by another coordinator.
    #[error("component {0} belongs to another coordinator")]
    ForeignComponent(ComponentId),
    /// A lifecycle move was refused; the component did not change.
    #[error("component `{component}`: {reason}")]
    Move {
        /// The component's name.
        component: String,
        /// Why the move was refused.
        reason: String,
    },
    /// The operating system would not start a thread.
    #[error("could not spawn worker `{worker}`: {reason}")]
    Spawn {
        /// The worker's name.
        worker: String,
        /// The OS error.
        reason: String,
    },
    /// The components are stopping; nothing new starts.
    #[error("the coordinator is stopping")]
    Stopping,
    /// Registering cleanup steps failed.
    #[error(transparent)]
    Cleanup(#[from] CleanupError),
}

/// What went wrong with a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FailureCause {
    /// The worker's body panicked; the panic's message.
    Panicked(String),
    /// The worker's body returned an error.
    Errored(String),
    /// No heartbeat for longer than the deadline.
    MissedHeartbeat {
        /// Time since the last beat when detected.
        silent_for: Duration,
        /// The deadline it missed.
        deadline: Duration,
    },
}

impl core::fmt::Display for FailureCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FailureCause::Panicked(message) => write!(f, "panicked: {message}"),
            FailureCause::Errored(message) => write!(f, "returned an error: {message}"),
            FailureCause::MissedHeartbeat {
                silent_for,
                deadline,
            } => write!(
                f,
                "missed its heartbeat deadline: silent for {silent_for:.1?} (deadline {deadline:.1?})"
            ),
        }
    }
}

/// What the coordinator did about a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FailureAction {
    /// No restart is offered: the component stays in its failure state.
    LeftFailed,
    /// The component was restarted with a new worker.
    Restarted(WorkerId),
    /// The restart intensity was exceeded: the failure escalates.
    Escalated,
    /// The restart itself failed (the component stays failed).
    RestartFailed(String),
}

/// One detected failure, with its context.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Failure {
    /// The component's name.
    pub component: String,
    /// The worker's name.
    pub worker: String,
    /// The failed worker.
    pub worker_id: WorkerId,
    /// What went wrong.
    pub cause: FailureCause,
    /// When it was detected (coordinator clock).
    pub detected_at: Duration,
    /// The component's state after the failure move.
    pub state: &'static str,
    /// The outcome of the failed worker's cleanup: `None` until it has
    /// finished (it runs off the detection path; see
    /// [`ComponentCoordinator::check`](super::ComponentCoordinator::check)).
    pub cleanup: Option<StepOutcome>,
    /// What the coordinator did.
    pub action: FailureAction,
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "`{}` worker `{}` ({}) {} -> state {}, cleanup {}, {:?}",
            self.component,
            self.worker,
            self.worker_id,
            self.cause,
            self.state,
            self.cleanup.map_or("-", StepOutcome::name),
            self.action
        )
    }
}
