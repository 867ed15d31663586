//! Building a coordinator's steps from a [`System`]'s declared graph.

use super::{CleanupCoordinator, CleanupError, CleanupStep, Registered};
use crate::system::{CleanupPlan, System};

impl CleanupCoordinator {
    /// Registers one step per part of the system `S`, made by `step_for(part)`
    /// and named after the part, with the dependencies `S` declares (so the
    /// steps are cleaned in `S::CLEANUP_PLAN` order, independent branches in
    /// parallel). Dependencies `step_for` adds are kept.
    ///
    /// ```
    /// use typestep::prelude::*;
    /// use typestep::cleanup::{CleanupCoordinator, CleanupStep};
    ///
    /// # struct ResourcePool; struct ComponentCoordinator; struct BufferManager;
    /// #[derive(System)]
    /// struct Monitoring {
    ///     pool: ResourcePool,
    ///     #[depends_on(pool)]
    ///     coordinator: ComponentCoordinator,
    ///     #[depends_on(pool, coordinator)]
    ///     buffers: BufferManager,
    /// }
    ///
    /// let cleanup = CleanupCoordinator::new();
    /// cleanup.register_system::<Monitoring>(|part| {
    ///     CleanupStep::new(part, move || Ok::<(), std::io::Error>(()))
    /// })?;
    /// assert_eq!(cleanup.levels(), [["buffers"], ["coordinator"], ["pool"]]);
    /// # Ok::<(), typestep::cleanup::CleanupError>(())
    /// ```
    pub fn register_system<S: System>(
        &self,
        mut step_for: impl FnMut(&'static str) -> CleanupStep,
    ) -> Result<Registered, CleanupError> {
        let steps = S::PARTS.iter().map(|&part| {
            let mut step = step_for(part);
            step.name = part.into();
            if step.component.is_none() {
                step.component = Some(S::NAME.into());
            }
            for &(user, dependency) in S::DEPENDENCIES {
                if user == part && !step.depends_on.iter().any(|d| &**d == dependency) {
                    step.depends_on.push(dependency.into());
                }
            }
            step
        });
        self.register_all(steps)
    }

    /// Registers one step per part of `plan`, made by `step_for(part)` and
    /// named after the part, so that each level runs after the previous one
    /// (every step of a level depends on every step of the next). Prefer
    /// [`register_system`](Self::register_system) when the system type is at
    /// hand: its exact dependencies let more steps run in parallel.
    pub fn register_plan(
        &self,
        plan: CleanupPlan,
        mut step_for: impl FnMut(&'static str) -> CleanupStep,
    ) -> Result<Registered, CleanupError> {
        let levels = plan.levels();
        let mut steps = Vec::with_capacity(plan.len());
        for (index, level) in levels.iter().enumerate() {
            let next: &[&'static str] = levels.get(index + 1).copied().unwrap_or(&[]);
            for &part in level.iter() {
                let mut step = step_for(part);
                step.name = part.into();
                step.depends_on.extend(next.iter().map(|&d| d.into()));
                steps.push(step);
            }
        }
        self.register_all(steps)
    }
}
