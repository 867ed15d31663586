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
//!   core, plus Mermaid and DOT diagrams of it.
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

pub use typestep_core::*;

/// Derives [`Component`] from `#[component(...)]` and `#[transition(...)]`
/// attributes; see the [crate documentation](crate) for the contract.
pub use typestep_macros::Component;

/// Derives [`System`] from `#[depends_on(...)]` on the fields and
/// `#[system(lock_order(...))]` on the struct: init order, cleanup plan, a
/// typestate builder and compile-time lock ordering (see [`lock`]).
pub use typestep_macros::System;

/// The names most programs need: `use typestep::prelude::*;`.
pub mod prelude {
    pub use crate::lock::{LockChain, OrderedMutex};
    pub use crate::{Component, Label, Refusal, Rejected, System, Typed};
    pub use crate::{FireError, MoveRecord, Observer, RehydrateError, SharedMachine, StateMachine};
}

/// Items used by generated code. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use typestep_core::__private::*;
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
