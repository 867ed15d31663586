//! The whole monitoring runtime: [`MonitoringCoordinator`] creates and owns the
//! [`ResourcePool`], builds the [`ComponentCoordinator`] and the
//! [`BufferManager`] in that order, routes resource requests, starts and stops
//! the system, and reports on every part.
//!
//! The builder only offers the parts in their init order (pool → components →
//! buffers), so building out of order does not compile; the stop runs the
//! cleanup plan in the reverse order and returns a [`StopReport`].
//!
//! ```
//! use typestep::coordinator::CoordinatorConfig;
//! use typestep::monitoring::MonitoringCoordinator;
//! use typestep::pool::{Quotas, ResourceKind, ResourcePool};
//!
//! let system = MonitoringCoordinator::builder()
//!     .pool(ResourcePool::builder().capacity(ResourceKind::BUFFER_BYTES, 64 * 1024))?
//!     .components(CoordinatorConfig::default())
//!     .buffers(4096)?;
//! let frames = system.open_channel("frames", Quotas::new())?;
//! drop(system.buffer(frames)?);
//! system.start()?;
//! assert!(system.stop().is_clean());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! [`MonitoringError`] wraps the error of the part that refused (pool,
//! buffers, coordinator), refuses parts drawn from another pool, and says when
//! the system is in the wrong [`SystemState`] for a call (say, starting twice).

mod builder;
mod report;

use std::sync::Arc;

use parking_lot::Mutex;

use crate::buffer::{Buffer, BufferChannel, BufferError, BufferManager};
use crate::cleanup::{CleanupCoordinator, CleanupStep};
use crate::component::Component;
use crate::coordinator::{
    ComponentCoordinator, ComponentId, CoordinatorError, Heartbeat, Lifecycle, Managed, WorkerId,
    WorkerSpec,
};
use crate::fault::BoxError;
use crate::machine::{Observer, StateMachine};
use crate::pool::{ChannelId, Lease, PoolError, Quotas, ResourceKind, ResourcePool};
use crate::recovery::RecoveryLogger;
use crate::system::{CleanupPlan, System};

pub use builder::{MonitoringBuilder, WithComponents, WithPool};
pub use report::{MonitoringMetrics, StopReport};

/// Where the system is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SystemState {
    /// Built; components may register.
    Built,
    /// Started: components started, workers monitored.
    Running,
    /// Stopped: cleanup ran; the report is kept.
    Stopped,
}

/// Why the monitoring system refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitoringError {
    /// The pool refused.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The buffer manager refused.
    #[error(transparent)]
    Buffer(#[from] BufferError),
    /// The component coordinator refused.
    #[error(transparent)]
    Coordinator(#[from] CoordinatorError),
    /// A part given to [`MonitoringCoordinator::from_parts`] draws from
    /// another pool than the one given.
    #[error("`{part}` draws from another pool: every part must share the system's pool")]
    ForeignPool {
        /// The part (`components` or `buffers`).
        part: &'static str,
    },
    /// The request does not fit the system's state (say, starting twice).
    #[error("the system is {state:?}; cannot {request}")]
    WrongState {
        /// The system's state.
        state: SystemState,
        /// What was asked.
        request: &'static str,
    },
}

/// The origin's monitoring runtime, assembled in its required order:
/// `ResourcePool` → `ComponentCoordinator` (receives the pool) →
/// `BufferManager` (draws from the pool) → components, which get every
/// resource through it.
///
/// The construction API is a typestate builder, so building out of order does
/// not compile:
///
/// ```compile_fail
/// use typestep::{monitoring::MonitoringCoordinator, pool::{ResourceKind, ResourcePool}};
/// // No buffer manager before the component coordinator:
/// let system = MonitoringCoordinator::builder()
///     .pool(ResourcePool::builder().capacity(ResourceKind::BUFFER_BYTES, 1024))
///     .unwrap()
///     .buffers(256);
/// ```
///
/// Parts built by the builder that `#[derive(System)]` generates for a struct
/// declaring the same three parts are accepted by
/// [`from_parts`](Self::from_parts) (this crate has no proc-macro
/// dependency, so it cannot use the derive itself; `tests/monitoring_system.rs`
/// checks that the graph below equals the one the derive validates).
///
/// Its parts form a [`System`] (`pool`, `components` depends on `pool`,
/// `buffers` depends on both); [`stop`](Self::stop) cleans them up in the
/// reverse order through the [`CleanupCoordinator`], after the components,
/// and verifies each step.
///
/// ```
/// use typestep::{coordinator::CoordinatorConfig, monitoring::MonitoringCoordinator, pool::{Quotas, ResourceKind, ResourcePool}};
///
/// let system = MonitoringCoordinator::builder()
///     .pool(
///         ResourcePool::builder()
///             .capacity(ResourceKind::BUFFER_BYTES, 64 * 1024)
///             .capacity(ResourceKind::WORKER_THREADS, 8),
///     )?
///     .components(CoordinatorConfig::default())
///     .buffers(4096)?;
/// let frames = system.open_channel("frames", Quotas::new())?;
/// let buffer = system.buffer(frames)?;
/// drop(buffer);
/// system.start()?;
/// let report = system.stop();
/// assert!(report.is_clean(), "{report}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MonitoringCoordinator {
    pool: ResourcePool,
    components: ComponentCoordinator,
    buffers: BufferManager,
    state: Mutex<SystemState>,
    report: Mutex<Option<StopReport>>,
}

