//! The PostgreSQL backend (feature `postgres`): the synchronous client,
//! conditional writes in one transaction each.

use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement, Transaction};

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
    seq        BIGINT NOT NULL,
    intent_seq BIGINT,
    PRIMARY KEY (component, id)
);
CREATE TABLE IF NOT EXISTS typestep_moves (
    component  TEXT NOT NULL,
    id         TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    from_state TEXT NOT NULL,
    event      TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at_us      BIGINT NOT NULL,
    took_ns    BIGINT NOT NULL,
    PRIMARY KEY (component, id, seq)
);
CREATE TABLE IF NOT EXISTS typestep_intents (
    component   TEXT NOT NULL,
    id          TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    event       TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    opened_us   BIGINT NOT NULL,
    resolved_us BIGINT,
    resolution  TEXT,
    PRIMARY KEY (component, id, seq)
);
";

/// Durable machines in a PostgreSQL database, for machines driven from
/// several processes or hosts.
///
/// One connection (`postgres::Client`, no TLS) behind a mutex; open one
/// store per thread for parallel writers. The tables are created if missing
/// (an advisory lock keeps concurrent first connections from racing).
pub struct PgStore {
    conn: Mutex<Conn>,
    options: Options,
}

/// The connection and its prepared statements (prepared once: an
/// unprepared statement costs one more round trip per use).
struct Conn {
    client: Client,
    st: Prepared,
}

struct Prepared {
    insert: Statement,
    machine: Statement,
    moves: Statement,
    intents: Statement,
    after_miss: Statement,
    open_update: Statement,
    open_insert: Statement,
    drop_update: Statement,
    drop_delete: Statement,
    commit_update: Statement,
    commit_insert: Statement,
    commit_close: Statement,
}

