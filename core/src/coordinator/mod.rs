//! Lifecycles of registered components, state-change notifications, and
//! monitored worker threads: [`ComponentCoordinator`].

mod change;
mod clock;
mod error;
mod lifecycle;
mod managed;
mod worker;

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

use crate::cleanup::{CleanupCoordinator, CleanupStep, StepOutcome};
use crate::component::Component;
use crate::machine::{Observer, StateMachine};
use crate::pool::{
    ChannelId, ChannelUsage, Lease, PoolChannel, Quotas, ResourceKind, ResourcePool,
};
use crate::recovery::{MoveLogger, RecoveryEvent, RecoveryLogger};
use crate::step::{panic_message, BoxError};

pub use change::{Attached, StateChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoordinatorError, Failure, FailureAction, FailureCause};
pub use lifecycle::{Lifecycle, RestartPolicy};
pub use managed::{ComponentId, Managed, ManagedMachine};
pub use worker::{Heartbeat, WorkerId, WorkerSpec, WorkerState, WorkerStatus};

use change::Bus;
use managed::{Driven, Erased, Which};
use worker::{Body, Exit, WorkerRecord, WorkerShared};

/// What a [`ComponentCoordinator`] is built with besides its pool.
#[derive(Debug, Clone)]
pub struct CoordinatorConfig {
    /// Where failed workers' cleanups (and the stop steps) run.
    pub cleanup: Arc<CleanupCoordinator>,
    /// Where moves, failures and cleanups are logged.
    pub logger: Arc<RecoveryLogger>,
    /// The time source of heartbeats, deadlines and restart windows.
    pub clock: Arc<dyn Clock>,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        let logger = Arc::new(RecoveryLogger::default());
        CoordinatorConfig {
            cleanup: Arc::new(CleanupCoordinator::new().logger(logger.clone())),
            logger,
            clock: Arc::new(SystemClock::new()),
        }
    }
}

/// One registered component.
struct Entry {
    name: Arc<str>,
    channel: PoolChannel,
    driven: Arc<dyn Driven>,
    restarts: Mutex<VecDeque<Duration>>,
    escalated: AtomicBool,
}

struct Inner {
    pool: ResourcePool,
    config: CoordinatorConfig,
    bus: Arc<Bus>,
    components: RwLock<Vec<Arc<Entry>>>,
    workers: Mutex<Vec<WorkerRecord>>,
    failures: Mutex<Vec<Failure>>,
    next_worker: AtomicU32,
    exits: Mutex<Sender<WorkerId>>,
    exit_rx: Mutex<Option<Receiver<WorkerId>>>,
    monitor: Mutex<Option<(Arc<AtomicBool>, JoinHandle<()>)>>,
    checking: Mutex<()>,
    stopping: AtomicBool,
}

/// Drives the lifecycles of registered components and watches their worker
/// threads.
///
/// * Each component is registered with its [`StateMachine`] and a
///   [`Lifecycle`] (which events start, stop, fail and restart it) and gets
///   its own channel of the injected [`ResourcePool`]: the resources it holds
///   are tracked per channel.
/// * Every move of every component is logged in the [`RecoveryLogger`] and
///   sent to [`subscribe`](Self::subscribe)rs as a [`StateChange`].
/// * [`spawn_worker`](Self::spawn_worker) starts a monitored thread (one
///   `worker_threads` unit of the component's channel) whose body beats a
///   [`Heartbeat`] from the thread itself. A panic, an error, or a missed
///   deadline (no beat for 1.5 intervals; the monitor checks every quarter
///   interval, so detection comes within two intervals) moves the component to
///   its failure state, runs the worker's cleanup through the
///   [`CleanupCoordinator`], is logged with its context, and — if the
///   lifecycle offers restarts — restarts the worker, at most
///   [`RestartPolicy::max_restarts`] times per window before escalating.
///
/// Clones share the coordinator.
#[derive(Clone)]
pub struct ComponentCoordinator {
    inner: Arc<Inner>,
}

impl core::fmt::Debug for ComponentCoordinator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ComponentCoordinator")
            .field("components", &self.inner.components.read().len())
            .field("workers", &self.inner.workers.lock().len())
            .finish_non_exhaustive()
    }
}

