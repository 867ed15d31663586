//! What the supervisor is told: the strategy, and one [`ChildSpec`] per task.

use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::coordinator::{ComponentCoordinator, ComponentId, CoordinatorError, TaskLink};
use crate::fault::BoxError;

/// Which children restart when one fails (OTP's restart strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Only the failed child restarts.
    OneForOne,
    /// Every child stops (in reverse registration order) and every child
    /// restarts (in registration order).
    OneForAll,
    /// The failed child and the children registered after it (those that
    /// may depend on it: registration order is the init order) stop and
    /// restart.
    RestForOne,
}

/// When a child is restarted after it exits (OTP's restart types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted, even after a normal exit.
    Permanent,
    /// Restarted only after an abnormal exit (an error, a panic, a missed
    /// heartbeat).
    Transient,
    /// Never restarted; once it exits it is gone (also when a sibling's
    /// failure stops it).
    Temporary,
}

/// What a child task returns: `Ok(())` is a normal exit, an error an
/// abnormal one (a panic is abnormal too).
pub type TaskResult = Result<(), BoxError>;

/// A boxed child task.
pub(crate) type TaskFuture = Pin<Box<dyn Future<Output = TaskResult> + Send>>;

/// Makes a fresh task for each (re)start.
pub(crate) type Factory = Box<dyn FnMut(TaskContext) -> TaskFuture + Send>;

/// What a child task gets at each start: its cancellation token (cancelled
/// when the supervisor stops it) and its heartbeat.
#[derive(Debug, Clone)]
pub struct TaskContext {
    /// Cancelled when the supervisor asks the task to stop; the task should
    /// return soon after (within its shutdown timeout, or it is aborted).
    pub token: CancellationToken,
    /// Beat it at least once per heartbeat period (when the child has one).
    pub heartbeat: TaskHeartbeat,
    /// How many times this child was started before (0 the first time).
    pub generation: u64,
}

/// A task's heartbeat: [`beat`](TaskHeartbeat::beat) is one relaxed atomic
/// store (no clock read, no allocation, no lock). The supervisor checks and
/// clears it once per period; a period without a beat is a missed heartbeat.
#[derive(Debug, Clone)]
pub struct TaskHeartbeat(pub(crate) Arc<AtomicBool>);

impl TaskHeartbeat {
    /// Says "alive".
    #[inline]
    pub fn beat(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// One supervised task: its name, restart type, shutdown timeout,
/// heartbeat period, and the function that makes the task.
pub struct ChildSpec {
    pub(crate) name: Arc<str>,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Duration,
    pub(crate) heartbeat: Option<Duration>,
    pub(crate) factory: Factory,
    pub(crate) link: Option<TaskLink>,
}

impl ChildSpec {
    /// A permanent child with a 5 s shutdown timeout and no heartbeat;
    /// `task` makes the future run at each start.
    pub fn new<F, Fut>(name: impl Into<Arc<str>>, mut task: F) -> Self
    where
        F: FnMut(TaskContext) -> Fut + Send + 'static,
        Fut: Future<Output = TaskResult> + Send + 'static,
    {
        ChildSpec {
            name: name.into(),
            restart: Restart::Permanent,
            shutdown: Duration::from_secs(5),
            heartbeat: None,
            factory: Box::new(move |cx| Box::pin(task(cx))),
            link: None,
        }
    }

    /// Sets the restart type.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// How long a stopping task may take after its token is cancelled
    /// before it is aborted (and reported killed).
    pub fn shutdown(mut self, timeout: Duration) -> Self {
        self.shutdown = timeout;
        self
    }

    /// The task must [`beat`](TaskHeartbeat::beat) at least once per
    /// `period`; a period without a beat fails it.
    pub fn heartbeat(mut self, period: Duration) -> Self {
        self.heartbeat = Some(period);
        self
    }

    /// Makes the task the work of `component`, registered with
    /// `coordinator`: the supervisor then moves the component's machine
    /// through its [`Lifecycle`](crate::coordinator::Lifecycle) as the
    /// coordinator does for a worker thread.
    ///
    /// * The supervisor fires `start` (if the state accepts it) before the
    ///   first start.
    /// * A failure (panic, error, missed heartbeat) is logged in the
    ///   coordinator's recovery log, fires `fail`, and is stored as a
    ///   [`Failure`](crate::coordinator::Failure) in
    ///   [`failures`](ComponentCoordinator::failures) with its cleanup outcome
    ///   (the failed task has ended, or was aborted and ended within its
    ///   shutdown timeout) and the action taken.
    /// * A restart fires `restart`: a failed component whose lifecycle has
    ///   no restart event, or whose state refuses it, stays failed and its
    ///   task is not restarted. A sibling restarted with the group moves
    ///   through `restart` if its state accepts it. How often is the
    ///   supervisor's [intensity](super::Supervisor::intensity) (the
    ///   lifecycle's [`RestartPolicy`](crate::coordinator::RestartPolicy) is
    ///   for worker threads).
    /// * Escalation marks the component
    ///   [escalated](ComponentCoordinator::is_escalated).
    /// * The graceful stop fires `stop` (or `abandon` when failed), then
    ///   `stopped` when the task returned in time, `fail` when it was killed.
    ///
    /// # Errors
    ///
    /// [`CoordinatorError::UnknownComponent`] or
    /// [`CoordinatorError::ForeignComponent`] when `component` is not
    /// registered with `coordinator`.
    pub fn component(
        mut self,
        coordinator: &ComponentCoordinator,
        component: ComponentId,
    ) -> Result<Self, CoordinatorError> {
        self.link = Some(coordinator.task_link(component)?);
        Ok(self)
    }

    /// The child's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("name", &self.name)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("heartbeat", &self.heartbeat)
            .field("component", &self.link.as_ref().map(|l| l.component()))
            .finish_non_exhaustive()
    }
}
