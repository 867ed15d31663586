//! The runtime core of [typestep](https://docs.rs/typestep): checked moves,
//! rollback, history, ordered cleanup, monitoring and recovery logs.
//!
//! Most users depend on the `typestep` facade, which re-exports this crate
//! together with the derive macros. This crate has no proc-macro
//! dependencies, so it can be used with hand-written [`Component`] impls.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod buffer;
pub mod cleanup;
pub mod component;
pub mod coordinator;
mod fault;
pub mod lock;
mod loom;
pub mod machine;
pub mod monitoring;
mod owner;
pub mod pool;
pub mod recovery;
#[cfg(feature = "tokio")]
pub mod supervisor;
pub mod system;
mod ticks;
mod time;

// The dozen names most code needs; everything else lives in its part's module.
pub use component::{ByClone, Component, Label, Refusal, Rejected, Snapshot, Typed, Within};
pub use machine::{FireError, SharedMachine, StateMachine};
pub use system::System;

// The flat paths of 0.1, kept for one release. Use the module paths instead.
#[cfg(feature = "metrics")]
#[doc(hidden)]
pub use recovery::MetricsSink;
#[cfg(feature = "tracing")]
#[doc(hidden)]
pub use recovery::TracingSink;
#[doc(hidden)]
pub use {
    buffer::{
        Buffer, BufferChannel, BufferError, BufferManager, BufferMetrics, BufferStats,
        ChannelBufferStats,
    },
    cleanup::{
        CleanupCoordinator, CleanupError, CleanupLink, CleanupReport, CleanupStep, FailurePolicy,
        LinkHandle, Registered, StepOutcome, StepReport, Verification,
    },
    component::{
        perform, Action, BoxError, Edge, EventMarker, Guard, StateMarker, Step, Transition,
        TransitionSpec,
    },
    coordinator::{
        Attached, Clock, ComponentCoordinator, ComponentId, ComponentStatus, CoordinatorConfig,
        CoordinatorError, CoordinatorMetrics, Failure, FailureAction, FailureCause, Heartbeat,
        Lifecycle, Managed, ManagedMachine, ManualClock, RestartPolicy, StateChange, SystemClock,
        WorkerId, WorkerSpec, WorkerState, WorkerStatus,
    },
    machine::{
        on_move, Cause, Checkpoint, ClockReading, History, HistoryIter, MoveRecord, NoObserver,
        Observer, Observers, OnMove, RehydrateError, SharedError, WrongState,
    },
    monitoring::{
        MonitoringBuilder, MonitoringCoordinator, MonitoringError, MonitoringMetrics, StopReport,
        SystemState, WithComponents, WithPool,
    },
    pool::{
        ChannelId, ChannelUsage, KindUsage, LeakReport, LeakedLease, Lease, PoolChannel, PoolError,
        PoolMetrics, Quotas, ResourceKind, ResourcePool, ResourcePoolBuilder,
    },
    recovery::{
        Analytics, EventKind, JsonLines, MoveLogger, Name, RecoveryEvent, RecoveryLogger, Sink,
        TransitionKey, TransitionStats,
    },
    system::{Built, CleanupPlan, Missing, Slot},
};

/// Items used by generated code. Not part of the public API: no stability
/// guarantees, may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::component::{
        action_verdict, catch_unwind_async, guard_verdict, into_async, run_action, run_chain,
        run_chained_action, run_guard, run_guard_async, run_hook, run_hook_async, take_edge,
        ActionGuard, AsyncMove, AsyncResume, AsyncStep, AsyncWithinMove, ByClone, Component, Edge,
        EventMarker, Label, Refusal, Region, Rejected, StateMarker, Step, Superstate, Transition,
        TransitionSpec, Typed, TypedAsyncMove,
    };
    pub use crate::component::{
        leave_within, leave_within_infallible, move_within, move_within_infallible, resume,
        resume_infallible, within_leaf, Leaves, RejectedWithin, SuperTransition, Within,
    };
    pub use crate::lock::order::{Leaf, Left, Lookup, Right};
    pub use crate::lock::{
        AtLevel, Level, Link, LockChain, LockError, LockGuard, OrderedMutex, Unlocked,
    };
    pub use crate::system::{
        built_part, into_built_part, Built, CleanupPlan, Missing, Slot, System,
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
    pub fn advance<C: Component, S: StateMarker<C>, N: StateMarker<C>>(
        from: Typed<C, S>,
    ) -> Typed<C, N> {
        crate::component::advance(from)
    }

    /// Moves along a guarded or acting transition.
    #[inline(always)]
    pub fn try_advance<C: Component, S: StateMarker<C>, N: StateMarker<C>>(
        from: Typed<C, S>,
        edge: &crate::component::Edge<C>,
    ) -> Result<Typed<C, N>, Rejected<C, S>> {
        crate::component::try_advance(from, edge)
    }
}
