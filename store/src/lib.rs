//! Durable typestep machines: state and history in SQLite or PostgreSQL,
//! safe across processes, resumed after a crash.
//!
//! A [`DurableMachine`] is a [`StateMachine`](typestep_core::StateMachine)
//! kept in a [`Store`]. Each move is one transaction that appends the move
//! (from, event, to, number, time, duration) and updates the machine's row
//! (state, JSON data, move count) only if the move count is still the one
//! the machine was loaded at, so two writers, in one process or many, never
//! both take the same move: the loser gets [`StoreError::Conflict`], its
//! machine unchanged, and reloads.
//!
//! Loading checks everything stored: the design fingerprint
//! ([`Fingerprint`]; an older design needs a [`Migration`]), the state, the
//! whole chain of moves, the counters; corrupt rows are an error, never a
//! panic. Moves whose actions have outside effects ([`Durable`]) record an
//! intent first; an intent a crash left open is resolved exactly once on
//! the next load.
//!
//! Backends: [`SqliteStore`] (bundled SQLite, WAL) and, with feature
//! `postgres`, `PgStore`.
//!
//! ```
//! use typestep::prelude::*;
//! use typestep::store::{moves, Durable, DurableMachine, SqliteStore};
//!
//! #[derive(Component, Clone, serde::Serialize, serde::Deserialize)]
//! #[component(states(Placed, Paid, Shipped), initial = Placed, terminal(Shipped))]
//! #[transition(Placed -> Paid on Pay)]
//! #[transition(Paid -> Shipped on Ship)]
//! struct Order { total: u32 }
//! impl Durable for Order {}
//!
//! let store = SqliteStore::open(":memory:")?;
//! let mut order = DurableMachine::create(&store, "o-1", Order { total: 30 })?;
//! order.fire(order::Pay)?;
//! drop(order);
//!
//! // Later, maybe in another process:
//! let mut order = DurableMachine::<Order>::load(&store, "o-1")?;
//! assert_eq!(order.state(), order::State::Paid);
//! order.fire(order::Ship)?;
//! let history = moves::<Order>(&store, "o-1", 0, 100)?;
//! assert_eq!(history.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backend;
pub use backend::{
    Commit, IntentRow, Key, MachineRow, MoveRow, NewMachine, Options, Store, Written, MAX_NAME,
};

mod design;
pub use design::{Fingerprint, Migration};

mod durable;
pub use durable::{Durable, OpenIntent, Recovery};

mod error;
pub use error::{DurableError, StoreError};

mod history;
pub use history::{intents, moves, IntentRecord};

mod machine;
pub use machine::DurableMachine;

mod sqlite;
pub use sqlite::SqliteStore;

/// The SQLite crate whose `Connection` [`SqliteStore::connection`] lends.
pub use rusqlite;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use crate::postgres::PgStore;

/// The PostgreSQL client crate whose `Client` `PgStore::client` lends.
#[cfg(feature = "postgres")]
pub use ::postgres as postgres_client;
