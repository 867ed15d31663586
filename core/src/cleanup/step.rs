//! One cleanup step: what to do, how to check it happened, how long it may take.

use std::sync::Arc;
use std::time::Duration;

use crate::fault::BoxError;

/// The work of a step or its verification; runs once, on a worker thread.
pub(crate) type Work = Box<dyn FnOnce() -> Result<(), BoxError> + Send + 'static>;

/// A cleanup step as it is registered with a
/// [`CleanupCoordinator`](crate::cleanup::CleanupCoordinator).
///
/// A step *depends on* the steps of the parts it uses. Cleanup runs in the
/// reverse order: a step runs only after every step that depends on it has
/// finished (the user of a pool is cleaned up before the pool).
///
/// ```
/// use typestep::cleanup::CleanupStep;
/// use std::time::Duration;
///
/// let step = CleanupStep::new("buffers", || Ok::<(), std::io::Error>(()))
///     .depends_on("pool")
///     .verify_that(|| true) // e.g. "every buffer is back in the pool"
///     .timeout(Duration::from_millis(200));
/// assert_eq!(step.name(), "buffers");
/// ```
pub struct CleanupStep {
    pub(crate) name: Arc<str>,
    pub(crate) component: Option<Arc<str>>,
    pub(crate) depends_on: Vec<Arc<str>>,
    pub(crate) action: Work,
    pub(crate) verify: Option<Work>,
    pub(crate) timeout: Option<Duration>,
}

impl CleanupStep {
    /// A step named `name` that runs `action`. An `Err` from the action
    /// marks the step `Failed`; a panic marks it `Panicked`.
    pub fn new<F, E>(name: impl Into<Arc<str>>, action: F) -> Self
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
        E: Into<BoxError>,
    {
        CleanupStep {
            name: name.into(),
            component: None,
            depends_on: Vec::new(),
            action: Box::new(move || action().map_err(Into::into)),
            verify: None,
            timeout: None,
        }
    }

    /// Declares that this step's part uses `dependency`, so `dependency` is
    /// cleaned up only after this step has finished.
    pub fn depends_on(mut self, dependency: impl Into<Arc<str>>) -> Self {
        self.depends_on.push(dependency.into());
        self
    }

    /// Checks, after the action, that the cleanup really happened (resources
    /// returned, threads joined). An `Err` or a panic marks an otherwise
    /// successful step `Unverified`. It also runs after a failed action, so the
    /// report tells whether the failure left anything behind.
    pub fn verify<F, E>(mut self, check: F) -> Self
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
        E: Into<BoxError>,
    {
        self.verify = Some(Box::new(move || check().map_err(Into::into)));
        self
    }

    /// Like [`verify`](Self::verify) with a yes/no check.
    pub fn verify_that<F>(self, check: F) -> Self
    where
        F: FnOnce() -> bool + Send + 'static,
    {
        self.verify(move || {
            if check() {
                Ok(())
            } else {
                Err(BoxError::from("verification check returned false"))
            }
        })
    }

    /// How long the action and verification together may take before the
    /// step is reported `TimedOut` (default: the coordinator's).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Names the component the step belongs to (shown in reports and logs).
    pub fn component(mut self, component: impl Into<Arc<str>>) -> Self {
        self.component = Some(component.into());
        self
    }

    /// The step's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The names of the steps this one depends on.
    pub fn dependencies(&self) -> impl Iterator<Item = &str> {
        self.depends_on.iter().map(|d| &**d)
    }
}

impl core::fmt::Debug for CleanupStep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CleanupStep")
            .field("name", &self.name)
            .field("component", &self.component)
            .field("depends_on", &self.depends_on)
            .field("verified", &self.verify.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
