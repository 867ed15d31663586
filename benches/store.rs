//! A durable move against the same writes done by hand, in the same run.
//!
//! `sqlite_*/durable`: `DurableMachine::fire` on SQLite (WAL): the move in
//! memory, the data as JSON, one `BEGIN IMMEDIATE` transaction with the
//! conditional row update and the move insert.
//! `sqlite_*/hand_written`: the same JSON and the same two statements
//! written directly with rusqlite (prepared and cached), no typestep.
//! `_full` is the store's default (`synchronous = FULL`: every commit waits
//! for the disk); `_normal` is `relaxed_sync()` (WAL + NORMAL: durable
//! against a process crash), where the store's own overhead shows most.
//! `writers/*`: moves per second for 1 and 8 threads, each with its own
//! connection and its own machine, in one file (reported as throughput).
//! With `--features postgres` and `TYPESTEP_PG_URL`: the same pair on
//! PostgreSQL over loopback.
//!
//! Run: `cargo bench --bench store --features store -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs)] // `criterion_group!` generates an undocumented `pub fn`.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::{Deserialize, Serialize};
use typestep::prelude::*;
use typestep::store::rusqlite;
use typestep::store::{Durable, DurableMachine, SqliteStore};

#[derive(Component, Clone, Serialize, Deserialize)]
#[component(states(A, B), initial = A)]
#[transition(A -> B on Flip, action = Self::count)]
#[transition(B -> A on Flop, action = Self::count)]
struct Toggle {
    n: u64,
    label: String,
}

impl Toggle {
    fn count(&mut self) -> Result<(), std::io::Error> {
        self.n += 1;
        Ok(())
    }
    fn new() -> Self {
        Toggle {
            n: 0,
            label: "an order with a name".into(),
        }
    }
}

impl Durable for Toggle {}

