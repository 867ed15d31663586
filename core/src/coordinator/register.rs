//! The coordinator itself: its configuration, registration of components,
//! their pool channels and resources.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

use crate::cleanup::CleanupCoordinator;
use crate::component::Component;
use crate::machine::{Observer, StateMachine};
use crate::pool::{
    ChannelId, ChannelUsage, Lease, PoolChannel, Quotas, ResourceKind, ResourcePool,
};
use crate::recovery::{MoveLogger, RecoveryLogger};

use super::change::{Attached, StateChange};
use super::clock::{Clock, SystemClock};
use super::error::{CoordinatorError, Failure};
use super::lifecycle::Lifecycle;
use super::managed::{ComponentId, Managed};
use super::worker::WorkerId;

use super::change::Bus;
use super::managed::{Driven, Erased, Which};
use super::monitor::Monitor;
use super::worker::WorkerRecord;

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
pub(super) struct Entry {
    pub(super) name: Arc<str>,
    pub(super) channel: PoolChannel,
    pub(super) driven: Arc<dyn Driven>,
    pub(super) restarts: Mutex<VecDeque<Duration>>,
    pub(super) escalated: AtomicBool,
}

pub(super) struct Inner {
    pub(super) pool: ResourcePool,
    pub(super) config: CoordinatorConfig,
    pub(super) bus: Arc<Bus>,
    pub(super) components: RwLock<Vec<Arc<Entry>>>,
    pub(super) workers: Mutex<Vec<WorkerRecord>>,
    pub(super) failures: Mutex<Vec<Failure>>,
    pub(super) next_worker: AtomicU32,
    pub(super) exits: Mutex<Sender<WorkerId>>,
    pub(super) exit_rx: Mutex<Option<Receiver<WorkerId>>>,
    pub(super) monitor: Mutex<Option<Monitor>>,
    /// Why the last monitor thread died, if it did.
    pub(super) monitor_fault: Mutex<Option<String>>,
    /// This coordinator's tag in its [`ComponentId`]s.
    pub(super) owner: u64,
    pub(super) checking: Mutex<()>,
    pub(super) stopping: AtomicBool,
}

/// Dropping the last handle stops what the coordinator started: every
/// worker is asked to stop (its [`Heartbeat::should_stop`](super::Heartbeat::should_stop)
/// turns true and a [`Heartbeat::sleep`](super::Heartbeat::sleep) wakes) and the
/// monitor thread ends. Nothing is joined here: a stalled thread cannot hold
/// up the drop.
impl Drop for Inner {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        for worker in self.workers.get_mut().iter() {
            worker.request_stop();
        }
        if let Some(monitor) = self.monitor.get_mut().take() {
            monitor.signal(self.exits.get_mut());
        }
    }
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
///   [`Heartbeat`](super::Heartbeat) from the thread itself. A panic, an error, or a missed
///   deadline (no beat for 1.5 intervals; the monitor checks every quarter
///   interval, so detection comes within two intervals) moves the component to
///   its failure state, runs the worker's cleanup through the
///   [`CleanupCoordinator`], is logged with its context, and — if the
///   lifecycle offers restarts — restarts the worker, at most
///   [`RestartPolicy::max_restarts`](super::RestartPolicy::max_restarts) times per window before escalating.
/// * With the `tokio` feature, a tokio task linked to a component
///   (`typestep::supervisor::ChildSpec::component`) is supervised the same
///   way by the task supervisor: its failures fail the component through its
///   machine and are stored in [`failures`](Self::failures) with those of
///   the worker threads.
///
/// Clones share the coordinator.
#[derive(Clone)]
pub struct ComponentCoordinator {
    pub(super) inner: Arc<Inner>,
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
                monitor_fault: Mutex::default(),
                owner: crate::owner::next_owner(),
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
        let machine = super::managed::attach(machine, attached);
        let driven = Arc::new(Erased {
            machine: machine.clone(),
            lifecycle,
        });
        let mut components = self.inner.components.write();
        let id = ComponentId {
            owner: self.inner.owner,
            index: components.len(),
        };
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

    pub(super) fn entry(&self, id: ComponentId) -> Result<Arc<Entry>, CoordinatorError> {
        if id.owner != self.inner.owner {
            return Err(CoordinatorError::ForeignComponent(id));
        }
        self.entry_at(id.index)
    }

    /// The component registered `index`th (components are never removed).
    pub(super) fn entry_at(&self, index: usize) -> Result<Arc<Entry>, CoordinatorError> {
        self.inner
            .components
            .read()
            .get(index)
            .cloned()
            .ok_or(CoordinatorError::UnknownComponent(ComponentId {
                owner: self.inner.owner,
                index,
            }))
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

    /// The Mermaid state diagram of `component`'s type.
    pub fn diagram(&self, component: ComponentId) -> Result<&'static str, CoordinatorError> {
        Ok(self.entry(component)?.driven.mermaid())
    }
}
