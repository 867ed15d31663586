//! The SQLite backend: one connection, WAL journal, conditional writes in
//! `BEGIN IMMEDIATE` transactions.

use std::path::Path;
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};

use crate::backend::{
    rename_case, Commit, IntentRow, Key, MachineRow, MoveRow, NewMachine, Options, Store, Written,
    MAX_NAME,
};
use crate::design::Migration;
use crate::error::StoreError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS typestep_machines (
    component  TEXT NOT NULL,
    id         TEXT NOT NULL,
    design     TEXT NOT NULL,
    state      TEXT NOT NULL,
    data       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    intent_seq INTEGER,
    PRIMARY KEY (component, id)
);
CREATE TABLE IF NOT EXISTS typestep_moves (
    component  TEXT NOT NULL,
    id         TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    event      TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at_us      INTEGER NOT NULL,
    took_ns    INTEGER NOT NULL,
    PRIMARY KEY (component, id, seq)
);
CREATE TABLE IF NOT EXISTS typestep_intents (
    component   TEXT NOT NULL,
    id          TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    event       TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    opened_us   INTEGER NOT NULL,
    resolved_us INTEGER,
    resolution  TEXT,
    PRIMARY KEY (component, id, seq)
);
";

/// Durable machines in an SQLite database (a file, or `:memory:`).
///
/// Opens one connection in WAL mode with `synchronous = FULL` (a committed
/// move survives a crash of the process and of the machine) and a busy handler
/// that waits up to about 10 s in short sleeps, so several processes and several `SqliteStore`s on one file
/// take turns. Share one store between threads, or open one per thread.
///
/// ```
/// use typestep::prelude::*;
/// use typestep::store::{Durable, DurableMachine, SqliteStore};
///
/// #[derive(Component, Clone, serde::Serialize, serde::Deserialize)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// #[transition(On -> Off on Press)]
/// struct Lamp;
/// impl Durable for Lamp {}
///
/// let store = SqliteStore::open(":memory:")?;
/// let mut lamp = DurableMachine::create(&store, "hall", Lamp)?;
/// lamp.fire(lamp::Press)?;
/// let again = DurableMachine::<Lamp>::load(&store, "hall")?;
/// assert_eq!((again.state(), again.seq()), (lamp::State::On, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SqliteStore {
    conn: Mutex<Connection>,
    options: Options,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` (`":memory:"` for a private
    /// in-memory one) with default [`Options`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, Options::default())
    }

    /// Opens the database at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_handler(Some(busy))?;
        // The journal mode is answered with a row; in-memory databases say "memory".
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            options,
        })
    }

    /// Sets `synchronous = NORMAL`: in WAL mode a committed move still
    /// survives a crash of the process, but may be lost on power failure;
    /// commits no longer wait for the disk.
    pub fn relaxed_sync(self) -> Result<Self, StoreError> {
        self.conn
            .lock()
            .pragma_update(None, "synchronous", "NORMAL")?;
        Ok(self)
    }

    /// The connection, for inspection and administration (reading the
    /// tables `typestep_machines`, `typestep_moves`, `typestep_intents`).
    /// Writing to them by hand bypasses every check but the load-time one.
    pub fn connection(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock()
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Waits for another connection's write lock: short sleeps (SQLite's own
/// busy timeout sleeps up to 100 ms at a time, which starves writers that
/// commit every few milliseconds), for about 10 s in all.
fn busy(attempt: i32) -> bool {
    if attempt >= 20_000 {
        return false;
    }
    let micros = if attempt < 20 { 50 } else { 500 };
    std::thread::sleep(Duration::from_micros(micros));
    true
}

/// What the machine row says, after a conditional write changed nothing.
fn written_after_miss(
    tx: &rusqlite::Transaction<'_>,
    key: Key<'_>,
    expected_seq: i64,
) -> Result<Written, StoreError> {
    let row: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT seq, intent_seq FROM typestep_machines WHERE component = ?1 AND id = ?2",
            params![key.component, key.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        None => Written::Absent,
        Some((found, _)) if found != expected_seq => Written::Conflict { found },
        Some((_, Some(seq))) => Written::IntentOpen { seq },
        // The intent expected by the caller is not the open one.
        Some((found, None)) => Written::Conflict { found },
    })
}

fn ph(n: usize) -> String {
    format!("?{n}")
}

impl Store for SqliteStore {
    fn options(&self) -> &Options {
        &self.options
    }

    fn insert(&self, key: Key<'_>, machine: NewMachine<'_>) -> Result<bool, StoreError> {
        let n = self.conn.lock().prepare_cached(
            "INSERT INTO typestep_machines (component, id, design, state, data, seq, intent_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, NULL) ON CONFLICT DO NOTHING",
        )?
        .execute(params![key.component, key.id, machine.design, machine.state, machine.data])?;
        Ok(n == 1)
    }

    fn machine(&self, key: Key<'_>) -> Result<Option<MachineRow>, StoreError> {
        let conn = self.conn.lock();
        let limit = i64::try_from(self.options.max_data_bytes).unwrap_or(i64::MAX);
        let mut stmt = conn.prepare_cached(
            "SELECT substr(design, 1, ?4), substr(state, 1, ?4),
                    CASE WHEN octet_length(data) <= ?3 THEN data END, octet_length(data),
                    seq, intent_seq
             FROM typestep_machines WHERE component = ?1 AND id = ?2",
        )?;
        let row = stmt
            .query_row(
                params![key.component, key.id, limit, MAX_NAME as i64],
                |r| {
                    Ok(MachineRow {
                        design: r.get(0)?,
                        state: r.get(1)?,
                        data: r.get(2)?,
                        data_len: r.get(3)?,
                        seq: r.get(4)?,
                        intent_seq: r.get(5)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    fn moves(
        &self,
        key: Key<'_>,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<MoveRow>, StoreError> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, substr(from_state, 1, ?6), substr(event, 1, ?6), substr(to_state, 1, ?6),
                    at_us, took_ns
             FROM typestep_moves
             WHERE component = ?1 AND id = ?2 AND seq > ?3 AND seq <= ?4
             ORDER BY seq LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![key.component, key.id, after, upto, limit, MAX_NAME as i64],
            |r| {
                Ok(MoveRow {
                    seq: r.get(0)?,
                    from: r.get(1)?,
                    event: r.get(2)?,
                    to: r.get(3)?,
                    at_us: r.get(4)?,
                    took_ns: r.get(5)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn intents(&self, key: Key<'_>, after: i64, limit: i64) -> Result<Vec<IntentRow>, StoreError> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, substr(event, 1, ?5), substr(from_state, 1, ?5), opened_us,
                    resolved_us, substr(resolution, 1, ?5)
             FROM typestep_intents
             WHERE component = ?1 AND id = ?2 AND seq > ?3
             ORDER BY seq LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![key.component, key.id, after, limit, MAX_NAME as i64],
            |r| {
                Ok(IntentRow {
                    seq: r.get(0)?,
                    event: r.get(1)?,
                    from: r.get(2)?,
                    opened_us: r.get(3)?,
                    resolved_us: r.get(4)?,
                    resolution: r.get(5)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn open_intent(
        &self,
        key: Key<'_>,
        expected_seq: i64,
        event: &str,
        from: &str,
        opened_us: i64,
    ) -> Result<Written, StoreError> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx
            .prepare_cached(
                "UPDATE typestep_machines SET intent_seq = seq
                 WHERE component = ?1 AND id = ?2 AND seq = ?3 AND intent_seq IS NULL",
            )?
            .execute(params![key.component, key.id, expected_seq])?;
        if n == 0 {
            return written_after_miss(&tx, key, expected_seq);
        }
        tx.prepare_cached(
            "INSERT INTO typestep_intents (component, id, seq, event, from_state, opened_us)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            key.component,
            key.id,
            expected_seq,
            event,
            from,
            opened_us
        ])?;
        tx.commit()?;
        Ok(Written::Done)
    }

    fn drop_intent(&self, key: Key<'_>, seq: i64) -> Result<Written, StoreError> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx
            .prepare_cached(
                "UPDATE typestep_machines SET intent_seq = NULL
                 WHERE component = ?1 AND id = ?2 AND seq = ?3 AND intent_seq = ?3",
            )?
            .execute(params![key.component, key.id, seq])?;
        if n == 0 {
            return written_after_miss(&tx, key, seq);
        }
        tx.prepare_cached(
            "DELETE FROM typestep_intents
             WHERE component = ?1 AND id = ?2 AND seq = ?3 AND resolved_us IS NULL",
        )?
        .execute(params![key.component, key.id, seq])?;
        tx.commit()?;
        Ok(Written::Done)
    }

    fn commit(&self, key: Key<'_>, c: Commit<'_>) -> Result<Written, StoreError> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The row update comes first: it is the check (and, in PostgreSQL,
        // the row lock) that makes the move insert below uncontended.
        let n = tx
            .prepare_cached(
                "UPDATE typestep_machines SET state = ?3, data = ?4, seq = seq + 1, intent_seq = NULL
                 WHERE component = ?1 AND id = ?2 AND seq = ?5 AND intent_seq IS ?6",
            )?
            .execute(params![
                key.component,
                key.id,
                c.state,
                c.data,
                c.expected_seq,
                c.intent
            ])?;
        if n == 0 {
            return written_after_miss(&tx, key, c.expected_seq);
        }
        let m = c.record;
        tx.prepare_cached(
            "INSERT INTO typestep_moves (component, id, seq, from_state, event, to_state, at_us, took_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            key.component,
            key.id,
            m.seq,
            m.from,
            m.event,
            m.to,
            m.at_us,
            m.took_ns
        ])?;
        if let Some(seq) = c.intent {
            let closed = tx
                .prepare_cached(
                    "UPDATE typestep_intents SET resolved_us = ?4, resolution = ?5
                     WHERE component = ?1 AND id = ?2 AND seq = ?3 AND resolved_us IS NULL",
                )?
                .execute(params![key.component, key.id, seq, m.at_us, c.resolution])?;
            if closed != 1 {
                // The machine row says the intent is open but its row is
                // missing or closed: refuse rather than resolve it twice.
                return Ok(Written::IntentOpen { seq });
            }
        }
        tx.commit()?;
        Ok(Written::Done)
    }

    fn migrate(
        &self,
        key: Key<'_>,
        expected_seq: i64,
        from: &str,
        to: &str,
        migration: &Migration,
    ) -> Result<Written, StoreError> {
        let states = migration.state_renames();
        let events = migration.event_renames();
        let flat = |renames: &[(String, String)]| -> Vec<Value> {
            renames
                .iter()
                .flat_map(|(o, n)| [Value::Text(o.clone()), Value::Text(n.clone())])
                .collect()
        };
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sql = format!(
            "UPDATE typestep_machines SET design = ?5, state = {}
             WHERE component = ?1 AND id = ?2 AND seq = ?3 AND design = ?4",
            rename_case("state", states, 6, ph)
        );
        let mut p: Vec<Value> = vec![
            Value::Text(key.component.to_owned()),
            Value::Text(key.id.to_owned()),
            Value::Integer(expected_seq),
            Value::Text(from.to_owned()),
            Value::Text(to.to_owned()),
        ];
        p.extend(flat(states));
        if tx.execute(&sql, params_from_iter(p))? == 0 {
            return written_after_miss(&tx, key, expected_seq);
        }
        let key_params = || {
            vec![
                Value::Text(key.component.to_owned()),
                Value::Text(key.id.to_owned()),
            ]
        };
        let ev_first = 3 + 2 * states.len();
        let sql = format!(
            "UPDATE typestep_moves SET from_state = {}, to_state = {}, event = {}
             WHERE component = ?1 AND id = ?2",
            rename_case("from_state", states, 3, ph),
            rename_case("to_state", states, 3, ph),
            rename_case("event", events, ev_first, ph)
        );
        let mut p = key_params();
        p.extend(flat(states));
        p.extend(flat(events));
        tx.execute(&sql, params_from_iter(p.iter()))?;
        let sql = format!(
            "UPDATE typestep_intents SET from_state = {}, event = {}
             WHERE component = ?1 AND id = ?2",
            rename_case("from_state", states, 3, ph),
            rename_case("event", events, ev_first, ph)
        );
        tx.execute(&sql, params_from_iter(p))?;
        tx.commit()?;
        Ok(Written::Done)
    }
}