fn next(state: toggle::State) -> toggle::Event {
    match state {
        toggle::State::A => toggle::Event::Flip,
        toggle::State::B => toggle::Event::Flop,
    }
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

fn temp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("typestep-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

fn open(path: &Path, relaxed: bool) -> SqliteStore {
    let store = SqliteStore::open(path).unwrap();
    if relaxed {
        store.relaxed_sync().unwrap()
    } else {
        store
    }
}

/// The hand-written move: what a careful user writes without typestep.
struct HandWritten {
    state: toggle::State,
    data: Toggle,
    seq: i64,
}

impl HandWritten {
    fn fire(&mut self, conn: &mut rusqlite::Connection) {
        let from = self.state;
        let to = match from {
            toggle::State::A => toggle::State::B,
            toggle::State::B => toggle::State::A,
        };
        let start = Instant::now();
        self.data.n += 1;
        let took = start.elapsed().as_nanos() as i64;
        let json = serde_json::to_string(&self.data).unwrap();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let n = tx
            .prepare_cached(
                "UPDATE typestep_machines SET state = ?3, data = ?4, seq = seq + 1, intent_seq = NULL
                 WHERE component = ?1 AND id = ?2 AND seq = ?5 AND intent_seq IS NULL",
            )
            .unwrap()
            .execute(rusqlite::params!["Toggle", "hand", to.name(), json, self.seq])
            .unwrap();
        assert_eq!(n, 1);
        tx.prepare_cached(
            "INSERT INTO typestep_moves (component, id, seq, from_state, event, to_state, at_us, took_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .unwrap()
        .execute(rusqlite::params![
            "Toggle",
            "hand",
            self.seq + 1,
            from.name(),
            next(from).name(),
            to.name(),
            now_us(),
            took
        ])
        .unwrap();
        tx.commit().unwrap();
        self.seq += 1;
        self.state = to;
    }
}

fn sqlite_pair(c: &mut Criterion, relaxed: bool) {
    let name = if relaxed {
        "sqlite_normal"
    } else {
        "sqlite_full"
    };
    let mut group = c.benchmark_group(name);
    let path = temp(name);
    let store = open(&path, relaxed);
    let mut m = DurableMachine::create(&store, "durable", Toggle::new()).unwrap();
    // The hand-written side gets a row of its own in the same file.
    DurableMachine::create(&store, "hand", Toggle::new()).unwrap();
    let mut hand = HandWritten {
        state: toggle::State::A,
        data: Toggle::new(),
        seq: 0,
    };
    // Its own connection, opened with the same settings.
    let hand_store = open(&path, relaxed);
    let mut conn = hand_store.connection();
    group.bench_function("durable", |b| b.iter(|| m.fire(next(m.state())).unwrap()));
    group.bench_function("hand_written", |b| b.iter(|| hand.fire(&mut conn)));
    group.finish();
}

fn sqlite(c: &mut Criterion) {
    sqlite_pair(c, false);
    sqlite_pair(c, true);
}

/// Moves per second with `writers` threads, each on its own machine.
fn writers(c: &mut Criterion) {
    let mut group = c.benchmark_group("writers");
    for writers in [1usize, 8] {
        let path = temp(&format!("writers{writers}"));
        let stores: Vec<SqliteStore> = (0..writers).map(|_| open(&path, false)).collect();
        let mut machines: Vec<DurableMachine<'_, Toggle, SqliteStore>> = stores
            .iter()
            .enumerate()
            .map(|(i, s)| DurableMachine::create(s, &format!("w{i}"), Toggle::new()).unwrap())
            .collect();
        group.throughput(Throughput::Elements(writers as u64));
        group.bench_function(format!("sqlite_full_{writers}"), |b| {
            // One iteration = one move by each writer, in parallel.
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for m in machines.iter_mut() {
                        s.spawn(move || {
                            for _ in 0..iters {
                                m.fire(next(m.state())).unwrap();
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();
}

#[cfg(feature = "postgres")]
fn postgres(c: &mut Criterion) {
    use typestep::store::PgStore;
    let Ok(url) = std::env::var("TYPESTEP_PG_URL") else {
        println!("postgres: skipped: TYPESTEP_PG_URL not set");
        return;
    };
    let mut group = c.benchmark_group("postgres");
    let store = PgStore::connect(&url).unwrap();
    let id = format!("bench-{}", now_us());
    let mut m = DurableMachine::create(&store, &id, Toggle::new()).unwrap();
    let hand_id = format!("hand-{}", now_us());
    DurableMachine::create(&store, &hand_id, Toggle::new()).unwrap();
    let hand_store = PgStore::connect(&url).unwrap();
    let mut client = hand_store.client();
    let update = client
        .prepare(
            "UPDATE typestep_machines SET state = $3, data = $4, seq = seq + 1, intent_seq = NULL
             WHERE component = $1 AND id = $2 AND seq = $5 AND intent_seq IS NOT DISTINCT FROM $6::BIGINT",
        )
        .unwrap();
    let insert = client
        .prepare(
            "INSERT INTO typestep_moves (component, id, seq, from_state, event, to_state, at_us, took_ns)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .unwrap();
    let (mut state, mut data, mut seq) = (toggle::State::A, Toggle::new(), 0i64);
    group.bench_function("durable", |b| b.iter(|| m.fire(next(m.state())).unwrap()));
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            let to = match state {
                toggle::State::A => toggle::State::B,
                toggle::State::B => toggle::State::A,
            };
            data.n += 1;
            let json = serde_json::to_string(&data).unwrap();
            let mut tx = client.transaction().unwrap();
            let none: Option<i64> = None;
            let n = tx
                .execute(
                    &update,
                    &[&"Toggle", &hand_id, &to.name(), &json, &seq, &none],
                )
                .unwrap();
            assert_eq!(n, 1);
            tx.execute(
                &insert,
                &[
                    &"Toggle",
                    &hand_id,
                    &(seq + 1),
                    &state.name(),
                    &next(state).name(),
                    &to.name(),
                    &now_us(),
                    &0i64,
                ],
            )
            .unwrap();
            tx.commit().unwrap();
            seq += 1;
            state = to;
        })
    });
    group.finish();
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &mut Criterion) {}

criterion_group!(benches, sqlite, writers, postgres);
criterion_main!(benches);
