//! Lifecycles of registered components, state-change notifications, and
//! monitored worker threads: [`ComponentCoordinator`].
//!
//! Each component is registered with its [`StateMachine`](crate::StateMachine)
//! and a [`Lifecycle`] (which events start, stop, fail and restart it) and gets
//! its own channel of the injected [`ResourcePool`](crate::pool::ResourcePool).
//! A worker thread ([`spawn_worker`](ComponentCoordinator::spawn_worker)) beats
//! a [`Heartbeat`]; a panic, an error or a missed deadline is a [`Failure`]:
//! the component moves to its failure state, the worker's cleanup runs, the
//! failure is logged and, within the [`RestartPolicy`]'s intensity limit, the
//! worker restarts. Every move is sent to subscribers as a [`StateChange`].
//! A tokio task is supervised the same way (feature `tokio`): a task linked
//! to a component with `ChildSpec::component` (in `typestep::supervisor`)
//! fails, restarts and stops the component through its machine, and its
//! failures are stored here with those of worker threads.
//!
//! The files say what they hold: `register.rs` (the coordinator and its
//! components), `spawn.rs` (worker threads), `supervise.rs` (failure detection,
//! restarts and the heartbeat monitor thread's loop), `monitor.rs` (the
//! monitor thread's handle), `stop.rs` (the stop plan),
//! `status.rs` (status and metrics), `fail.rs` (failing a component through
//! its machine, for threads and tasks alike) and `task.rs` (a supervised
//! task's link to its component).
//!
//! ```
//! use std::sync::Arc;
//! use typestep::prelude::*;
//! use typestep::coordinator::{ComponentCoordinator, CoordinatorConfig, Lifecycle};
//! use typestep::pool::{Quotas, ResourcePool};
//!
//! #[derive(Component, Clone)]
//! #[component(states(Created, Running, Failed), initial = Created)]
//! #[transition(Created -> Running on Start)]
//! #[transition(Running -> Failed on Fail)]
//! struct Sensor;
//!
//! let pool = ResourcePool::builder().build()?;
//! let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
//! let changes = coordinator.subscribe();
//! let id = coordinator.register(
//!     "sensor",
//!     StateMachine::new(Sensor),
//!     Lifecycle::new(sensor::Fail).start(sensor::Start),
//!     Quotas::new(),
//! )?;
//! coordinator.start_all()?;
//! assert_eq!(changes.try_iter().count(), 1); // Created -> Running
//! assert_eq!(coordinator.metrics().components[0].state, "Running");
//! # let _ = id;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! [`CoordinatorError`] covers what a call can refuse: an unknown component, a
//! refused lifecycle move, a pool error, a thread the OS would not start,
//! cleanup registration, or a coordinator that is stopping. Failures of running workers are not call errors: they are
//! [`Failure`] records (with a [`FailureCause`] and the [`FailureAction`] taken),
//! read with [`failures`](ComponentCoordinator::failures).

mod change;
mod clock;
mod error;
mod fail;
mod lifecycle;
mod managed;
mod monitor;
mod register;
mod spawn;
mod status;
mod stop;
mod supervise;
#[cfg(feature = "tokio")]
mod task;
mod worker;

pub use change::{Attached, StateChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoordinatorError, Failure, FailureAction, FailureCause};
pub use lifecycle::{Lifecycle, RestartPolicy};
pub use managed::{ComponentId, Managed, ManagedMachine};
pub use register::{ComponentCoordinator, CoordinatorConfig};
pub use status::{ComponentStatus, CoordinatorMetrics};
#[cfg(feature = "tokio")]
pub(crate) use task::TaskLink;
pub use worker::{Heartbeat, WorkerId, WorkerSpec, WorkerState, WorkerStatus};
