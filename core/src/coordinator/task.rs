//! A supervised task's link to its component: what the task supervisor
//! ([`typestep::supervisor`](crate::supervisor), feature `tokio`) calls so
//! that a task's failure, restart and stop move its component's machine
//! exactly as a worker thread's do.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::error::{CoordinatorError, Failure, FailureAction, FailureCause};
use super::managed::ComponentId;
use super::register::{ComponentCoordinator, Entry};
use super::worker::WorkerId;

use super::managed::Which;

/// The component a supervised task belongs to, in its coordinator.
#[derive(Clone)]
pub(crate) struct TaskLink {
    coordinator: ComponentCoordinator,
    entry: Arc<Entry>,
}

impl ComponentCoordinator {
    /// The link of a task of `component` (checked: registered here).
    pub(crate) fn task_link(&self, component: ComponentId) -> Result<TaskLink, CoordinatorError> {
        Ok(TaskLink {
            coordinator: self.clone(),
            entry: self.entry(component)?,
        })
    }
}

impl TaskLink {
    /// The component's name.
    pub(crate) fn component(&self) -> &Arc<str> {
        &self.entry.name
    }

    /// The component's current state.
    pub(crate) fn state(&self) -> &'static str {
        self.entry.driven.state()
    }

    /// A fresh id for one run of the task (ids are shared with worker
    /// threads: a failure record names the run either way).
    pub(crate) fn next_run(&self) -> WorkerId {
        self.coordinator.next_worker_id()
    }

    /// The coordinator's clock reading, for failure records.
    pub(crate) fn now(&self) -> Duration {
        self.coordinator.inner.config.clock.now()
    }

    /// Whether the component can be restarted at all: its lifecycle names a
    /// restart event and the coordinator is not stopping.
    pub(crate) fn offers_restart(&self) -> bool {
        self.entry.driven.restart_policy().is_some()
            && !self.coordinator.inner.stopping.load(Ordering::Acquire)
    }

    /// Fires the component's start event if its state accepts it.
    pub(crate) fn start(&self) -> Result<bool, String> {
        self.entry.driven.fire(Which::Start)
    }

    /// Logs the failure of run `id` of `task` and moves the component to
    /// its failure state; returns the state after the move.
    pub(crate) fn fail(&self, task: &str, id: WorkerId, cause: &FailureCause) -> &'static str {
        self.coordinator
            .fail_component(&self.entry, task, id, cause)
    }

    /// Stores the record of a failure; returns its index.
    pub(crate) fn record(
        &self,
        task: &str,
        id: WorkerId,
        cause: FailureCause,
        state: &'static str,
        action: FailureAction,
    ) -> usize {
        self.coordinator.store_failure(Failure {
            component: self.entry.name.to_string(),
            worker: task.to_owned(),
            worker_id: id,
            cause,
            detected_at: self.now(),
            state,
            cleanup: None,
            action,
        })
    }

    /// Updates a stored failure record.
    pub(crate) fn update(&self, index: usize, update: impl FnOnce(&mut Failure)) {
        self.coordinator.update_failure(index, update);
    }

    /// Marks the component escalated (see
    /// [`is_escalated`](ComponentCoordinator::is_escalated)) and logs why.
    pub(crate) fn escalate(&self, why: String) {
        self.coordinator.escalate(&self.entry, why);
    }

    /// Fires the component's restart event if its state accepts it:
    /// `Ok(true)` moved, `Ok(false)` not applicable.
    pub(crate) fn restart(&self) -> Result<bool, String> {
        self.entry.driven.fire(Which::Restart)
    }

    /// The stop begins: fires the stop event, or `abandon` when the
    /// component cannot stop (it is failed).
    pub(crate) fn stopping(&self) {
        if !matches!(self.entry.driven.fire(Which::Stop), Ok(true)) {
            let _ = self.entry.driven.fire(Which::Abandon);
        }
    }

    /// The stop ended: `stopped` when the task returned in time, `fail`
    /// when it had to be aborted.
    pub(crate) fn stopped(&self, clean: bool) {
        let _ = self
            .entry
            .driven
            .fire(if clean { Which::Stopped } else { Which::Fail });
    }

    /// A linked task that is not running at the stop: its component, if
    /// failed, is abandoned.
    pub(crate) fn abandon(&self) {
        let _ = self.entry.driven.fire(Which::Abandon);
    }

    /// The coordinator's recovery log.
    pub(crate) fn logger(&self) -> &Arc<crate::recovery::RecoveryLogger> {
        &self.coordinator.inner.config.logger
    }
}
