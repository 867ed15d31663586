//! Ordered, verified cleanup: [`CleanupCoordinator`].
//!
//! Components register [`CleanupStep`]s with the steps they depend on.
//! [`cleanup`](CleanupCoordinator::cleanup) runs every step after all the steps
//! that depend on it, independent steps in parallel, each with a verification
//! and a timeout, and returns a [`CleanupReport`] with one [`StepReport`] per
//! step (Ok, Failed, Panicked, Unverified, TimedOut or Skipped). A failing,
//! panicking or hung step is recorded and the rest go on (see
//! [`FailurePolicy`]); cleanup is idempotent. With a
//! [`RecoveryLogger`] attached, every step is
//! logged.
//!
//! ```
//! use typestep::cleanup::{CleanupCoordinator, CleanupStep, StepOutcome};
//!
//! let cleanup = CleanupCoordinator::new();
//! cleanup.register(CleanupStep::new("pool", || Ok::<(), std::io::Error>(())))?;
//! cleanup.register(CleanupStep::new("buffers", || Ok::<(), std::io::Error>(())).depends_on("pool"))?;
//! let report = cleanup.cleanup();
//! assert_eq!(report.outcome("buffers"), Some(StepOutcome::Ok));
//! assert!(report.is_clean());
//! # Ok::<(), typestep::cleanup::CleanupError>(())
//! ```
//!
//! # Errors
//!
//! Registration refuses what would make the plan wrong with a [`CleanupError`]:
//! a duplicate step name, a dependency on an unknown step, a cycle (named as a
//! path), or a dependency on a step whose cleanup already started. What goes wrong while a step runs is not an error of `cleanup()`:
//! it is that step's [`StepOutcome`] in the report.

mod error;
mod link;
mod registry;
mod report;
mod run;
mod step;
mod system;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use crate::recovery::RecoveryLogger;
use registry::{Registry, StepState, Wake};

pub use crate::recovery::StepOutcome;
pub use error::CleanupError;
pub use link::{CleanupLink, LinkHandle};
pub use report::{CleanupReport, StepReport, Verification};
pub use step::CleanupStep;

/// What happens to the dependencies of a step that did not finish cleanly
/// (failed, panicked, unverified, timed out or skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FailurePolicy {
    /// They still run (the default, as an OTP supervisor shuts down every
    /// child even when one fails): a failure is recorded, the rest goes on.
    #[default]
    RunDependencies,
    /// They are reported [`Skipped`](StepOutcome::Skipped), and so are their
    /// own dependencies: use it when cleaning a part up while a user of it may
    /// still be running (a hung step) is worse than leaving it.
    SkipDependencies,
}

/// How a registration relates to cleanup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Registered {
    /// No cleanup is running: the steps run at the next
    /// [`cleanup`](CleanupCoordinator::cleanup).
    Queued,
    /// A cleanup is running: the steps joined it and will run in it.
    JoinedRunningCleanup,
}

/// Runs registered cleanup steps in dependency order and reports each one.
///
/// * A step runs only after every step that depends on it has finished;
///   independent steps run in parallel (at most
///   [`max_parallel`](Self::max_parallel) at once, on worker threads started
///   for the cleanup and never joined),
///   or one at a time in registration order with [`sequential`](Self::sequential).
/// * Each step has a verification and a timeout. A step that fails, panics,
///   fails verification or hangs is recorded and the rest still runs (see
///   [`FailurePolicy`]). A hung step's thread is left running, reported
///   `TimedOut`, and listed by [`lingering`](Self::lingering) until it returns.
/// * Registration validates the graph: a duplicate, a missing dependency or a
///   cycle is a [`CleanupError`] and nothing of that batch is kept.
/// * Cleanup is idempotent: each step runs at most once; calling
///   [`cleanup`](Self::cleanup) again (or before anything is registered) runs
///   only what is still pending. Steps registered while a cleanup runs join it.
///
/// ```
/// use typestep::cleanup::{CleanupCoordinator, CleanupStep, StepOutcome};
///
/// let coordinator = CleanupCoordinator::new();
/// coordinator.register_all([
///     CleanupStep::new("pool", || Ok::<(), std::io::Error>(())),
///     CleanupStep::new("buffers", || Err::<(), _>("a buffer is still borrowed"))
///         .depends_on("pool"),
/// ])?;
/// let report = coordinator.cleanup();
/// assert_eq!(report.outcome("buffers"), Some(StepOutcome::Failed));
/// assert_eq!(report.outcome("pool"), Some(StepOutcome::Ok)); // still runs
/// println!("{report}");
/// # Ok::<(), typestep::cleanup::CleanupError>(())
/// ```
pub struct CleanupCoordinator {
    registry: Mutex<Registry>,
    /// Held by the one running cleanup; a second call waits, then finds nothing pending.
    running: Mutex<()>,
    max_parallel: usize,
    default_timeout: Duration,
    policy: FailurePolicy,
    logger: Option<Arc<RecoveryLogger>>,
}

impl Default for CleanupCoordinator {
    fn default() -> Self {
        Self::new()
    }
}