impl ComponentCoordinator {
    /// A coordinator drawing from `pool` (injected, shared with its owner).
    pub fn new(pool: ResourcePool, config: CoordinatorConfig) -> Self {
        let (tx, rx) = channel();
        ComponentCoordinator {
            inner: Arc::new(Inner {
                pool,
                config,
                bus: Arc::default(),
                components: RwLock::default(),
                workers: Mutex::default(),
                failures: Mutex::default(),
                next_worker: AtomicU32::new(0),
                exits: Mutex::new(tx),
                exit_rx: Mutex::new(Some(rx)),
                monitor: Mutex::default(),
                checking: Mutex::default(),
                stopping: AtomicBool::new(false),
            }),
        }
    }

    /// The pool it draws from.
    pub fn pool(&self) -> &ResourcePool {
        &self.inner.pool
    }

    /// The recovery log it writes to.
    pub fn logger(&self) -> &Arc<RecoveryLogger> {
        &self.inner.config.logger
    }

    /// The cleanup coordinator it schedules cleanups on.
    pub fn cleanup(&self) -> &Arc<CleanupCoordinator> {
        &self.inner.config.cleanup
    }

    /// The clock it monitors with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.config.clock
    }

    /// Registers `machine` as the component `name`, driven by `lifecycle`,
    /// with a pool channel of its own limited by `quotas`.
    pub fn register<C, O>(
        &self,
        name: impl Into<String>,
        machine: StateMachine<C, O>,
        lifecycle: Lifecycle<C>,
        quotas: Quotas,
    ) -> Result<Managed<C, O>, CoordinatorError>
    where
        C: Component + Send + 'static,
        O: Observer<C> + Send + 'static,
    {
        if self.inner.stopping.load(Ordering::Acquire) {
            return Err(CoordinatorError::Stopping);
        }
        let name: String = name.into();
        let channel_id = self.inner.pool.open_channel(name.clone(), quotas)?;
        let channel = self.inner.pool.channel(channel_id)?;
        let name: Arc<str> = name.into();
        let logger = MoveLogger::new(self.inner.config.logger.clone()).labelled(name.clone());
        let attached = Attached::new(name.clone(), logger, self.inner.bus.clone());
        let machine = managed::attach(machine, attached);
        let driven = Arc::new(Erased {
            machine: machine.clone(),
            lifecycle,
        });
        let mut components = self.inner.components.write();
        let id = ComponentId(components.len());
        components.push(Arc::new(Entry {
            name: name.clone(),
            channel,
            driven,
            restarts: Mutex::default(),
            escalated: AtomicBool::new(false),
        }));
        Ok(Managed {
            id,
            name,
            channel: channel_id,
            machine,
        })
    }

    /// A receiver of every later state change of every component.
    pub fn subscribe(&self) -> Receiver<StateChange> {
        self.inner.bus.subscribe()
    }

    fn entry(&self, id: ComponentId) -> Result<Arc<Entry>, CoordinatorError> {
        self.inner
            .components
            .read()
            .get(id.0)
            .cloned()
            .ok_or(CoordinatorError::UnknownComponent(id))
    }

    /// Fires each component's start event, in registration order.
    pub fn start_all(&self) -> Result<(), CoordinatorError> {
        let components = self.inner.components.read().clone();
        for entry in components {
            entry
                .driven
                .fire(Which::Start)
                .map_err(|reason| CoordinatorError::Move {
                    component: entry.name.to_string(),
                    reason,
                })?;
        }
        Ok(())
    }

    /// Leases `units` of `kind` on the component's channel.
    pub fn acquire(
        &self,
        component: ComponentId,
        kind: ResourceKind,
        units: u64,
        purpose: &'static str,
    ) -> Result<Lease, CoordinatorError> {
        Ok(self
            .entry(component)?
            .channel
            .acquire(kind, units, purpose)?)
    }

    /// The resources the component's channel holds now.
    pub fn resources(&self, component: ComponentId) -> Result<ChannelUsage, CoordinatorError> {
        let entry = self.entry(component)?;
        let id = entry.channel.id();
        self.inner
            .pool
            .metrics()
            .channels
            .into_iter()
            .find(|c| c.channel == id)
            .ok_or(CoordinatorError::UnknownComponent(component))
    }

    /// The pool channel of `component`.
    pub fn channel_of(&self, component: ComponentId) -> Result<ChannelId, CoordinatorError> {
        Ok(self.entry(component)?.channel.id())
    }

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
        self.spawn(component.0, name.into(), spec, Arc::new(body), 0)
    }

    fn spawn(
        &self,
        component: usize,
        name: Arc<str>,
        spec: WorkerSpec,
        body: Body,
        generation: u32,
    ) -> Result<WorkerId, CoordinatorError> {
        let entry = self.entry(ComponentId(component))?;
        let lease = entry
            .channel
            .acquire(ResourceKind::WORKER_THREADS, 1, "worker thread")?;
        let id = WorkerId(self.inner.next_worker.fetch_add(1, Ordering::Relaxed));
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

    /// One detection pass: finds workers that panicked, returned an error or
    /// missed their deadline, and handles each failure (failure move,
    /// cleanup, log, restart or escalation). Returns the failures found. The
    /// monitor thread calls it; tests with a [`ManualClock`] call it directly.
    ///
    /// A failed worker's cleanup runs at once (its step is registered and
    /// [`CleanupCoordinator::cleanup`] is called), so do not call `check`
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

    /// How many more restarts `component` may take in its current restart
    /// window before its failures escalate; `None` when its lifecycle offers
    /// no restarts. Read-only (for dashboards).
    pub fn restart_budget(&self, component: ComponentId) -> Result<Option<u32>, CoordinatorError> {
        let entry = self.entry(component)?;
        let Some(policy) = entry.driven.restart_policy() else {
            return Ok(None);
        };
        let now = self.inner.config.clock.now();
        let recent = entry
            .restarts
            .lock()
            .iter()
            .filter(|&&t| now.saturating_sub(t) < policy.window)
            .count();
        let recent = u32::try_from(recent).unwrap_or(u32::MAX);
        Ok(Some(policy.max_restarts.saturating_sub(recent)))
    }

    /// How long ago each running worker last beat its heartbeat, by worker,
    /// in start order. Read-only (for dashboards).
    pub fn heartbeat_ages(&self) -> Vec<(WorkerId, Duration)> {
        let now = self.inner.config.clock.now();
        self.inner
            .workers
            .lock()
            .iter()
            .filter(|w| w.state == WorkerState::Running)
            .map(|w| (w.id, now.saturating_sub(w.shared.last_beat())))
            .collect()
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

    /// The Mermaid state diagram of `component`'s type.
    pub fn diagram(&self, component: ComponentId) -> Result<&'static str, CoordinatorError> {
        Ok(self.entry(component)?.driven.mermaid())
    }

    /// A snapshot of every component and worker.
    pub fn metrics(&self) -> CoordinatorMetrics {
        let components = self
            .inner
            .components
            .read()
            .iter()
            .enumerate()
            .map(|(index, entry)| ComponentStatus {
                id: ComponentId(index),
                name: entry.name.to_string(),
                kind: entry.driven.kind(),
                state: entry.driven.state(),
                terminal: entry.driven.is_terminal(),
                channel: entry.channel.id(),
                escalated: entry.escalated.load(Ordering::Acquire),
            })
            .collect();
        let names: Vec<Arc<str>> = self
            .inner
            .components
            .read()
            .iter()
            .map(|e| e.name.clone())
            .collect();
        let workers = self
            .inner
            .workers
            .lock()
            .iter()
            .map(|w| WorkerStatus {
                id: w.id,
                name: w.name.to_string(),
                component: names
                    .get(w.component)
                    .map_or_else(String::new, |n| n.to_string()),
                generation: w.generation,
                state: w.state.clone(),
                beats: w.shared.beats.load(Ordering::Relaxed),
            })
            .collect();
        CoordinatorMetrics {
            components,
            workers,
            failures: self.failures(),
        }
    }
}

