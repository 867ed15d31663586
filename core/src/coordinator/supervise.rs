//! Failure detection (panics, errors, missed heartbeats), the failure
//! policy (cleanup, restart within the intensity limit, escalation) and the
//! heartbeat monitor thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cleanup::CleanupStep;
use crate::fault::BoxError;
use crate::pool::Lease;
use crate::recovery::RecoveryEvent;

use super::error::{CoordinatorError, Failure, FailureAction, FailureCause};
use super::managed::ComponentId;
use super::worker::{WorkerId, WorkerSpec, WorkerState};

use super::managed::{Driven, Which};
use super::register::{ComponentCoordinator, Inner};
use super::worker::{Body, Exit, WorkerShared};

impl ComponentCoordinator {
    /// One detection pass: finds workers that panicked, returned an error or
    /// missed their deadline, and handles each failure (failure move,
    /// cleanup, log, restart or escalation). Returns the failures found. The
    /// monitor thread calls it; tests with a [`ManualClock`](super::ManualClock) call it directly.
    ///
    /// A failed worker's cleanup runs at once (its step is registered and
    /// [`CleanupCoordinator::cleanup`](crate::cleanup::CleanupCoordinator::cleanup) is called), so do not call `check`
    /// while other steps are registered but meant to run later. A panic is
    /// reported as such once the thread has unwound; a panic hook slower than
    /// the deadline (printing a backtrace) may be seen first as a missed
    /// heartbeat.
    pub fn check(&self) -> Vec<Failure> {
        let _one_at_a_time = self.inner.checking.lock();
        let now = self.inner.config.clock.now();
        let mut found = Vec::new();
        let mut finished = Vec::new();
        {
            let mut workers = self.inner.workers.lock();
            for worker in workers.iter_mut() {
                if worker.state != WorkerState::Running {
                    continue;
                }
                let exit = worker.shared.exit.lock().clone();
                let cause = match exit {
                    Some(Exit::Returned) => {
                        worker.state = WorkerState::Finished;
                        finished.push((worker.handle.take(), worker.lease.take()));
                        continue;
                    }
                    Some(Exit::Errored(message)) => FailureCause::Errored(message),
                    Some(Exit::Panicked(message)) => FailureCause::Panicked(message),
                    None => {
                        let silent_for = now.saturating_sub(worker.shared.last_beat());
                        let deadline = worker.spec.deadline();
                        if silent_for <= deadline {
                            continue;
                        }
                        FailureCause::MissedHeartbeat {
                            silent_for,
                            deadline,
                        }
                    }
                };
                worker.state = WorkerState::Failed;
                worker.request_stop();
                found.push(Detected {
                    id: worker.id,
                    name: worker.name.clone(),
                    component: worker.component,
                    generation: worker.generation,
                    spec: worker.spec,
                    body: worker.body.clone(),
                    shared: worker.shared.clone(),
                    handle: worker.handle.take(),
                    lease: worker.lease.take(),
                    cause,
                });
            }
        }
        for (handle, lease) in finished {
            if let Some(handle) = handle {
                let _ = handle.join();
            }
            drop(lease);
        }
        found
            .into_iter()
            .map(|detected| self.handle_failure(detected, now))
            .collect()
    }

    fn handle_failure(&self, mut detected: Detected, now: Duration) -> Failure {
        // Components are never removed, so a worker's component is always there.
        let components = self.inner.components.read().clone();
        let entry = &components[detected.component];
        let (component, driven) = (entry.name.clone(), entry.driven.clone());
        #[cfg(feature = "tracing")]
        tracing::warn!(
            component = &*component,
            worker = &*detected.name,
            cause = %detected.cause,
            "typestep worker failed"
        );
        let logger = &self.inner.config.logger;
        logger.record(RecoveryEvent::failure(
            component.clone(),
            format!(
                "worker `{}` ({}) {}",
                detected.name, detected.id, detected.cause
            ),
        ));
        if let Err(reason) = driven.fire(Which::Fail) {
            logger.record(RecoveryEvent::failure(
                component.clone(),
                format!("could not move to the failure state: {reason}"),
            ));
        }
        let state = driven.state();

        // The failed worker's cleanup: join it (it was asked to stop) and
        // give its thread unit back; a stalled thread that never returns is
        // reported timed out, and its unit stays leased (a visible leak).
        let step_name = format!("{}/{}#{}", component, detected.name, detected.generation);
        let exited = detected.shared.clone();
        let (handle, lease) = (detected.handle.take(), detected.lease.take());
        let step = CleanupStep::new(step_name.clone(), move || {
            if let Some(handle) = handle {
                let _ = handle.join();
            }
            drop(lease);
            Ok::<(), BoxError>(())
        })
        .component(component.clone())
        .timeout(detected.spec.cleanup_timeout)
        .verify_that(move || exited.exit.lock().is_some());
        let cleanup_coordinator = &self.inner.config.cleanup;
        let cleanup = match cleanup_coordinator.register(step) {
            Ok(_) => cleanup_coordinator.cleanup().outcome(&step_name),
            Err(error) => {
                logger.record(RecoveryEvent::failure(
                    component.clone(),
                    format!("could not schedule cleanup `{step_name}`: {error}"),
                ));
                None
            }
        };

        let action = match driven.restart_policy() {
            Some(policy) if !self.inner.stopping.load(Ordering::Acquire) => {
                let mut times = entry.restarts.lock();
                while times
                    .front()
                    .is_some_and(|&t| now.saturating_sub(t) >= policy.window)
                {
                    times.pop_front();
                }
                if times.len() < policy.max_restarts as usize {
                    times.push_back(now);
                    drop(times);
                    self.restart(&entry.driven, &detected, &component)
                } else {
                    drop(times);
                    entry.escalated.store(true, Ordering::Release);
                    logger.record(RecoveryEvent::failure(
                        component.clone(),
                        format!(
                            "restart intensity exceeded: {} restarts within {:?}; escalating",
                            policy.max_restarts, policy.window
                        ),
                    ));
                    FailureAction::Escalated
                }
            }
            _ => FailureAction::LeftFailed,
        };
        let failure = Failure {
            component: component.to_string(),
            worker: detected.name.to_string(),
            worker_id: detected.id,
            cause: detected.cause,
            detected_at: now,
            state,
            cleanup,
            action,
        };
        self.inner.failures.lock().push(failure.clone());
        failure
    }