impl CleanupCoordinator {
    /// The timeout of a step that does not set its own.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// A parallel coordinator (as many steps at once as the machine has
    /// cores, at least two), with the default policy and timeout.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        CleanupCoordinator {
            registry: Mutex::new(Registry::default()),
            running: Mutex::new(()),
            max_parallel: cores.max(2),
            default_timeout: Self::DEFAULT_TIMEOUT,
            policy: FailurePolicy::default(),
            logger: None,
        }
    }

    /// Runs one step at a time, in registration order among the ready ones:
    /// the order is deterministic (for tests); timeouts still apply.
    pub fn sequential(self) -> Self {
        self.max_parallel(1)
    }

    /// Runs at most `steps` steps at once (at least one).
    pub fn max_parallel(mut self, steps: usize) -> Self {
        self.max_parallel = steps.max(1);
        self
    }

    /// The timeout of steps that do not set their own.
    pub fn default_timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// What happens to the dependencies of a step that did not finish cleanly.
    pub fn policy(mut self, policy: FailurePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Records every finished step (and its failure) in `logger`.
    pub fn logger(mut self, logger: Arc<RecoveryLogger>) -> Self {
        self.logger = Some(logger);
        self
    }

    /// Registers one step; see [`register_all`](Self::register_all).
    pub fn register(&self, step: CleanupStep) -> Result<Registered, CleanupError> {
        self.register_all([step])
    }

    /// Registers a batch of steps whose dependencies may refer to each other
    /// or to steps registered before. Either all are registered or, on an
    /// error, none.
    pub fn register_all(
        &self,
        steps: impl IntoIterator<Item = CleanupStep>,
    ) -> Result<Registered, CleanupError> {
        let mut registry = self.registry.lock();
        registry.add(steps.into_iter().collect())?;
        Ok(Self::announce(&registry))
    }

    /// Registers `steps` like [`register_all`](Self::register_all), and calls
    /// `on_done` with their rows once the last of them has finished (in any
    /// outcome). The call happens on the thread running
    /// [`cleanup`](Self::cleanup), never while the coordinator is locked, so
    /// it may register more steps or fire state machines. A panic in it is
    /// caught (and logged if a logger is set). With no steps, it is called
    /// during the next cleanup.
    pub fn register_group<F>(
        &self,
        steps: impl IntoIterator<Item = CleanupStep>,
        on_done: F,
    ) -> Result<Registered, CleanupError>
    where
        F: FnOnce(Vec<StepReport>) + Send + 'static,
    {
        let mut registry = self.registry.lock();
        let first = registry.entries.len();
        registry.add(steps.into_iter().collect())?;
        registry.group(first, Box::new(on_done));
        Ok(Self::announce(&registry))
    }

    /// Wakes a running cleanup to look at new steps; tells which case applies.
    fn announce(registry: &Registry) -> Registered {
        match &registry.waker {
            Some(waker) => {
                // The scheduler may be waiting for a step to finish; wake it.
                let _ = waker.send(Wake::Registered);
                Registered::JoinedRunningCleanup
            }
            None => Registered::Queued,
        }
    }

    /// The cleanup order of every registered step as levels of names, first
    /// level first: the steps of a level are independent of each other and
    /// can run once every earlier level is done (the run-time counterpart of
    /// a [`System`](crate::System)'s [`CleanupPlan`](crate::system::CleanupPlan)).
    pub fn levels(&self) -> Vec<Vec<String>> {
        let registry = self.registry.lock();
        registry
            .levels()
            .into_iter()
            .map(|level| {
                level
                    .into_iter()
                    .map(|id| registry.entries[id].name.to_string())
                    .collect()
            })
            .collect()
    }

    /// Runs every pending step and returns the report of every finished
    /// step. Returns once each started step has finished or timed out. A
    /// second call while one runs waits for it, then finds nothing pending;
    /// so a step must not call it (it would wait for itself and time out).
    pub fn cleanup(&self) -> CleanupReport {
        let _one_at_a_time = self.running.lock();
        self.run_pending();
        self.report()
    }

    /// Keeps cleanups from starting while the guard lives (waiting for a
    /// running one to end first), so that steps registered in several calls
    /// are seen together by the next cleanup.
    pub(crate) fn hold(&self) -> parking_lot::MutexGuard<'_, ()> {
        self.running.lock()
    }

    /// The rows of the steps finished so far, in the order they finished.
    pub fn report(&self) -> CleanupReport {
        let registry = self.registry.lock();
        CleanupReport {
            steps: registry
                .finished
                .iter()
                .filter_map(|&id| match &registry.entries[id].state {
                    StepState::Done(row) => Some(row.clone()),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Whether a cleanup is running now.
    pub fn is_cleaning(&self) -> bool {
        self.registry.lock().waker.is_some()
    }

    /// How many steps are registered.
    pub fn len(&self) -> usize {
        self.registry.lock().entries.len()
    }

    /// Whether no step is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The steps that timed out and whose threads have not returned yet.
    pub fn lingering(&self) -> Vec<String> {
        self.registry
            .lock()
            .lingering
            .iter()
            .filter(|(_, returned)| !returned.load(Ordering::Acquire))
            .map(|(name, _)| name.to_string())
            .collect()
    }
}

impl core::fmt::Debug for CleanupCoordinator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CleanupCoordinator")
            .field("steps", &self.len())
            .field("max_parallel", &self.max_parallel)
            .field("default_timeout", &self.default_timeout)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
