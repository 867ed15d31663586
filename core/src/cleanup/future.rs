//! Cleanup steps that are futures (feature `tokio`): [`AsyncCleanup`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::error::CleanupError;
use super::report::{CleanupReport, StepReport, Verification};
use crate::component::catch_unwind_async;
use crate::fault::BoxError;
use crate::recovery::{Name, RecoveryEvent, RecoveryLogger, StepOutcome};

/// The work of an async step or its verification.
type AsyncWork = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send + 'static>>;

/// A cleanup step whose action (and verification) are futures.
///
/// As with [`CleanupStep`](super::CleanupStep), a step *depends on* the
/// steps of the parts it uses, and runs before them.
pub struct AsyncCleanupStep {
    name: Arc<str>,
    component: Option<Arc<str>>,
    depends_on: Vec<Arc<str>>,
    action: AsyncWork,
    verify: Option<AsyncWork>,
    timeout: Option<Duration>,
}

impl AsyncCleanupStep {
    /// A step named `name` that awaits `action`. An `Err` marks it `Failed`,
    /// a panic `Panicked`.
    pub fn new<F, E>(name: impl Into<Arc<str>>, action: F) -> Self
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        AsyncCleanupStep {
            name: name.into(),
            component: None,
            depends_on: Vec::new(),
            action: Box::pin(async move { action.await.map_err(Into::into) }),
            verify: None,
            timeout: None,
        }
    }

    /// This step's part uses `dependency`: `dependency` is cleaned up only
    /// after this step has finished.
    pub fn depends_on(mut self, dependency: impl Into<Arc<str>>) -> Self {
        self.depends_on.push(dependency.into());
        self
    }

    /// Awaited after the action succeeds; an `Err` or a panic marks the step
    /// `Unverified`.
    pub fn verify<F, E>(mut self, check: F) -> Self
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.verify = Some(Box::pin(async move { check.await.map_err(Into::into) }));
        self
    }

    /// The step (action and verification) is dropped at `timeout` and
    /// reported `TimedOut`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Names the component the step belongs to (in the report and the log).
    pub fn component(mut self, component: impl Into<Arc<str>>) -> Self {
        self.component = Some(component.into());
        self
    }
}

impl core::fmt::Debug for AsyncCleanupStep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AsyncCleanupStep")
            .field("name", &self.name)
            .field("depends_on", &self.depends_on)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Ordered cleanup of async steps: [`cleanup_async`](AsyncCleanup::cleanup_async)
/// runs each step after every step that depends on it, independent steps
/// concurrently (as tokio tasks), each under its timeout, and reports and
/// logs each one as the blocking [`CleanupCoordinator`](super::CleanupCoordinator)
/// does. A failed, panicking or timed-out step is recorded and the rest go
/// on. Cleanup is idempotent: a second call has nothing left to run.
///
/// ```
/// use std::time::Duration;
/// use typestep::cleanup::{AsyncCleanup, AsyncCleanupStep, StepOutcome};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), typestep::cleanup::CleanupError> {
/// let cleanup = AsyncCleanup::new();
/// cleanup.register(AsyncCleanupStep::new("pool", async { Ok::<(), std::io::Error>(()) }))?;
/// cleanup.register(
///     AsyncCleanupStep::new("flush", async {
///         std::future::pending::<()>().await; // hangs
///         Ok::<(), std::io::Error>(())
///     })
///     .depends_on("pool")
///     .timeout(Duration::from_millis(20)),
/// )?;
/// let report = cleanup.cleanup_async().await;
/// assert_eq!(report.outcome("flush"), Some(StepOutcome::TimedOut));
/// assert_eq!(report.outcome("pool"), Some(StepOutcome::Ok));
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct AsyncCleanup {
    steps: Mutex<Vec<AsyncCleanupStep>>,
    logger: Option<Arc<RecoveryLogger>>,
}

impl AsyncCleanup {
    /// No steps, no logger.
    pub fn new() -> Self {
        AsyncCleanup::default()
    }

    /// Logs every step in `logger`.
    pub fn with_logger(mut self, logger: Arc<RecoveryLogger>) -> Self {
        self.logger = Some(logger);
        self
    }

    /// Registers `step`. Its dependencies must be registered already (so
    /// the steps can never form a cycle); names are unique.
    pub fn register(&self, step: AsyncCleanupStep) -> Result<(), CleanupError> {
        let mut steps = self.steps.lock();
        if steps.iter().any(|s| s.name == step.name) {
            return Err(CleanupError::Duplicate(step.name.to_string()));
        }
        if let Some(missing) = step
            .depends_on
            .iter()
            .find(|d| !steps.iter().any(|s| &s.name == *d))
        {
            return Err(CleanupError::MissingDependency {
                step: step.name.to_string(),
                missing: missing.to_string(),
            });
        }
        steps.push(step);
        Ok(())
    }

