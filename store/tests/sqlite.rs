//! The store suite on SQLite (a temporary file, WAL), one connection per
//! store so that threads really race through SQLite's locks.

mod common;

use std::path::PathBuf;

use typestep::store::{Options, SqliteStore, Store};

struct TempDb(PathBuf);

impl TempDb {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(common::fresh(&format!("typestep-{tag}")));
        std::fs::create_dir_all(&dir).unwrap();
        TempDb(dir)
    }
    fn file(&self) -> PathBuf {
        self.0.join("store.db")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(name: &str, test: fn(common::Open<'_>, common::Raw<'_>)) {
    let db = TempDb::new(name);
    let file = db.file();
    let open = |options: Options| -> Box<dyn Store> {
        Box::new(SqliteStore::open_with(&file, options).unwrap())
    };
    let admin = SqliteStore::open(&file).unwrap();
    let raw = |sql: &str| {
        admin.connection().execute_batch(sql).unwrap();
    };
    test(&open, &raw);
}

#[test]
fn round_trip() {
    run("round", common::round_trip);
}

#[test]
fn history_memory_survives_a_reload() {
    run("history", common::history_memory);
}

#[test]
fn eight_writers_take_each_move_once() {
    run("eight", common::eight_writers);
}

#[test]
fn hostile_rows_are_errors() {
    run("hostile", common::hostile_rows);
}

#[test]
fn sqlite_type_confusion_is_an_error() {
    use typestep::store::DurableMachine;
    let db = TempDb::new("types");
    let store = SqliteStore::open(db.file()).unwrap();
    let id = "typed";
    let mut m = DurableMachine::create(&store, id, common::Toggle { n: 0 }).unwrap();
    m.fire(common::toggle::Flip).unwrap();
    for sql in [
        "UPDATE typestep_machines SET seq = 'one'",
        "UPDATE typestep_machines SET data = x'00ff'",
        "UPDATE typestep_machines SET seq = 1.5",
    ] {
        let fresh = SqliteStore::open(db.file()).unwrap();
        fresh.connection().execute_batch("BEGIN").unwrap();
        fresh.connection().execute_batch(sql).unwrap();
        let result = DurableMachine::<common::Toggle, _>::load(&fresh, id);
        assert!(result.is_err(), "{sql}: loaded");
        fresh.connection().execute_batch("ROLLBACK").unwrap();
    }
}

#[test]
fn design_change_is_refused_and_migrates() {
    run("design", common::design_change);
}

#[test]
fn history_pages() {
    run("paging", common::paging);
}

#[test]
fn intents_resolve_exactly_once() {
    run("intents", common::intents_resolve);
}

#[test]
fn in_memory_store() {
    use typestep::store::DurableMachine;
    let store = SqliteStore::open(":memory:").unwrap();
    let mut m = DurableMachine::create(&store, "x", common::Toggle { n: 0 }).unwrap();
    m.fire(common::toggle::Flip).unwrap();
    let back = DurableMachine::<common::Toggle, _>::load(&store, "x").unwrap();
    assert_eq!(back.seq(), 1);
}