impl Prepared {
    fn new(c: &mut Client) -> Result<Self, postgres::Error> {
        Ok(Prepared {
            insert: c.prepare(
                "INSERT INTO typestep_machines (component, id, design, state, data, seq, intent_seq)
                 VALUES ($1, $2, $3, $4, $5, 0, NULL) ON CONFLICT DO NOTHING",
            )?,
            machine: c.prepare(
                "SELECT substr(design, 1, $4), substr(state, 1, $4),
                        CASE WHEN octet_length(data)::BIGINT <= $3 THEN data END,
                        octet_length(data)::BIGINT, seq, intent_seq
                 FROM typestep_machines WHERE component = $1 AND id = $2",
            )?,
            moves: c.prepare(
                "SELECT seq, substr(from_state, 1, $6), substr(event, 1, $6), substr(to_state, 1, $6),
                        at_us, took_ns
                 FROM typestep_moves
                 WHERE component = $1 AND id = $2 AND seq > $3 AND seq <= $4
                 ORDER BY seq LIMIT $5",
            )?,
            intents: c.prepare(
                "SELECT seq, substr(event, 1, $5), substr(from_state, 1, $5), opened_us,
                        resolved_us, substr(resolution, 1, $5)
                 FROM typestep_intents
                 WHERE component = $1 AND id = $2 AND seq > $3
                 ORDER BY seq LIMIT $4",
            )?,
            after_miss: c.prepare(
                "SELECT seq, intent_seq FROM typestep_machines WHERE component = $1 AND id = $2",
            )?,
            open_update: c.prepare(
                "UPDATE typestep_machines SET intent_seq = seq
                 WHERE component = $1 AND id = $2 AND seq = $3 AND intent_seq IS NULL",
            )?,
            open_insert: c.prepare(
                "INSERT INTO typestep_intents (component, id, seq, event, from_state, opened_us)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )?,
            drop_update: c.prepare(
                "UPDATE typestep_machines SET intent_seq = NULL
                 WHERE component = $1 AND id = $2 AND seq = $3 AND intent_seq = $3",
            )?,
            drop_delete: c.prepare(
                "DELETE FROM typestep_intents
                 WHERE component = $1 AND id = $2 AND seq = $3 AND resolved_us IS NULL",
            )?,
            // The row update is the check and takes the row lock, so the
            // move insert after it never races another writer's.
            commit_update: c.prepare(
                "UPDATE typestep_machines SET state = $3, data = $4, seq = seq + 1, intent_seq = NULL
                 WHERE component = $1 AND id = $2 AND seq = $5
                   AND intent_seq IS NOT DISTINCT FROM $6::BIGINT",
            )?,
            commit_insert: c.prepare(
                "INSERT INTO typestep_moves (component, id, seq, from_state, event, to_state, at_us, took_ns)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )?,
            commit_close: c.prepare(
                "UPDATE typestep_intents SET resolved_us = $4, resolution = $5
                 WHERE component = $1 AND id = $2 AND seq = $3 AND resolved_us IS NULL",
            )?,
        })
    }
}

impl PgStore {
    /// Connects with a URL or key-value string
    /// (`postgresql://user@127.0.0.1:5432/db`) and default [`Options`].
    pub fn connect(params: &str) -> Result<Self, StoreError> {
        Self::connect_with(params, Options::default())
    }

    /// Connects with `options`.
    pub fn connect_with(params: &str, options: Options) -> Result<Self, StoreError> {
        let mut client = Client::connect(params, NoTls)?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock(7365847386)", &[])?;
        tx.batch_execute(SCHEMA)?;
        tx.commit()?;
        let st = Prepared::new(&mut client)?;
        Ok(PgStore {
            conn: Mutex::new(Conn { client, st }),
            options,
        })
    }

    /// The client, for inspection and administration (the tables
    /// `typestep_machines`, `typestep_moves`, `typestep_intents`).
    pub fn client(&self) -> MappedMutexGuard<'_, Client> {
        MutexGuard::map(self.conn.lock(), |c| &mut c.client)
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn written_after_miss(
    tx: &mut Transaction<'_>,
    st: &Prepared,
    key: Key<'_>,
    expected_seq: i64,
) -> Result<Written, StoreError> {
    let row = tx.query_opt(&st.after_miss, &[&key.component, &key.id])?;
    Ok(match row {
        None => Written::Absent,
        Some(row) => {
            let found: i64 = row.try_get(0)?;
            let intent: Option<i64> = row.try_get(1)?;
            match intent {
                _ if found != expected_seq => Written::Conflict { found },
                Some(seq) => Written::IntentOpen { seq },
                None => Written::Conflict { found },
            }
        }
    })
}

fn ph(n: usize) -> String {
    format!("${n}")
}

const NAME: i32 = MAX_NAME as i32;

impl Store for PgStore {
    fn options(&self) -> &Options {
        &self.options
    }

    fn insert(&self, key: Key<'_>, machine: NewMachine<'_>) -> Result<bool, StoreError> {
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let n = client.execute(
            &st.insert,
            &[
                &key.component,
                &key.id,
                &machine.design,
                &machine.state,
                &machine.data,
            ],
        )?;
        Ok(n == 1)
    }

    fn machine(&self, key: Key<'_>) -> Result<Option<MachineRow>, StoreError> {
        let limit = i64::try_from(self.options.max_data_bytes).unwrap_or(i64::MAX);
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let row = client.query_opt(&st.machine, &[&key.component, &key.id, &limit, &NAME])?;
        row.map(|r| {
            Ok(MachineRow {
                design: r.try_get(0)?,
                state: r.try_get(1)?,
                data: r.try_get(2)?,
                data_len: r.try_get(3)?,
                seq: r.try_get(4)?,
                intent_seq: r.try_get(5)?,
            })
        })
        .transpose()
    }

    fn moves(
        &self,
        key: Key<'_>,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<MoveRow>, StoreError> {
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let rows = client.query(
            &st.moves,
            &[&key.component, &key.id, &after, &upto, &limit, &NAME],
        )?;
        rows.iter()
            .map(|r| {
                Ok(MoveRow {
                    seq: r.try_get(0)?,
                    from: r.try_get(1)?,
                    event: r.try_get(2)?,
                    to: r.try_get(3)?,
                    at_us: r.try_get(4)?,
                    took_ns: r.try_get(5)?,
                })
            })
            .collect()
    }

    fn intents(&self, key: Key<'_>, after: i64, limit: i64) -> Result<Vec<IntentRow>, StoreError> {
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let rows = client.query(
            &st.intents,
            &[&key.component, &key.id, &after, &limit, &NAME],
        )?;
        rows.iter()
            .map(|r| {
                Ok(IntentRow {
                    seq: r.try_get(0)?,
                    event: r.try_get(1)?,
                    from: r.try_get(2)?,
                    opened_us: r.try_get(3)?,
                    resolved_us: r.try_get(4)?,
                    resolution: r.try_get(5)?,
                })
            })
            .collect()
    }

    fn open_intent(
        &self,
        key: Key<'_>,
        expected_seq: i64,
        event: &str,
        from: &str,
        opened_us: i64,
    ) -> Result<Written, StoreError> {
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let mut tx = client.transaction()?;
        let n = tx.execute(&st.open_update, &[&key.component, &key.id, &expected_seq])?;
        if n == 0 {
            return written_after_miss(&mut tx, st, key, expected_seq);
        }
        tx.execute(
            &st.open_insert,
            &[
                &key.component,
                &key.id,
                &expected_seq,
                &event,
                &from,
                &opened_us,
            ],
        )?;
        tx.commit()?;
        Ok(Written::Done)
    }

    fn drop_intent(&self, key: Key<'_>, seq: i64) -> Result<Written, StoreError> {
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let mut tx = client.transaction()?;
        let n = tx.execute(&st.drop_update, &[&key.component, &key.id, &seq])?;
        if n == 0 {
            return written_after_miss(&mut tx, st, key, seq);
        }
        tx.execute(&st.drop_delete, &[&key.component, &key.id, &seq])?;
        tx.commit()?;
        Ok(Written::Done)
    }

    fn commit(&self, key: Key<'_>, c: Commit<'_>) -> Result<Written, StoreError> {
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let mut tx = client.transaction()?;
        let n = tx.execute(
            &st.commit_update,
            &[
                &key.component,
                &key.id,
                &c.state,
                &c.data,
                &c.expected_seq,
                &c.intent,
            ],
        )?;
        if n == 0 {
            return written_after_miss(&mut tx, st, key, c.expected_seq);
        }
        let m = c.record;
        tx.execute(
            &st.commit_insert,
            &[
                &key.component,
                &key.id,
                &m.seq,
                &m.from,
                &m.event,
                &m.to,
                &m.at_us,
                &m.took_ns,
            ],
        )?;
        if let Some(seq) = c.intent {
            let closed = tx.execute(
                &st.commit_close,
                &[&key.component, &key.id, &seq, &m.at_us, &c.resolution],
            )?;
            if closed != 1 {
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
        let flat = |renames: &'_ [(String, String)]| -> Vec<String> {
            renames
                .iter()
                .flat_map(|(o, n)| [o.clone(), n.clone()])
                .collect()
        };
        let (state_names, event_names) = (flat(states), flat(events));
        let mut guard = self.conn.lock();
        let Conn { client, st } = &mut *guard;
        let mut tx = client.transaction()?;
        let sql = format!(
            "UPDATE typestep_machines SET design = $5, state = {}
             WHERE component = $1 AND id = $2 AND seq = $3 AND design = $4",
            rename_case("state", states, 6, ph)
        );
        let mut p: Vec<&(dyn ToSql + Sync)> =
            vec![&key.component, &key.id, &expected_seq, &from, &to];
        p.extend(state_names.iter().map(|s| s as &(dyn ToSql + Sync)));
        if tx.execute(&sql, &p)? == 0 {
            return written_after_miss(&mut tx, st, key, expected_seq);
        }
        let ev_first = 3 + 2 * states.len();
        let mut p: Vec<&(dyn ToSql + Sync)> = vec![&key.component, &key.id];
        p.extend(state_names.iter().map(|s| s as &(dyn ToSql + Sync)));
        p.extend(event_names.iter().map(|s| s as &(dyn ToSql + Sync)));
        let sql = format!(
            "UPDATE typestep_moves SET from_state = {}, to_state = {}, event = {}
             WHERE component = $1 AND id = $2",
            rename_case("from_state", states, 3, ph),
            rename_case("to_state", states, 3, ph),
            rename_case("event", events, ev_first, ph)
        );
        tx.execute(&sql, &p)?;
        let sql = format!(
            "UPDATE typestep_intents SET from_state = {}, event = {}
             WHERE component = $1 AND id = $2",
            rename_case("from_state", states, 3, ph),
            rename_case("event", events, ev_first, ph)
        );
        tx.execute(&sql, &p)?;
        tx.commit()?;
        Ok(Written::Done)
    }
}
