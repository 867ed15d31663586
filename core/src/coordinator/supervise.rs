//! Failure detection (panics, errors, missed heartbeats), the failure
//! policy (cleanup, restart within the intensity limit, escalation) and the
//! heartbeat monitor thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cleanup::{CleanupStep, Registered};
use crate::fault::{panic_message, BoxError};
use crate::pool::Lease;
use crate::recovery::RecoveryEvent;

use super::error::{CoordinatorError, Failure, FailureAction, FailureCause};
use super::managed::ComponentId;
use super::worker::{WorkerId, WorkerSpec, WorkerState};

use super::managed::{Driven, Which};
use super::monitor::Monitor;
use super::register::{ComponentCoordinator, Inner};
use super::worker::{Body, Exit, WorkerShared};

impl ComponentCoordinator {
    /// One detection pass: finds workers that panicked, returned an error or
    /// missed their deadline, and handles each failure (failure move, log,
    /// failure record, restart or escalation). Returns the failures found. The
    /// monitor thread calls it; tests with a [`ManualClock`](super::ManualClock) call it directly.
    ///
    /// Detection never waits on a cleanup: a failed worker whose thread has
    /// already ended is joined here (at once) and its thread unit returned;
    /// then its cleanup step (registered on the
    /// [`CleanupCoordinator`](crate::cleanup::CleanupCoordinator) as
    /// `<component>/<worker>#<generation>`, joining a stalled thread for up to
    /// [`WorkerSpec::cleanup_timeout`]) runs on a background thread, and its
    /// outcome is filled into the [`Failure::cleanup`] of the stored record
    /// when it finishes (`None` until then, and in the failures returned here).
    /// Call [`CleanupCoordinator::cleanup`](crate::cleanup::CleanupCoordinator::cleanup)
    /// to wait for it. So do not call `check` while other steps are
    /// registered but meant to run later. A panic is reported as such once the
    /// thread has unwound; a panic hook slower than the deadline (printing a
    /// backtrace) may be seen first as a missed heartbeat.
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
            join_if_finished(handle, lease);
        }
        let mut steps = Vec::new();
        let failures = found
            .into_iter()
            .map(|detected| {
                let (failure, step) = self.handle_failure(detected, now);
                steps.extend(step);
                failure
            })
            .collect();
        self.clean_up_in_background(steps);
        failures
    }

    fn handle_failure(
        &self,
        mut detected: Detected,
        now: Duration,
    ) -> (Failure, Option<(CleanupStep, String, usize)>) {
        // Components are never removed, so a worker's component is always there.
        let components = self.inner.components.read().clone();
        let entry = &components[detected.component];
        let component = entry.name.clone();
        let state = self.fail_component(entry, &detected.name, detected.id, &detected.cause);

        // A thread that has ended is joined now, so its unit is back before
        // a restart asks for one; a stalled one is left to the cleanup step.
        let (handle, lease) = match detected.handle.take() {
            Some(handle) if handle.is_finished() => {
                let _ = handle.join();
                drop(detected.lease.take());
                (None, None)
            }
            handle => (handle, detected.lease.take()),
        };

        // Decide before announcing anything: the record of this failure is
        // stored before the restart is fired, so a subscriber that sees the
        // restart finds the failure already in `failures()`.
        let decision = match entry.driven.restart_policy() {
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
                    Decision::Restart(self.next_worker_id())
                } else {
                    drop(times);
                    self.escalate(
                        entry,
                        format!(
                            "restart intensity exceeded: {} restarts within {:?}; escalating",
                            policy.max_restarts, policy.window
                        ),
                    );
                    Decision::Escalate
                }
            }
            _ => Decision::LeaveFailed,
        };
        let action = match decision {
            Decision::Restart(id) => FailureAction::Restarted(id),
            Decision::Escalate => FailureAction::Escalated,
            Decision::LeaveFailed => FailureAction::LeftFailed,
        };
        let mut failure = Failure {
            component: component.to_string(),
            worker: detected.name.to_string(),
            worker_id: detected.id,
            cause: detected.cause.clone(),
            detected_at: now,
            state,
            cleanup: None,
            action,
        };
        let index = self.store_failure(failure.clone());
        if let Decision::Restart(id) = decision {
            if let Err(reason) = self.restart(&entry.driven, &detected, &component, id) {
                failure.action = FailureAction::RestartFailed(reason);
                let action = failure.action.clone();
                self.update_failure(index, |stored| stored.action = action);
            }
        }

        // The failed worker's cleanup: join it (it was asked to stop) and
        // give its thread unit back; a stalled thread that never returns is
        // reported timed out, and its unit stays leased (a visible leak).
        let step_name = format!("{}/{}#{}", component, detected.name, detected.generation);
        let exited = detected.shared.clone();
        let step = CleanupStep::new(step_name.clone(), move || {
            if let Some(handle) = handle {
                let _ = handle.join();
            }
            drop(lease);
            Ok::<(), BoxError>(())
        })
        .component(component.to_string())
        .timeout(detected.spec.cleanup_timeout)
        .verify_that(move || exited.exit.lock().is_some());
        (failure, Some((step, step_name, index)))
    }

    /// Registers the failed workers' cleanup steps, each filling its
    /// failure record's outcome when done, and runs them on a background
    /// thread (or joins a cleanup already running), so detection goes on.
    fn clean_up_in_background(&self, steps: Vec<(CleanupStep, String, usize)>) {
        if steps.is_empty() {
            return;
        }
        let cleanup = self.inner.config.cleanup.clone();
        let logger = &self.inner.config.logger;
        let mut queued = false;
        for (step, step_name, index) in steps {
            let component = step.component.as_deref().unwrap_or("").to_owned();
            let inner = Arc::downgrade(&self.inner);
            let registered = cleanup.register_group([step], move |rows| {
                let outcome = rows.first().map(|row| row.outcome);
                if let Some(inner) = inner.upgrade() {
                    if let Some(stored) = inner.failures.lock().get_mut(index) {
                        stored.cleanup = outcome;
                    }
                }
            });
            match registered {
                Ok(Registered::JoinedRunningCleanup) => {}
                Ok(_) => queued = true,
                Err(error) => logger.record(RecoveryEvent::failure(
                    component,
                    format!("could not schedule cleanup `{step_name}`: {error}"),
                )),
            }
        }
        if !queued {
            return;
        }
        let runner = cleanup.clone();
        let spawned = std::thread::Builder::new()
            .name("typestep-failure-cleanup".into())
            .spawn(move || {
                runner.cleanup();
            });
        if let Err(error) = spawned {
            // Never clean up here: detection must not wait. The steps stay
            // registered and run with the next cleanup.
            logger.record(RecoveryEvent::failure(
                "ComponentCoordinator",
                format!(
                    "no thread for failure cleanup ({error}); the steps wait for the next cleanup"
                ),
            ));
        }
    }

    fn restart(
        &self,
        driven: &Arc<dyn Driven>,
        detected: &Detected,
        component: &str,
        id: WorkerId,
    ) -> Result<(), String> {
        match driven.fire(Which::Restart) {
            Ok(true) => {}
            Ok(false) => {
                return Err(format!(
                    "`{component}` in state `{}` does not accept its restart event",
                    driven.state()
                ))
            }
            Err(reason) => return Err(reason),
        }
        let Some(body) = detected.body.clone() else {
            let _ = driven.fire(Which::Fail);
            return Err(String::from("the worker's body was released"));
        };
        match self.spawn(
            detected.component,
            detected.name.clone(),
            detected.spec,
            body,
            detected.generation.saturating_add(1),
            id,
        ) {
            Ok(_) => Ok(()),
            Err(error) => {
                let _ = driven.fire(Which::Fail);
                Err(error.to_string())
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
    /// A monitor that was stopped, or that died, is started afresh (and its
    /// [`monitor_fault`](Self::monitor_fault) cleared).
    pub fn start_monitor(&self) -> Result<(), CoordinatorError> {
        if self.inner.stopping.load(Ordering::Acquire) {
            return Err(CoordinatorError::Stopping);
        }
        let mut monitor = self.inner.monitor.lock();
        match monitor.take() {
            Some(running) if running.is_running() => {
                *monitor = Some(running);
                return Ok(());
            }
            Some(dead) => self.take_back(dead),
            None => {}
        }
        let exits = match self.inner.exit_rx.lock().take() {
            Some(exits) => exits,
            None => {
                // The receiver was lost with a dead thread: a new channel.
                // Running workers still notify the old one; the monitor's
                // polling finds their exits.
                let (tx, rx) = channel();
                *self.inner.exits.lock() = tx;
                rx
            }
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
        *self.inner.monitor_fault.lock() = None;
        *monitor = Some(Monitor::new(stop, handle));
        Ok(())
    }

    /// Stops and joins the monitor thread (idempotent); it can be started
    /// again.
    pub fn stop_monitor(&self) {
        let taken = self.inner.monitor.lock().take();
        if let Some(monitor) = taken {
            monitor.signal(&self.inner.exits.lock());
            self.take_back(monitor);
        }
    }

    /// Whether the monitor thread is running (started, not stopped, not dead).
    pub fn is_monitoring(&self) -> bool {
        self.inner
            .monitor
            .lock()
            .as_ref()
            .is_some_and(Monitor::is_running)
    }

    /// Why the monitor thread died, if it did: a panic inside a detection
    /// pass (for example in a user's [`Clock`](super::Clock)). Also logged as a
    /// failure event of `ComponentCoordinator`. Cleared by
    /// [`start_monitor`](Self::start_monitor).
    pub fn monitor_fault(&self) -> Option<String> {
        self.inner.monitor_fault.lock().clone()
    }

    /// Joins a monitor thread and keeps its exit receiver for the next one.
    fn take_back(&self, monitor: Monitor) {
        if let Some(exits) = monitor.join() {
            *self.inner.exit_rx.lock() = Some(exits);
        }
    }
}

/// What the coordinator decided for a failure before announcing anything.
#[derive(Clone, Copy)]
enum Decision {
    Restart(WorkerId),
    Escalate,
    LeaveFailed,
}

/// Joins a thread that has already ended and gives its unit back; one still
/// running (it is returning) is left detached, and its unit with it.
fn join_if_finished(handle: Option<JoinHandle<()>>, lease: Option<Lease>) {
    match handle {
        Some(handle) if !handle.is_finished() => {
            // Returned `Ok` a moment ago; joining costs at most its unwinding
            // of thread locals. Do it off the detection path.
            let _ = std::thread::Builder::new()
                .name("typestep-join".into())
                .spawn(move || {
                    let _ = handle.join();
                    drop(lease);
                });
        }
        Some(handle) => {
            let _ = handle.join();
            drop(lease);
        }
        None => drop(lease),
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

/// The monitor thread: a detection pass on every exit notice and every
/// quarter interval. A panic inside a pass ends the thread, reported in
/// [`ComponentCoordinator::monitor_fault`] and the log, never silently.
/// Returns the exit receiver for the next monitor.
pub(super) fn monitor_loop(
    inner: Weak<Inner>,
    exits: Receiver<WorkerId>,
    stop: Arc<AtomicBool>,
) -> Option<Receiver<WorkerId>> {
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
                .clamp(Duration::from_millis(1), Duration::from_secs(1)),
            None => return None,
        };
        match exits.recv_timeout(poll) {
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
        if stop.load(Ordering::Acquire) {
            return Some(exits);
        }
        let coordinator = ComponentCoordinator {
            inner: inner.upgrade()?,
        };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| coordinator.check())) {
            let message = format!(
                "the monitor thread died: a detection pass panicked: {}",
                panic_message(payload.as_ref())
            );
            coordinator
                .inner
                .config
                .logger
                .record(RecoveryEvent::failure(
                    "ComponentCoordinator",
                    message.clone(),
                ));
            *coordinator.inner.monitor_fault.lock() = Some(message);
            return Some(exits);
        }
    }
}
