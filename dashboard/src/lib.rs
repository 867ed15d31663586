//! A live dashboard for a [typestep](https://docs.rs/typestep) system: the
//! declared design, live.
//!
//! [`Dashboard::builder`] says what to show (a
//! [`ComponentCoordinator`](typestep_core::coordinator::ComponentCoordinator) or a whole
//! [`MonitoringCoordinator`](typestep_core::monitoring::MonitoringCoordinator), the
//! component types whose declared graphs to draw, the `System` whose plan
//! to show) and [`serve`](DashboardBuilder::serve)s, from a thread with its
//! own small runtime (no async code needed by the caller):
//!
//! * `/`: one self-contained page, live over server-sent events: each
//!   component's state, time in state, restarts, heartbeat age and restart
//!   budget (failed ones stand out), its declared state graph as SVG with
//!   every edge's count and p99 (never-taken edges dashed), the recovery log
//!   (filterable), pool and buffer usage, the init order and cleanup plan
//!   with live progress, and trends;
//! * `/events`: the stream; a client that reconnects with `Last-Event-ID`
//!   resumes after that recovery-log `seq`, or gets a `fell-behind` event.
//!   Each client has its own bounded queue (1,024 messages) fed by a
//!   fan-out that never waits: a client that does not keep up misses
//!   messages and is told how many (`fell-behind`, `{"missed": n}`) where
//!   they were missed, its memory stays bounded and the other clients are
//!   not touched; at most 64 clients stream at once (then 503);
//! * `/metrics`: Prometheus/OpenMetrics text (`typestep_state`,
//!   `typestep_transitions_total`, `typestep_transition_duration_seconds`,
//!   `typestep_transition_info`, restarts, heartbeat ages, pool, buffers);
//! * `/api/snapshot`: the same data as JSON ([`DashboardSnapshot`]).
//!
//! It only pulls: every 100 ms it reads the runtime's public accessors and
//! the recovery log's recent events. A move does nothing more for it, client
//! or not.
//!
//! ```
//! use typestep_core::coordinator::{ComponentCoordinator, CoordinatorConfig};
//! use typestep_core::pool::ResourcePool;
//! use typestep_dashboard::Dashboard;
//!
//! let pool = ResourcePool::builder().build()?;
//! let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
//! let dashboard = Dashboard::builder()
//!     .coordinator(&coordinator)
//!     .serve("127.0.0.1:0")?; // loopback, any free port
//! assert!(dashboard.address().ip().is_loopback());
//! assert!(dashboard.snapshot().components.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clients;
mod dashboard;
mod declared;
mod error;
mod live;
mod message;
mod metrics;
mod server;
mod snapshot;
mod svg;

pub use dashboard::{Dashboard, DashboardBuilder, Wake};
pub use error::DashboardError;
pub use snapshot::{
    BufferChannelView, BuffersView, ChannelView, CleanupStepView, ComponentView, DashboardSnapshot,
    EdgeView, KindView, PoolView, SystemView, Totals, Trends, UsedView,
};
