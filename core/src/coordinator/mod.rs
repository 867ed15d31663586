//! Lifecycles of registered components, state-change notifications, and
//! monitored worker threads: [`ComponentCoordinator`].

mod change;
mod clock;
mod error;
mod lifecycle;
mod managed;
mod register;
mod spawn;
mod status;
mod stop;
mod supervise;
mod worker;

pub use change::{Attached, StateChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoordinatorError, Failure, FailureAction, FailureCause};
pub use lifecycle::{Lifecycle, RestartPolicy};
pub use managed::{ComponentId, Managed, ManagedMachine};
pub use register::{ComponentCoordinator, CoordinatorConfig};
pub use status::{ComponentStatus, CoordinatorMetrics};
pub use worker::{Heartbeat, WorkerId, WorkerSpec, WorkerState, WorkerStatus};