/// What `check` hands from the locked scan to the failure handling.
struct Detected {
    id: WorkerId,
    name: Arc<str>,
    component: usize,
    generation: u32,
    spec: WorkerSpec,
    body: Option<Body>,
    shared: Arc<WorkerShared>,
    handle: Option<JoinHandle<()>>,
    lease: Option<Lease>,
    cause: FailureCause,
}

fn monitor_loop(inner: Weak<Inner>, exits: Receiver<WorkerId>, stop: Arc<AtomicBool>) {
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

/// The state of one registered component.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ComponentStatus {
    /// Its id.
    pub id: ComponentId,
    /// The name it was registered under.
    pub name: String,
    /// Its type (`Component::NAME`).
    pub kind: &'static str,
    /// Its current state.
    pub state: &'static str,
    /// Whether that state ends its lifecycle.
    pub terminal: bool,
    /// Its pool channel.
    pub channel: ChannelId,
    /// Whether its failures exceeded the restart intensity.
    pub escalated: bool,
}

/// A snapshot of a [`ComponentCoordinator`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CoordinatorMetrics {
    /// Every component, in registration order.
    pub components: Vec<ComponentStatus>,
    /// Every worker ever started, in start order.
    pub workers: Vec<WorkerStatus>,
    /// Every failure detected, oldest first.
    pub failures: Vec<Failure>,
}
