//! # typestep
//!
//! Component lifecycles whose design the compiler checks.
//!
//! Annotate a struct with `#[derive(Component)]`, declare its states and
//! transitions in attributes, and typestep gives you:
//!
//! * **typestate handles** ([`Typed`]): firing an event the current state does
//!   not accept does not compile, and the error names the component, the state
//!   and the event;
//! * **a state graph checked at build time**: unknown or duplicate states,
//!   unreachable states, states that can never finish, conflicting
//!   transitions: each is a compile error at your token;
//! * **one transition table** shared by the typed handles and the run-time
//!   core, plus Mermaid and DOT diagrams of it;
//! * **a system-wide dependency graph** with `#[derive(System)]`: init order,
//!   cleanup plan and lock order checked at build time, a builder that only
//!   builds parts in init order, and locks that cannot be taken out of order;
//! * **a runtime core that only performs checked moves**.
//!
//! ## The runtime core
//!
//! One public module per part; the crate root keeps the dozen names most code
//! needs ([`Component`], [`Typed`], [`StateMachine`], ...) and the [`prelude`].
//!
//! | module | part | job |
//! |---|---|---|
//! | [`component`] | [`Component`], [`Typed`] | the declared table and one move over it: guard, snapshot, action, commit or restore |
//! | [`machine`] | [`StateMachine`] / [`SharedMachine`] | run-time moves checked against the declared table; history ring, checkpoints, observers, subscriptions |
//! | [`cleanup`] | [`CleanupCoordinator`] | cleanup in dependency order, independent steps in parallel, each step verified and timed out, a per-step report |
//! | [`coordinator`] | [`ComponentCoordinator`] | lifecycles of registered components, state-change notifications, monitored worker threads (heartbeats, panics, stalls), restarts with an intensity limit |
//! | [`monitoring`] | [`MonitoringCoordinator`] | owns the pool, builds the parts in their init order, starts and stops the whole system |
//! | [`pool`] | [`ResourcePool`] | the only way components get resources: capacities, per-channel quotas, leases, leak report |
//! | [`buffer`] | [`BufferManager`] | recycled buffers drawn from the pool's budget, tracked per channel |
//! | [`recovery`] | [`RecoveryLogger`] | a bounded, non-blocking log of structured events, JSON lines, `tracing`/`metrics` sinks, analytics and diagrams |
//! | [`system`] | [`System`] | init order and cleanup plan of a `#[derive(System)]` struct |
//! | [`lock`] | [`OrderedMutex`](lock::OrderedMutex) | lock order checked at compile time |
//! | `store` (feature `store`) | `DurableMachine` | machines whose state and history live in SQLite or PostgreSQL, one transaction a move |
//! | `dashboard` (feature `dashboard`) | `Dashboard` | a live page, SSE stream, Prometheus metrics and JSON snapshot of a running system |
//!
//! `cargo run --example monitoring` runs all seven together.
//!
//! ```
//! use typestep::prelude::*;
//!
//! #[derive(Component, Clone, Debug, PartialEq)]
//! #[component(states(Created, Ready, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
//! #[transition(Created -> Ready on Init)]
//! #[transition(Ready -> Running on Start, guard = Self::has_workers, action = Self::spawn)]
//! #[transition(Running -> Stopped on Stop)]
//! #[transition(Created | Ready | Running -> Failed on Fail)]
//! pub struct Worker {
//!     workers: usize,
//!     spawned: usize,
//! }
//!
//! impl Worker {
//!     fn has_workers(&self) -> bool {
//!         self.workers > 0
//!     }
//!     fn spawn(&mut self) -> Result<(), std::io::Error> {
//!         self.spawned = self.workers;
//!         Ok(())
//!     }
//! }
//!
//! let worker = Typed::new(Worker { workers: 2, spawned: 0 });
//! let ready = worker.fire(worker::Init);
//! let running = ready.fire(worker::Start).expect("has workers");
//! assert_eq!(running.data().spawned, 2);
//! let stopped: Typed<Worker, worker::Stopped> = running.fire(worker::Stop);
//! assert_eq!(stopped.state(), worker::State::Stopped);
//! ```
//!
//! Firing `worker::Stop` on the `ready` handle above would not compile:
//!
//! ```text
//! error[E0277]: `Worker` in state `Ready` has no transition on `Stop`
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use typestep_core::{
    buffer, cleanup, component, coordinator, lock, machine, monitoring, pool, recovery, system,
};
pub use typestep_core::{
    ByClone, Component, FireError, Label, Refusal, Rejected, SharedMachine, Snapshot, StateMachine,
    System, Typed,
};

// The flat paths of 0.1 (`typestep::CleanupCoordinator`), kept for one release.
#[doc(hidden)]
pub use typestep_core::*;

/// Derives [`Component`] from `#[component(...)]` and `#[transition(...)]`
/// attributes; see the [crate documentation](crate) for the contract.
pub use typestep_macros::Component;

/// Derives [`System`] from `#[depends_on(...)]` on the fields and
/// `#[system(lock_order(...))]` on the struct: init order, cleanup plan, a
/// typestate builder and compile-time lock ordering (see [`lock`]).
pub use typestep_macros::System;

/// The live dashboard (feature `dashboard`): a page, a server-sent event
/// stream, Prometheus metrics and a JSON snapshot of a running system; see
/// `cargo run --example monitoring --features dashboard -- --dashboard 127.0.0.1:9100`.
#[cfg(feature = "dashboard")]
pub use typestep_dashboard as dashboard;
/// Durable machines in SQLite or PostgreSQL (feature `store`; PostgreSQL
/// with feature `postgres`): see [`DurableMachine`](store::DurableMachine).
#[cfg(feature = "store")]
pub use typestep_store as store;

/// The names most programs need: `use typestep::prelude::*;`.
pub mod prelude {
    pub use crate::lock::{LockChain, OrderedMutex};
    pub use crate::machine::{MoveRecord, Observer, RehydrateError};
    pub use crate::{Component, Label, Refusal, Rejected, System, Typed, Within};
    pub use crate::{FireError, SharedMachine, StateMachine};
}

/// Items used by generated code. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use typestep_core::__private::*;
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
