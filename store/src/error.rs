//! Why a store operation or a durable move did not happen.

use typestep_core::{Component, FireError};

/// Why the store refused or failed an operation. A durable machine that gets
/// one of these from [`fire`](crate::DurableMachine::fire) is unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another writer moved the machine first: it was loaded at move
    /// `expected` and the store is at move `found`. Nothing was written;
    /// reload it and try again.
    #[error("`{component}` `{id}` was moved by another writer: loaded at move {expected}, the store is at move {found}")]
    Conflict {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
        /// The move count the machine was loaded at.
        expected: u64,
        /// The move count in the store.
        found: u64,
    },
    /// No machine with this id is stored.
    #[error("no `{component}` with id `{id}` is stored")]
    NotFound {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
    },
    /// A machine with this id is already stored.
    #[error("a `{component}` with id `{id}` is already stored")]
    AlreadyExists {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
    },
    /// The machine was stored under another design (other states or
    /// transitions). Load it with a [`Migration`](crate::Migration) that maps
    /// the old names to the new ones.
    #[error("`{component}` `{id}` was stored under design {stored}, but the component's design is now {current}: declare a Migration from {stored}")]
    DesignChanged {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
        /// The fingerprint stored with the machine.
        stored: String,
        /// The fingerprint of the component as compiled.
        current: String,
    },
    /// A [`Migration`](crate::Migration) does not make the stored machine
    /// valid under the new design (a state or event it leaves undeclared, a
    /// move that is not a declared transition once renamed). It is checked
    /// before anything is rewritten: the store still holds the machine under
    /// its old design, and a corrected migration can load it.
    #[error("`{component}` `{id}` cannot be migrated (nothing was rewritten): {reason}")]
    MigrationIncomplete {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
        /// What the renamed machine would get wrong.
        reason: String,
    },
    /// The stored rows are not a valid machine of this component: an
    /// undeclared state, a broken move chain, a counter out of range, data
    /// that does not deserialize or is too large.
    #[error("`{component}` `{id}` is corrupt in the store: {reason}")]
    Corrupt {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// A move with outside effects was started at move `seq` (by another
    /// writer, or by one that crashed less than the store's intent lease ago)
    /// and is not resolved yet.
    #[error("`{component}` `{id}` has an open intent at move {seq}")]
    IntentOpen {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
        /// The move count the intent was opened at.
        seq: u64,
    },
    /// An open intent could not be resolved: the component declares no
    /// recovery ([`Recovery::Manual`](crate::Recovery::Manual)), or its
    /// recovery move was refused.
    #[error(
        "`{component}` `{id}`: the intent for `{event}` at move {seq} cannot be resolved: {reason}"
    )]
    Unresolved {
        /// The component's name.
        component: &'static str,
        /// The machine's id.
        id: String,
        /// The move count the intent was opened at.
        seq: u64,
        /// The event whose action was started.
        event: String,
        /// Why it could not be resolved.
        reason: String,
    },
    /// The data could not be serialized.
    #[error("the data of `{component}` could not be serialized: {source}")]
    Serialize {
        /// The component's name.
        component: &'static str,
        /// The serializer's error.
        #[source]
        source: serde_json::Error,
    },
    /// A value does not fit the store's integer columns.
    #[error("a counter of `{component}` is out of the store's range")]
    OutOfRange {
        /// The component's name.
        component: &'static str,
    },
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[cfg(feature = "postgres")]
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
}

impl StoreError {
    /// Whether another writer moved the machine first (reload and retry).
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

/// Why a durable move did not happen. In every case the machine in memory
/// is as it was before the call, and nothing was written for the move.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum DurableError<C: Component> {
    /// The move itself was refused (not allowed, guard, action), as in
    /// [`StateMachine::fire`](typestep_core::StateMachine::fire).
    #[error(transparent)]
    Refused(#[from] FireError<C>),
    /// The store refused or failed the write; see [`StoreError::Conflict`].
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<C: Component> DurableError<C> {
    /// Whether another writer moved the machine first (reload and retry).
    pub fn is_conflict(&self) -> bool {
        matches!(self, DurableError::Store(e) if e.is_conflict())
    }
}

impl<C: Component> std::fmt::Debug for DurableError<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurableError::Refused(e) => f.debug_tuple("Refused").field(e).finish(),
            DurableError::Store(e) => f.debug_tuple("Store").field(e).finish(),
        }
    }
}
