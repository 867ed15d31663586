//! The stop plan: stopping every component as cleanup steps in order.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::cleanup::{CleanupStep, StepOutcome};

use super::error::CoordinatorError;
use super::worker::WorkerState;

use super::managed::Which;
use super::register::ComponentCoordinator;

impl ComponentCoordinator {
    /// Begins the orderly stop of every component: stops monitoring, fires
    /// each component's stop event (or `abandon` when it is failed), asks
    /// every worker to stop, and registers the cleanup: one step `workers`
    /// that joins every worker and then drops what their bodies captured
    /// (channel ends, buffers in flight), then one step `component:<name>` per
    /// component that verifies its channel holds nothing and closes it, then
    /// fires `stopped` (or `fail` when the step did not finish cleanly).
    /// Component steps run before the steps named in `before` (the parts
    /// components use). Returns the names of the registered steps.
    pub fn register_stop(&self, before: &[&str]) -> Result<Vec<String>, CoordinatorError> {
        // A failed worker's cleanup may be running in the background: let it
        // end, and start no other until every stop step is registered.
        let cleanup = self.inner.config.cleanup.clone();
        let _held = cleanup.hold();
        self.register_stop_held(before)
    }

    /// [`register_stop`](Self::register_stop) for a caller that holds the
    /// cleanup coordinator ([`CleanupCoordinator::hold`](crate::cleanup::CleanupCoordinator)).
    pub(crate) fn register_stop_held(
        &self,
        before: &[&str],
    ) -> Result<Vec<String>, CoordinatorError> {
        self.inner.stopping.store(true, Ordering::Release);
        self.stop_monitor();
        let components = self.inner.components.read().clone();
        for entry in &components {
            let moved = entry.driven.fire(Which::Stop);
            if !matches!(moved, Ok(true)) {
                let _ = entry.driven.fire(Which::Abandon);
            }
        }
        let mut running = Vec::new();
        let mut bodies = Vec::new();
        {
            let mut workers = self.inner.workers.lock();
            for worker in workers.iter_mut() {
                worker.request_stop();
                if let Some(handle) = worker.handle.take() {
                    running.push((worker.name.clone(), handle, worker.lease.take()));
                }
                bodies.push(worker.body.take());
                if worker.state == WorkerState::Running {
                    worker.state = WorkerState::Stopped;
                }
            }
        }
        let timeout = self
            .inner
            .workers
            .lock()
            .iter()
            .map(|w| w.spec.cleanup_timeout)
            .max()
            .unwrap_or(Duration::from_millis(100));
        let mut names = vec![String::from("workers")];
        let mut workers_step = CleanupStep::new("workers", move || {
            let mut panicked = Vec::new();
            for (name, handle, lease) in running {
                if handle.join().is_err() {
                    panicked.push(name.to_string());
                }
                drop(lease);
            }
            // Once every thread is joined, drop what the bodies captured
            // (channel ends, buffers in flight) so it returns to the pool.
            drop(bodies);
            if panicked.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "workers panicked while stopping: {}",
                    panicked.join(", ")
                ))
            }
        })
        .timeout(timeout);
        let mut steps = Vec::new();
        for entry in &components {
            let step_name = format!("component:{}", entry.name);
            workers_step = workers_step.depends_on(step_name.clone());
            names.push(step_name.clone());
            let (close, verify) = (entry.channel.clone(), entry.channel.clone());
            let mut step = CleanupStep::new(step_name, move || {
                let leaks = close.close();
                if leaks.is_empty() {
                    Ok(())
                } else {
                    Err(leaks.to_string())
                }
            })
            .component(entry.name.clone())
            .verify_that(move || !verify.is_open() && verify.close().is_empty());
            for dependency in before {
                step = step.depends_on(*dependency);
            }
            steps.push((entry.clone(), step));
        }
        let cleanup = &self.inner.config.cleanup;
        for (entry, step) in steps {
            let driven = entry.driven.clone();
            cleanup.register_group([step], move |rows| {
                let which = if rows.iter().all(|row| row.outcome == StepOutcome::Ok) {
                    Which::Stopped
                } else {
                    Which::Fail
                };
                let _ = driven.fire(which);
            })?;
        }
        cleanup.register(workers_step)?;
        Ok(names)
    }
}