    /// Runs every registered step (see the type's docs) and returns one row
    /// per step, in the order they finished.
    pub async fn cleanup_async(&self) -> CleanupReport {
        let steps = std::mem::take(&mut *self.steps.lock());
        let names: Vec<Arc<str>> = steps.iter().map(|s| s.name.clone()).collect();
        let index = |name: &Arc<str>| names.iter().position(|n| n == name);
        // dependencies[i]: the steps `i` depends on; waiting[i]: how many
        // steps that depend on `i` have not finished.
        let dependencies: Vec<Vec<usize>> = steps
            .iter()
            .map(|s| s.depends_on.iter().filter_map(index).collect())
            .collect();
        let mut waiting = vec![0usize; steps.len()];
        for deps in &dependencies {
            for &d in deps {
                if let Some(w) = waiting.get_mut(d) {
                    *w += 1;
                }
            }
        }
        let components: Vec<Option<Arc<str>>> = steps.iter().map(|s| s.component.clone()).collect();
        let mut work: Vec<Option<AsyncCleanupStep>> = steps.into_iter().map(Some).collect();
        let mut set = JoinSet::new();
        let spawn = |set: &mut JoinSet<(usize, Finished)>, i: usize, step: AsyncCleanupStep| {
            set.spawn(async move { (i, run_step(step).await) });
        };
        for (i, slot) in work.iter_mut().enumerate() {
            if waiting.get(i) == Some(&0) {
                if let Some(step) = slot.take() {
                    spawn(&mut set, i, step);
                }
            }
        }
        let mut report = CleanupReport::default();
        while let Some(joined) = set.join_next().await {
            // Each task catches its step's panics; a `JoinError` would mean the
            // runtime is shutting down, and nothing more can be run.
            let Ok((i, finished)) = joined else { break };
            let name = names.get(i).cloned().unwrap_or_else(|| Arc::from("?"));
            let component = components.get(i).cloned().flatten();
            if let Some(logger) = &self.logger {
                logger.record(RecoveryEvent::cleanup(
                    component.clone().unwrap_or_else(|| name.clone()),
                    name.clone(),
                    finished.outcome,
                    finished.duration,
                    finished.context.clone().map(Name::from),
                ));
            }
            report.steps.push(StepReport {
                name: name.to_string(),
                component: component.as_deref().map(str::to_owned),
                outcome: finished.outcome,
                verification: finished.verification,
                duration: finished.duration,
                context: finished.context,
            });
            for &d in dependencies.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(w) = waiting.get_mut(d) else {
                    continue;
                };
                *w -= 1;
                if *w == 0 {
                    if let Some(step) = work.get_mut(d).and_then(Option::take) {
                        spawn(&mut set, d, step);
                    }
                }
            }
        }
        report
    }
}

impl core::fmt::Debug for AsyncCleanup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AsyncCleanup")
            .field("steps", &self.steps.lock().len())
            .finish_non_exhaustive()
    }
}

/// How one async step ended.
struct Finished {
    outcome: StepOutcome,
    verification: Verification,
    duration: Duration,
    context: Option<String>,
}

/// Awaits the action, then the verification, catching panics, all under the
/// step's timeout.
async fn run_step(step: AsyncCleanupStep) -> Finished {
    let started = Instant::now();
    let run = async move {
        let (mut outcome, mut context) = match catch_unwind_async(step.action).await {
            Ok(Ok(())) => (StepOutcome::Ok, None),
            Ok(Err(error)) => (StepOutcome::Failed, Some(error.to_string())),
            Err(message) => (StepOutcome::Panicked, Some(format!("panicked: {message}"))),
        };
        let verification = match step.verify {
            None => Verification::NotDeclared,
            Some(check) => match catch_unwind_async(check).await {
                Ok(Ok(())) => Verification::Passed,
                failed => {
                    let problem = match failed {
                        Ok(Err(error)) => format!("verification failed: {error}"),
                        Err(message) => format!("verification panicked: {message}"),
                        Ok(Ok(())) => String::new(),
                    };
                    Verification::failed(&mut outcome, &mut context, problem)
                }
            },
        };
        (outcome, verification, context)
    };
    let timed = match step.timeout {
        Some(limit) => tokio::time::timeout(limit, run).await.map_err(|_| limit),
        None => Ok(run.await),
    };
    match timed {
        Ok((outcome, verification, context)) => Finished {
            outcome,
            verification,
            duration: started.elapsed(),
            context,
        },
        Err(limit) => Finished {
            outcome: StepOutcome::TimedOut,
            verification: Verification::NotRun,
            duration: limit,
            context: Some(format!("timed out after {limit:?}; the step was dropped")),
        },
    }
}
