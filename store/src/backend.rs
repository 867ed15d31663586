//! The [`Store`] trait: what a database must do for durable machines.
//!
//! Rows carry plain strings and `i64`s exactly as stored; everything is
//! validated by the typed layer ([`DurableMachine`](crate::DurableMachine)),
//! so a backend only has to keep each operation one transaction and each
//! conditional write conditional.

use std::time::Duration;

use crate::design::Migration;
use crate::error::StoreError;

/// Which machine: the component's name and the caller's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<'a> {
    /// [`Component::NAME`](typestep_core::Component::NAME).
    pub component: &'a str,
    /// The id the caller chose.
    pub id: &'a str,
}

/// A machine's row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineRow {
    /// The design fingerprint it was written under.
    pub design: String,
    /// The state name.
    pub state: String,
    /// The data as JSON, or `None` when it is larger than
    /// [`Options::max_data_bytes`] (it is then not read at all).
    pub data: Option<String>,
    /// The length of the data in bytes.
    pub data_len: i64,
    /// How many moves the machine has made.
    pub seq: i64,
    /// The move count at which an intent is open, if one is.
    pub intent_seq: Option<i64>,
}

/// One stored move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRow {
    /// Its number, starting at 1.
    pub seq: i64,
    /// The state it left.
    pub from: String,
    /// The event that caused it.
    pub event: String,
    /// The state it entered.
    pub to: String,
    /// Wall-clock start, in microseconds since the Unix epoch.
    pub at_us: i64,
    /// How long guard and action took, in nanoseconds.
    pub took_ns: i64,
}

/// One stored intent: a move with outside effects that was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentRow {
    /// The move count when it was opened (the move it starts is `seq + 1`).
    pub seq: i64,
    /// The event whose action was about to run.
    pub event: String,
    /// The state the machine was in.
    pub from: String,
    /// When it was opened, in microseconds since the Unix epoch.
    pub opened_us: i64,
    /// When it was resolved, if it was.
    pub resolved_us: Option<i64>,
    /// How it was resolved: `"moved"` (its own move committed),
    /// `"recovered"` (the recovery event after a crash) or `"rerun"` (the
    /// idempotent action re-run after a crash).
    pub resolution: Option<String>,
}

/// A new machine to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewMachine<'a> {
    /// Its design fingerprint.
    pub design: &'a str,
    /// Its state name.
    pub state: &'a str,
    /// Its data as JSON.
    pub data: &'a str,
}

/// One move to commit, with the machine's new row.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    /// The move count the machine was loaded at: the write happens only if
    /// the store still has it.
    pub expected_seq: i64,
    /// The intent this move resolves (it must be the open one), or `None`
    /// when no intent may be open.
    pub intent: Option<i64>,
    /// How the intent is resolved (see [`IntentRow::resolution`]).
    pub resolution: &'a str,
    /// The new state name.
    pub state: &'a str,
    /// The new data as JSON.
    pub data: &'a str,
    /// The move (its `seq` is `expected_seq + 1`).
    pub record: &'a MoveRow,
}

/// What a conditional write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written.
    Done,
    /// The machine is at another move count (nothing written).
    Conflict {
        /// The stored move count.
        found: i64,
    },
    /// An intent is open at this move count (nothing written).
    IntentOpen {
        /// The stored intent's move count.
        seq: i64,
    },
    /// No such machine (nothing written).
    Absent,
}

/// Settings of a store, shared by its backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Stored data larger than this is refused on load without being read
    /// (default 16 MiB).
    pub max_data_bytes: usize,
    /// How old an open intent must be before a load treats its writer as
    /// crashed and resolves it (default 60 s). Set it to zero when one
    /// process owns the store: every open intent is then a crash's.
    pub intent_lease: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_data_bytes: 16 << 20,
            intent_lease: Duration::from_secs(60),
        }
    }
}

/// A database that keeps durable machines: [`SqliteStore`](crate::SqliteStore)
/// and, with feature `postgres`, `PgStore`.
///
/// Every method is one transaction. Writes are conditional on the move count
/// (optimistic concurrency): two writers can never both append move `n`.
/// Names read back are cut to [`MAX_NAME`] bytes, so a hostile row cannot
/// make a load allocate much per name.
pub trait Store: Send + Sync {
    /// The store's settings.
    fn options(&self) -> &Options;

    /// Inserts a new machine at move 0; `false` if `key` is already stored.
    fn insert(&self, key: Key<'_>, machine: NewMachine<'_>) -> Result<bool, StoreError>;

    /// The machine's row, or `None`.
    fn machine(&self, key: Key<'_>) -> Result<Option<MachineRow>, StoreError>;

    /// Up to `limit` moves with `after < seq <= upto`, in order.
    fn moves(
        &self,
        key: Key<'_>,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<MoveRow>, StoreError>;

    /// Up to `limit` intents with `seq > after`, in order.
    fn intents(&self, key: Key<'_>, after: i64, limit: i64) -> Result<Vec<IntentRow>, StoreError>;

    /// Opens an intent at `expected_seq` (the machine must be at that move
    /// count with no open intent).
    fn open_intent(
        &self,
        key: Key<'_>,
        expected_seq: i64,
        event: &str,
        from: &str,
        opened_us: i64,
    ) -> Result<Written, StoreError>;

    /// Removes the open intent at `seq` whose move was refused (its action
    /// restored the data, so nothing happened).
    fn drop_intent(&self, key: Key<'_>, seq: i64) -> Result<Written, StoreError>;

    /// Appends a move and updates the machine's row, if the machine is still
    /// at `expected_seq` with the expected intent; closes that intent.
    fn commit(&self, key: Key<'_>, commit: Commit<'_>) -> Result<Written, StoreError>;

    /// Rewrites a machine stored under design `from` to design `to`: its
    /// state and its moves' and intents' names renamed by `migration`, if it
    /// is still at `expected_seq`.
    fn migrate(
        &self,
        key: Key<'_>,
        expected_seq: i64,
        from: &str,
        to: &str,
        migration: &Migration,
    ) -> Result<Written, StoreError>;
}

/// The longest state or event name read back from a store, in characters.
pub const MAX_NAME: usize = 256;

/// Builds `CASE col WHEN p1 THEN p2 ... ELSE col END` for `renames`,
/// numbering placeholders from `first` with `placeholder`.
pub(crate) fn rename_case(
    col: &str,
    renames: &[(String, String)],
    first: usize,
    placeholder: fn(usize) -> String,
) -> String {
    if renames.is_empty() {
        return col.to_owned();
    }
    let mut sql = format!("CASE {col}");
    for i in 0..renames.len() {
        let n = first + 2 * i;
        sql.push_str(&format!(
            " WHEN {} THEN {}",
            placeholder(n),
            placeholder(n + 1)
        ));
    }
    sql.push_str(&format!(" ELSE {col} END"));
    sql
}
