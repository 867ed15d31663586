//! The runtime core of [typestep](https://docs.rs/typestep): checked moves,
//! rollback, history, ordered cleanup, monitoring and recovery logs.
//!
//! Most users depend on the `typestep` facade, which re-exports this crate
//! together with the derive macros. This crate has no proc-macro
//! dependencies, so it can be used with hand-written [`Component`] impls.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod buffer;
mod cleanup;
mod component;
mod coordinator;
pub mod lock;
mod machine;
mod monitoring;
mod pool;
mod recovery;
mod snapshot;
mod step;
mod system;
mod typed;

// Runtime parts; each area keeps its re-exports next to its `mod` line.
pub use cleanup::{
    CleanupCoordinator, CleanupError, CleanupLink, CleanupReport, CleanupStep, FailurePolicy,
    LinkHandle, Registered, StepOutcome, StepReport, Verification,
};
#[cfg(feature = "metrics")]
pub use recovery::MetricsSink;
#[cfg(feature = "tracing")]
pub use recovery::TracingSink;
pub use recovery::{
    Analytics, EventKind, JsonLines, MoveLogger, Name, RecoveryEvent, RecoveryLogger, Sink,
    TransitionKey, TransitionStats,
};

pub use buffer::{
    Buffer, BufferChannel, BufferError, BufferManager, BufferMetrics, BufferStats,
    ChannelBufferStats,
};
pub use component::{
    Action, Component, Edge, EventMarker, Guard, Label, StateMarker, TransitionSpec,
};
pub use coordinator::{
    Attached, Clock, ComponentCoordinator, ComponentId, ComponentStatus, CoordinatorConfig,
    CoordinatorError, CoordinatorMetrics, Failure, FailureAction, FailureCause, Heartbeat,
    Lifecycle, Managed, ManagedMachine, ManualClock, RestartPolicy, StateChange, SystemClock,
    WorkerId, WorkerSpec, WorkerState, WorkerStatus,
};
pub use machine::{
    on_move, Cause, Checkpoint, FireError, History, HistoryIter, MoveRecord, NoObserver, Observer,
    Observers, OnMove, RehydrateError, SharedMachine, StateMachine, WrongState,
};
pub use monitoring::{
    MonitoringBuilder, MonitoringCoordinator, MonitoringError, MonitoringMetrics, StopReport,
    SystemState, WithComponents, WithPool,
};
pub use pool::{
    ChannelId, ChannelUsage, KindUsage, LeakReport, LeakedLease, Lease, PoolChannel, PoolError,
    PoolMetrics, Quotas, ResourceKind, ResourcePool, ResourcePoolBuilder,
};
pub use snapshot::{ByClone, Snapshot};
pub use step::{perform, BoxError, Refusal, Step};
pub use system::{Built, CleanupPlan, Missing, Slot, System};
pub use typed::{Rejected, Transition, Typed};

/// Items used by generated code. Not part of the public API: no stability
/// guarantees, may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::lock::{
        AtLevel, Level, Link, LockChain, LockError, LockGuard, OrderedMutex, Unlocked,
    };
    pub use crate::step::{run_action, take_edge};
    pub use crate::{Built, CleanupPlan, Missing, Slot, System};
    pub use crate::{
        ByClone, Component, Edge, EventMarker, Label, Rejected, StateMarker, Step, Transition,
        TransitionSpec, Typed,
    };

    /// Locks `mutex` (the generated token has checked the order).
    #[inline(always)]
    pub fn lock_acquire<T, L>(mutex: &OrderedMutex<T, L>) -> LockGuard<'_, T> {
        crate::lock::acquire(mutex)
    }

    /// Locks two mutexes of one level in address order.
    #[inline]
    pub fn lock_acquire_both<'a, T, L>(
        a: &'a OrderedMutex<T, L>,
        b: &'a OrderedMutex<T, L>,
    ) -> Result<(LockGuard<'a, T>, LockGuard<'a, T>), LockError> {
        crate::lock::acquire_both(a, b)
    }

    /// Locks mutexes of one level in address order.
    #[inline]
    pub fn lock_acquire_all<'a, T, L>(
        mutexes: &[&'a OrderedMutex<T, L>],
    ) -> Result<Vec<LockGuard<'a, T>>, LockError> {
        crate::lock::acquire_all(mutexes)
    }

    /// The next link of a lock chain (the generated token has checked the
    /// order).
    #[inline(always)]
    pub fn lock_next<'b, L, M>(link: &'b mut Link<'_, L>) -> Link<'b, M> {
        crate::lock::next(link)
    }

    /// Moves along a transition without guard or action.
    #[inline(always)]
    pub fn advance<C, S, N>(from: Typed<C, S>) -> Typed<C, N> {
        crate::typed::advance(from)
    }

    /// Moves along a guarded or acting transition.
    #[inline(always)]
    pub fn try_advance<C: Component, S, N>(
        from: Typed<C, S>,
        edge: &crate::Edge<C>,
    ) -> Result<Typed<C, N>, Rejected<C, S>> {
        crate::typed::try_advance(from, edge)
    }
}
