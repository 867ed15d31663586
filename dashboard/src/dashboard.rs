//! [`DashboardBuilder`] says what to show; [`Dashboard`] is the running server.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;
use typestep_core::buffer::BufferManager;
use typestep_core::cleanup::CleanupCoordinator;
use typestep_core::coordinator::ComponentCoordinator;
use typestep_core::monitoring::MonitoringCoordinator;
use typestep_core::pool::ResourcePool;
use typestep_core::recovery::RecoveryLogger;
use typestep_core::{Component, System};

use crate::declared::Declared;
use crate::error::DashboardError;
use crate::live::{Hub, Sources, SystemDecl};

/// How often the dashboard pulls from the runtime.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// Says what the dashboard shows, then [`serve`](Self::serve)s it.
///
/// Every source is optional; [`coordinator`](Self::coordinator) brings its
/// logger, pool and cleanup coordinator along, and
/// [`monitoring`](Self::monitoring) brings every part of a
/// [`MonitoringCoordinator`].
#[derive(Default)]
pub struct DashboardBuilder {
    sources: Sources,
}

impl core::fmt::Debug for DashboardBuilder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DashboardBuilder")
            .field(
                "components",
                &self.sources.declared.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl DashboardBuilder {
    /// Shows the components of `coordinator` (and, unless set otherwise, its
    /// recovery logger, resource pool and cleanup coordinator).
    pub fn coordinator(mut self, coordinator: &ComponentCoordinator) -> Self {
        let s = &mut self.sources;
        s.logger.get_or_insert_with(|| coordinator.logger().clone());
        s.pool.get_or_insert_with(|| coordinator.pool().clone());
        s.cleanup
            .get_or_insert_with(|| coordinator.cleanup().clone());
        s.coordinator = Some(coordinator.clone());
        self
    }

    /// Shows every part of `system`: components, logger, pool, buffers,
    /// cleanup.
    pub fn monitoring(self, system: &MonitoringCoordinator) -> Self {
        self.coordinator(system.components())
            .logger(system.logger())
            .pool(system.pool())
            .buffers(system.buffers())
            .cleanup(system.cleanup())
    }

    /// Streams and counts the events of `logger`. The dashboard reads with
    /// [`RecoveryLogger::events_since`], so other readers lose nothing.
    pub fn logger(mut self, logger: &Arc<RecoveryLogger>) -> Self {
        self.sources.logger = Some(logger.clone());
        self
    }

    /// Shows the usage of `pool` per kind and channel.
    pub fn pool(mut self, pool: &ResourcePool) -> Self {
        self.sources.pool = Some(pool.clone());
        self
    }

    /// Shows the buffers of `buffers` per channel.
    pub fn buffers(mut self, buffers: &BufferManager) -> Self {
        self.sources.buffers = Some(buffers.clone());
        self
    }

    /// Shows the steps of `cleanup` and their progress while it runs.
    pub fn cleanup(mut self, cleanup: &Arc<CleanupCoordinator>) -> Self {
        self.sources.cleanup = Some(cleanup.clone());
        self
    }

    /// Draws the declared state graph of every registered component of type
    /// `C` (`Component::TRANSITIONS`, `Label::ALL`) and exports a series per
    /// declared state and transition.
    pub fn component<C: Component>(mut self) -> Self {
        self.sources.declared.insert(C::NAME, Declared::of::<C>());
        self
    }

    /// Shows `S`'s declared init order and cleanup plan.
    pub fn system<S: System>(mut self) -> Self {
        self.sources.system = Some(SystemDecl {
            name: S::NAME,
            init_order: S::INIT_ORDER,
            cleanup_plan: S::CLEANUP_PLAN.levels(),
        });
        self
    }

    /// Binds `address` (give a loopback one, such as
    /// [`Dashboard::DEFAULT_ADDRESS`], unless others should see it; port 0
    /// picks a free port) and serves from a thread of its own running a
    /// small single-threaded runtime: callers need no async code.
    pub fn serve(
        self,
        address: impl ToSocketAddrs + core::fmt::Debug,
    ) -> Result<Dashboard, DashboardError> {
        let shown = format!("{address:?}");
        let listener = TcpListener::bind(address).map_err(|source| DashboardError::Bind {
            address: shown.clone(),
            source,
        })?;
        let bound = listener
            .local_addr()
            .map_err(|source| DashboardError::Bind {
                address: shown.clone(),
                source,
            })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| DashboardError::Bind {
                address: shown,
                source,
            })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(DashboardError::Runtime)?;
        let handle = runtime.handle().clone();
        let hub = Arc::new(Hub::new(self.sources));
        hub.tick();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = hub.clone();
        let thread = std::thread::Builder::new()
            .name(String::from("typestep-dashboard"))
            .spawn(move || {
                runtime.block_on(async move {
                    let sampler = served.clone();
                    tokio::spawn(async move {
                        let mut every = tokio::time::interval(SAMPLE_EVERY);
                        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                        loop {
                            every.tick().await;
                            sampler.tick();
                        }
                    });
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let app = crate::server::router(served);
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime ends every connection and the sampler.
                drop(runtime);
            })
            .map_err(DashboardError::Runtime)?;
        Ok(Dashboard {
            address: bound,
            hub,
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running dashboard. Dropping it (or [`shutdown`](Self::shutdown))
/// stops the server and closes every connection.
///
/// ```no_run
/// use typestep_dashboard::Dashboard;
/// # fn system() -> typestep_core::monitoring::MonitoringCoordinator { unimplemented!() }
/// let system = system();
/// let dashboard = Dashboard::builder()
///     .monitoring(&system)
///     .serve(Dashboard::DEFAULT_ADDRESS)?;
/// println!("dashboard on http://{}/", dashboard.address());
/// dashboard.wait(Some(std::time::Duration::from_secs(60))); // or Ctrl-C
/// # Ok::<(), typestep_dashboard::DashboardError>(())
/// ```
pub struct Dashboard {
    address: SocketAddr,
    hub: Arc<Hub>,
    handle: tokio::runtime::Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Why [`Dashboard::wait`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Wake {
    /// Ctrl-C (SIGINT) arrived.
    Interrupted,
    /// The time limit passed.
    TimedOut,
}

impl Dashboard {
    /// Where a dashboard listens unless told otherwise: loopback only.
    pub const DEFAULT_ADDRESS: &'static str = "127.0.0.1:9100";

    /// Says what to show.
    pub fn builder() -> DashboardBuilder {
        DashboardBuilder::default()
    }

    /// The address it listens on (with the port picked for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Pulls from the runtime now instead of at the next 100 ms tick.
    pub fn refresh(&self) {
        self.hub.tick();
    }

    /// The snapshot `/api/snapshot` serves, taken now.
    pub fn snapshot(&self) -> crate::DashboardSnapshot {
        self.hub.snapshot()
    }

    /// Blocks until Ctrl-C or until `limit` passes (`None`: no limit). Once
    /// called, Ctrl-C no longer ends the process by itself.
    pub fn wait(&self, limit: Option<Duration>) -> Wake {
        let (tx, rx) = std::sync::mpsc::channel();
        self.handle.spawn(async move {
            let interrupted = async {
                // A process that cannot listen for signals waits for the limit.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            let wake = match limit {
                Some(limit) => tokio::select! {
                    _ = interrupted => Wake::Interrupted,
                    _ = tokio::time::sleep(limit) => Wake::TimedOut,
                },
                None => {
                    interrupted.await;
                    Wake::Interrupted
                }
            };
            let _ = tx.send(wake);
        });
        rx.recv().unwrap_or(Wake::TimedOut)
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.stop_now();
    }
}

impl core::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Dashboard")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}