    fn restart(
        &self,
        driven: &Arc<dyn Driven>,
        detected: &Detected,
        component: &str,
    ) -> FailureAction {
        match driven.fire(Which::Restart) {
            Ok(true) => {}
            Ok(false) => {
                return FailureAction::RestartFailed(format!(
                    "`{component}` in state `{}` does not accept its restart event",
                    driven.state()
                ))
            }
            Err(reason) => return FailureAction::RestartFailed(reason),
        }
        let Some(body) = detected.body.clone() else {
            return FailureAction::RestartFailed(String::from("the worker's body was released"));
        };
        match self.spawn(
            detected.component,
            detected.name.clone(),
            detected.spec,
            body,
            detected.generation + 1,
        ) {
            Ok(id) => FailureAction::Restarted(id),
            Err(error) => {
                let _ = driven.fire(Which::Fail);
                FailureAction::RestartFailed(error.to_string())
            }
        }
    }

    /// The failures detected so far, oldest first.
    pub fn failures(&self) -> Vec<Failure> {
        self.inner.failures.lock().clone()
    }

    /// Whether `component`'s failures exceeded its restart intensity.
    pub fn is_escalated(&self, component: ComponentId) -> bool {
        self.entry(component)
            .map(|e| e.escalated.load(Ordering::Acquire))
            .unwrap_or(false)
    }

    /// Starts the monitor thread (idempotent). It waits for worker exits
    /// and otherwise wakes every quarter of the shortest heartbeat interval.
    pub fn start_monitor(&self) -> Result<(), CoordinatorError> {
        let mut monitor = self.inner.monitor.lock();
        if monitor.is_some() {
            return Ok(());
        }
        let Some(exits) = self.inner.exit_rx.lock().take() else {
            return Err(CoordinatorError::Stopping);
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (weak, flag) = (Arc::downgrade(&self.inner), stop.clone());
        let handle = std::thread::Builder::new()
            .name("typestep-monitor".into())
            .spawn(move || monitor_loop(weak, exits, flag))
            .map_err(|e| CoordinatorError::Spawn {
                worker: "typestep-monitor".into(),
                reason: e.to_string(),
            })?;
        *monitor = Some((stop, handle));
        Ok(())
    }

    /// Stops and joins the monitor thread (idempotent).
    pub fn stop_monitor(&self) {
        let taken = self.inner.monitor.lock().take();
        if let Some((stop, handle)) = taken {
            stop.store(true, Ordering::Release);
            // Wake it: a dummy exit notice.
            let _ = self.inner.exits.lock().send(WorkerId(u32::MAX));
            let _ = handle.join();
        }
    }
}

/// What `check` hands from the locked scan to the failure handling.
pub(super) struct Detected {
    pub(super) id: WorkerId,
    pub(super) name: Arc<str>,
    pub(super) component: usize,
    pub(super) generation: u32,
    pub(super) spec: WorkerSpec,
    pub(super) body: Option<Body>,
    pub(super) shared: Arc<WorkerShared>,
    pub(super) handle: Option<JoinHandle<()>>,
    pub(super) lease: Option<Lease>,
    pub(super) cause: FailureCause,
}

pub(super) fn monitor_loop(inner: Weak<Inner>, exits: Receiver<WorkerId>, stop: Arc<AtomicBool>) {
    loop {
        let poll = match inner.upgrade() {
            Some(inner) => inner
                .workers
                .lock()
                .iter()
                .filter(|w| w.state == WorkerState::Running)
                .map(|w| w.spec.interval / 4)
                .min()
                .unwrap_or(Duration::from_millis(10))
                .max(Duration::from_millis(1)),
            None => return,
        };
        match exits.recv_timeout(poll) {
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if stop.load(Ordering::Acquire) {
            return;
        }
        match inner.upgrade() {
            Some(inner) => {
                ComponentCoordinator { inner }.check();
            }
            None => return,
        }
    }
}