impl System for MonitoringCoordinator {
    const NAME: &'static str = "MonitoringCoordinator";
    const PARTS: &'static [&'static str] = &["pool", "components", "buffers"];
    const DEPENDENCIES: &'static [(&'static str, &'static str)] = &[
        ("components", "pool"),
        ("buffers", "pool"),
        ("buffers", "components"),
    ];
    const INIT_ORDER: &'static [&'static str] = &["pool", "components", "buffers"];
    const CLEANUP_PLAN: CleanupPlan = CleanupPlan::new(&[&["buffers"], &["components"], &["pool"]]);
    const LOCK_ORDER: &'static [(&'static str, &'static str)] = &[];
}

impl MonitoringCoordinator {
    /// Starts the typestate builder: pool, then components, then buffers.
    pub fn builder() -> MonitoringBuilder {
        MonitoringBuilder::default()
    }

    /// The system from parts built elsewhere in init order — typically by
    /// the builder `#[derive(System)]` generates for a struct with the same
    /// three parts (see `examples/monitoring.rs`). Both coordinators must
    /// draw from `pool` itself.
    pub fn from_parts(
        pool: ResourcePool,
        components: ComponentCoordinator,
        buffers: BufferManager,
    ) -> Result<Self, MonitoringError> {
        if !components.pool().is_same_pool(&pool) {
            return Err(MonitoringError::ForeignPool { part: "components" });
        }
        if !buffers.pool().is_same_pool(&pool) {
            return Err(MonitoringError::ForeignPool { part: "buffers" });
        }
        Ok(Self::assemble(pool, components, buffers))
    }

    pub(crate) fn assemble(
        pool: ResourcePool,
        components: ComponentCoordinator,
        buffers: BufferManager,
    ) -> Self {
        MonitoringCoordinator {
            pool,
            components,
            buffers,
            state: Mutex::new(SystemState::Built),
            report: Mutex::new(None),
        }
    }

    /// The pool (owned here; clones are handles on it).
    pub fn pool(&self) -> &ResourcePool {
        &self.pool
    }

    /// The component coordinator.
    pub fn components(&self) -> &ComponentCoordinator {
        &self.components
    }

    /// The buffer manager.
    pub fn buffers(&self) -> &BufferManager {
        &self.buffers
    }

    /// The cleanup coordinator that [`stop`](Self::stop) runs.
    pub fn cleanup(&self) -> &Arc<CleanupCoordinator> {
        self.components.cleanup()
    }

    /// The recovery log of every part.
    pub fn logger(&self) -> &Arc<RecoveryLogger> {
        self.components.logger()
    }

    /// Where the system is in its life.
    pub fn state(&self) -> SystemState {
        *self.state.lock()
    }

    /// Opens a pool channel for a data stream that is not a component.
    pub fn open_channel(
        &self,
        name: impl Into<String>,
        quotas: Quotas,
    ) -> Result<ChannelId, MonitoringError> {
        Ok(self.pool.open_channel(name, quotas)?)
    }

    /// Registers a component (see [`ComponentCoordinator::register`]).
    pub fn register<C, O>(
        &self,
        name: impl Into<String>,
        machine: StateMachine<C, O>,
        lifecycle: Lifecycle<C>,
        quotas: Quotas,
    ) -> Result<Managed<C, O>, MonitoringError>
    where
        C: Component + Send + 'static,
        O: Observer<C> + Send + 'static,
    {
        self.expect_not(SystemState::Stopped, "register a component")?;
        Ok(self.components.register(name, machine, lifecycle, quotas)?)
    }

    /// Starts a monitored worker (see [`ComponentCoordinator::spawn_worker`]).
    pub fn spawn_worker<F>(
        &self,
        component: ComponentId,
        name: &str,
        spec: WorkerSpec,
        body: F,
    ) -> Result<WorkerId, MonitoringError>
    where
        F: Fn(&Heartbeat) -> Result<(), BoxError> + Send + Sync + 'static,
    {
        Ok(self.components.spawn_worker(component, name, spec, body)?)
    }

    /// Leases resources for `component` from its channel.
    pub fn acquire(
        &self,
        component: ComponentId,
        kind: ResourceKind,
        units: u64,
        purpose: &'static str,
    ) -> Result<Lease, MonitoringError> {
        Ok(self.components.acquire(component, kind, units, purpose)?)
    }

