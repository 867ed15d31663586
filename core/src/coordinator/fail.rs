//! Failing a component through its state machine, for a worker thread or a
//! supervised task alike: the failure is logged with its context, the
//! component's `fail` event is fired, and the failure's record is stored.

use std::sync::atomic::Ordering;

use crate::recovery::RecoveryEvent;

use super::error::{Failure, FailureCause};
use super::register::{ComponentCoordinator, Entry};
use super::worker::WorkerId;

use super::managed::Which;

impl ComponentCoordinator {
    /// Logs that `worker` (run `id`) of `entry` failed with `cause` and moves
    /// the component to its failure state (the refusal, if any, is logged
    /// too). Returns the component's state after the move.
    pub(super) fn fail_component(
        &self,
        entry: &Entry,
        worker: &str,
        id: WorkerId,
        cause: &FailureCause,
    ) -> &'static str {
        let component = &entry.name;
        #[cfg(feature = "tracing")]
        tracing::warn!(
            component = &**component,
            worker,
            cause = %cause,
            "typestep worker failed"
        );
        let logger = &self.inner.config.logger;
        logger.record(RecoveryEvent::failure(
            component.clone(),
            format!("worker `{worker}` ({id}) {cause}"),
        ));
        if let Err(reason) = entry.driven.fire(Which::Fail) {
            logger.record(RecoveryEvent::failure(
                component.clone(),
                format!("could not move to the failure state: {reason}"),
            ));
        }
        entry.driven.state()
    }

    /// Marks `entry` escalated and logs why.
    pub(super) fn escalate(&self, entry: &Entry, why: String) {
        entry.escalated.store(true, Ordering::Release);
        self.inner
            .config
            .logger
            .record(RecoveryEvent::failure(entry.name.clone(), why));
    }

    /// Stores a failure record; returns its index (for later updates).
    pub(super) fn store_failure(&self, failure: Failure) -> usize {
        let mut failures = self.inner.failures.lock();
        failures.push(failure);
        failures.len() - 1
    }

    /// Updates the stored failure record at `index`.
    pub(super) fn update_failure(&self, index: usize, update: impl FnOnce(&mut Failure)) {
        if let Some(stored) = self.inner.failures.lock().get_mut(index) {
            update(stored);
        }
    }
}
