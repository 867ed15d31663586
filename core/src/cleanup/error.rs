//! Why a cleanup step could not be registered.

/// A registration the coordinator refused. Nothing of a refused registration
/// is kept: either every step of a batch is registered or none is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CleanupError {
    /// A step names a dependency that is neither registered nor in the same batch.
    #[error("cleanup step `{step}` depends on `{missing}`, which is not registered")]
    MissingDependency {
        /// The step that names the dependency.
        step: String,
        /// The name that matches no step.
        missing: String,
    },
    /// The dependencies form a cycle; `path` starts and ends with the same step.
    #[error("cleanup dependencies form a cycle: {}", .path.join(" -> "))]
    Cycle {
        /// The steps on the cycle, e.g. `["a", "b", "c", "a"]`.
        path: Vec<String>,
    },
    /// Two steps have the same name.
    #[error("a cleanup step named `{0}` is already registered")]
    Duplicate(String),
    /// The step depends on a step whose cleanup has already started or
    /// finished, so it can no longer run before it. Clean the component up
    /// directly instead.
    #[error("cleanup step `{step}` depends on `{dependency}`, whose cleanup has already started")]
    DependencyAlreadyCleaned {
        /// The step being registered.
        step: String,
        /// The dependency that is already being cleaned up or is done.
        dependency: String,
    },
}