    /// A buffer charged to `channel` (a component's or a data stream's).
    pub fn buffer(&self, channel: ChannelId) -> Result<Buffer, MonitoringError> {
        Ok(self.buffers.acquire(channel)?)
    }

    /// A handle handing out buffers on `channel` without lookups.
    pub fn buffer_channel(&self, channel: ChannelId) -> Result<BufferChannel, MonitoringError> {
        Ok(self.buffers.channel(channel)?)
    }

    fn expect_not(&self, state: SystemState, request: &'static str) -> Result<(), MonitoringError> {
        let now = *self.state.lock();
        if now == state {
            Err(MonitoringError::WrongState {
                state: now,
                request,
            })
        } else {
            Ok(())
        }
    }

    /// Starts every component (registration order) and the thread monitor.
    pub fn start(&self) -> Result<(), MonitoringError> {
        let mut state = self.state.lock();
        if *state != SystemState::Built {
            return Err(MonitoringError::WrongState {
                state: *state,
                request: "start",
            });
        }
        self.components.start_all()?;
        self.components.start_monitor()?;
        *state = SystemState::Running;
        Ok(())
    }

    /// Stops the whole system: every component is stopped and its workers
    /// joined, then the parts are cleaned up in reverse init order
    /// (`buffers`, `components`, `pool`), each step verified, through the
    /// [`CleanupCoordinator`]. Returns the cleanup report and the pool's leak
    /// report. Calling it again returns the same report.
    pub fn stop(&self) -> StopReport {
        let mut state = self.state.lock();
        if let Some(report) = self.report.lock().clone() {
            return report;
        }
        // No failure handling (which runs pending cleanup steps) may start
        // once the system's steps are registered.
        self.components.stop_monitor();
        let mut problems = Vec::new();
        {
            // A failed worker's cleanup may still run in the background: no
            // cleanup starts until all of the system's steps are registered.
            let cleanup = self.cleanup().clone();
            let _held = cleanup.hold();
            if let Err(error) = self.register_system_steps() {
                problems.push(format!("could not register the system's cleanup: {error}"));
            }
            if let Err(error) = self.components.register_stop_held(&["buffers"]) {
                problems.push(format!(
                    "could not register the components' cleanup: {error}"
                ));
            }
        }
        let cleanup = self.cleanup().cleanup();
        let leaks = self.pool.leak_report();
        let report = StopReport {
            cleanup,
            leaks,
            problems,
        };
        *state = SystemState::Stopped;
        *self.report.lock() = Some(report.clone());
        report
    }

    fn register_system_steps(&self) -> Result<(), crate::cleanup::CleanupError> {
        let (buffers, components, pool) = (
            self.buffers.clone(),
            self.components.clone(),
            self.pool.clone(),
        );
        self.cleanup()
            .register_system::<MonitoringCoordinator>(move |part| match part {
                "buffers" => {
                    let buffers = buffers.clone();
                    CleanupStep::new(part, || Ok::<(), BoxError>(())).verify(move || {
                        let held: Vec<String> = buffers
                            .metrics()
                            .channels
                            .into_iter()
                            .filter(|c| c.stats.in_use > 0)
                            .map(|c| format!("{} holds {} buffer(s)", c.name, c.stats.in_use))
                            .collect();
                        if held.is_empty() {
                            Ok(())
                        } else {
                            Err(held.join("; "))
                        }
                    })
                }
                "components" => {
                    let components = components.clone();
                    CleanupStep::new(part, || Ok::<(), BoxError>(())).verify(move || {
                        let metrics = components.metrics();
                        let open: Vec<String> = metrics
                            .components
                            .iter()
                            .filter(|c| !c.terminal)
                            .map(|c| format!("{} is {}", c.name, c.state))
                            .collect();
                        if open.is_empty() {
                            Ok(())
                        } else {
                            Err(open.join("; "))
                        }
                    })
                }
                _ => {
                    let (close, verify) = (pool.clone(), pool.clone());
                    CleanupStep::new(part, move || {
                        let leaks = close.close_all();
                        if leaks.is_empty() {
                            Ok(())
                        } else {
                            Err(leaks.to_string())
                        }
                    })
                    .verify_that(move || {
                        verify.leak_report().is_empty()
                            && verify.metrics().kinds.iter().all(|k| k.in_use == 0)
                    })
                }
            })?;
        Ok(())
    }

    /// A snapshot of every part: pool, components and workers, buffers, and
    /// the recovery log's analytics.
    pub fn metrics(&self) -> MonitoringMetrics {
        MonitoringMetrics {
            state: self.state(),
            pool: self.pool.metrics(),
            components: self.components.metrics(),
            buffers: self.buffers.metrics(),
            recovery: self.logger().analytics(),
        }
    }
}

impl core::fmt::Debug for MonitoringCoordinator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MonitoringCoordinator")
            .field("state", &self.state())
            .field("pool", &self.pool)
            .field("components", &self.components)
            .field("buffers", &self.buffers)
            .finish()
    }
}
