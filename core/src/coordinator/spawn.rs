//! Starting monitored worker threads.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::fault::{panic_message, BoxError};
use crate::pool::ResourceKind;

use super::error::CoordinatorError;
use super::managed::ComponentId;
use super::worker::{Heartbeat, WorkerId, WorkerSpec, WorkerState};

use super::register::ComponentCoordinator;
use super::worker::{Body, Exit, WorkerRecord, WorkerShared};

impl ComponentCoordinator {
    /// Starts a monitored worker thread for `component` running `body`,
    /// which must call [`Heartbeat::beat`] at least every `spec.interval` and
    /// should return once [`Heartbeat::should_stop`] is true. The thread holds
    /// one `worker_threads` unit of the component's channel while it runs.
    pub fn spawn_worker<F>(
        &self,
        component: ComponentId,
        name: &str,
        spec: WorkerSpec,
        body: F,
    ) -> Result<WorkerId, CoordinatorError>
    where
        F: Fn(&Heartbeat) -> Result<(), BoxError> + Send + Sync + 'static,
    {
        if self.inner.stopping.load(Ordering::Acquire) {
            return Err(CoordinatorError::Stopping);
        }
        self.entry(component)?;
        let id = self.next_worker_id();
        self.spawn(component.index, name.into(), spec, Arc::new(body), 0, id)
    }

    /// A fresh worker id (handed out before the spawn, so that a restart's
    /// failure record can name its successor before the restart is announced).
    pub(super) fn next_worker_id(&self) -> WorkerId {
        WorkerId(self.inner.next_worker.fetch_add(1, Ordering::Relaxed))
    }

    pub(super) fn spawn(
        &self,
        component: usize,
        name: Arc<str>,
        spec: WorkerSpec,
        body: Body,
        generation: u32,
        id: WorkerId,
    ) -> Result<WorkerId, CoordinatorError> {
        let entry = self.entry_at(component)?;
        let lease = entry
            .channel
            .acquire(ResourceKind::WORKER_THREADS, 1, "worker thread")?;
        let clock = self.inner.config.clock.clone();
        let shared = Arc::new(WorkerShared::new(clock.now()));
        let exits = self.inner.exits.lock().clone();
        let (thread_shared, thread_body) = (shared.clone(), body.clone());
        // Hold the workers lock across the spawn, so the monitor never sees
        // the thread's exit before its record.
        let mut workers = self.inner.workers.lock();
        let handle = std::thread::Builder::new()
            .name(format!("{}/{}", entry.name, name))
            .spawn(move || {
                let heartbeat = Heartbeat::new(thread_shared.clone(), clock);
                heartbeat.beat();
                let exit = match catch_unwind(AssertUnwindSafe(|| thread_body(&heartbeat))) {
                    Ok(Ok(())) => Exit::Returned,
                    Ok(Err(error)) => Exit::Errored(error.to_string()),
                    Err(payload) => Exit::Panicked(panic_message(payload.as_ref())),
                };
                *thread_shared.exit.lock() = Some(exit);
                let _ = exits.send(id);
            })
            .map_err(|e| CoordinatorError::Spawn {
                worker: name.to_string(),
                reason: e.to_string(),
            })?;
        workers.push(WorkerRecord {
            id,
            name,
            component,
            generation,
            spec,
            shared,
            thread: Some(handle.thread().clone()),
            handle: Some(handle),
            lease: Some(lease),
            state: WorkerState::Running,
            body: Some(body),
        });
        Ok(id)
    }
}
