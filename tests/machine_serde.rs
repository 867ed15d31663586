//! Saving and restoring machines with serde: names, validation, history.
//!
//! `cargo test --test machine_serde --features serde`
#![cfg(feature = "serde")]

use serde::{Deserialize, Serialize};
use typestep::prelude::*;

#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[component(states(Created, Ready, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start, action = Self::spawn)]
#[transition(Running -> Stopped on Stop)]
struct Worker {
    threads: u32,
}

impl Worker {
    fn spawn(&mut self) -> Result<(), std::io::Error> {
        self.threads = 4;
        Ok(())
    }
}

fn running() -> StateMachine<Worker> {
    let mut m = StateMachine::new(Worker { threads: 0 }).with_history(2);
    let start = m.checkpoint();
    m.fire(worker::Init).unwrap();
    m.rollback_to(start);
    m.fire(worker::Init).unwrap();
    m.fire(worker::Start).unwrap();
    m
}

#[test]
fn a_saved_machine_comes_back_equal() {
    let m = running();
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["component"], "Worker");
    assert_eq!(json["state"], "Running");
    assert_eq!(json["data"]["threads"], 4);
    assert_eq!(json["moves"], 4);
    assert_eq!(json["history_capacity"], 2);
    assert_eq!(json["history"][0]["cause"]["Event"], "Init");
    assert_eq!(json["history"][1]["from"], "Ready");

    let mut back: StateMachine<Worker> = serde_json::from_value(json).unwrap();
    assert_eq!(back.state(), m.state());
    assert_eq!(back.data(), m.data());
    assert_eq!(back.moves(), m.moves());
    assert_eq!(
        back.history().iter().collect::<Vec<_>>(),
        m.history().iter().collect::<Vec<_>>()
    );
    // The restored machine goes on numbering where it left off.
    assert_eq!(back.fire(worker::Stop).unwrap().seq, 5);
}

#[test]
fn rollback_records_round_trip() {
    let mut m = StateMachine::new(Worker { threads: 0 }).with_history(4);
    let start = m.checkpoint();
    m.fire(worker::Init).unwrap();
    let record = m.rollback_to(start);
    let json = serde_json::to_string(&record).unwrap();
    let back: MoveRecord<Worker> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record);
    assert!(back.is_rollback());
}

fn restore(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut json = serde_json::to_value(running()).unwrap();
    edit(&mut json);
    serde_json::from_value::<StateMachine<Worker>>(json)
        .map(|_| String::new())
        .unwrap_err()
        .to_string()
}

#[test]
fn unknown_names_and_inconsistent_stores_are_errors() {
    assert_eq!(
        restore(|j| j["state"] = "Runing".into()),
        "`Worker` has no state named `Runing`"
    );
    assert_eq!(
        restore(|j| j["history"][0]["cause"]["Event"] = "Launch".into()),
        "`Worker` has no event named `Launch`"
    );
    assert_eq!(
        restore(|j| j["history"][1]["to"] = "Nowhere".into()),
        "`Worker` has no state named `Nowhere`"
    );
    assert_eq!(
        restore(|j| j["component"] = "Lamp".into()),
        "the stored machine is a `Lamp`, not a `Worker`"
    );
    assert_eq!(
        restore(|j| j["history_capacity"] = 1.into()),
        "the stored history holds 2 records but its capacity is 1"
    );
    assert_eq!(
        restore(|j| j["moves"] = 1.into()),
        "the stored history of `Worker` is out of order at move 3"
    );
}

#[test]
fn a_restored_history_with_gaps_keeps_its_order_as_moves_wrap_it() {
    // A stored history of moves 2 and 4 (numbers need not follow each
    // other), 4 moves made, room for 3 records.
    let mut json = serde_json::to_value(running()).unwrap();
    json["history_capacity"] = 3.into();
    json["history"][0]["seq"] = 2.into();
    let mut m: StateMachine<Worker> = serde_json::from_value(json).unwrap();
    let seqs = |m: &StateMachine<Worker>| m.history().iter().map(|r| r.seq).collect::<Vec<_>>();
    assert_eq!(seqs(&m), [2, 4]);
    let checkpoint = m.checkpoint();
    m.fire(worker::Stop).unwrap();
    assert_eq!(seqs(&m), [2, 4, 5]);
    m.rollback_to(checkpoint.clone());
    assert_eq!(seqs(&m), [4, 5, 6]);
    m.fire(worker::Stop).unwrap();
    m.rollback_to(checkpoint);
    assert_eq!(seqs(&m), [6, 7, 8]);
    assert_eq!(m.history().last().map(|r| r.seq), Some(8));
    assert_eq!(
        m.history().iter().rev().map(|r| r.seq).collect::<Vec<_>>(),
        [8, 7, 6]
    );
    assert_eq!(m.history().len(), 3);
}

#[test]
fn moves_after_a_restore_follow_the_stored_count_not_the_last_record() {
    // The stored machine made 10 moves but kept only moves 2 and 4: the
    // next move is number 11, and it lands after them in the ring.
    let mut json = serde_json::to_value(running()).unwrap();
    json["history_capacity"] = 3.into();
    json["history"][0]["seq"] = 2.into();
    json["moves"] = 10.into();
    let mut m: StateMachine<Worker> = serde_json::from_value(json).unwrap();
    let seqs = |m: &StateMachine<Worker>| m.history().iter().map(|r| r.seq).collect::<Vec<_>>();
    assert_eq!(seqs(&m), [2, 4]);
    assert_eq!(m.fire(worker::Stop).unwrap().seq, 11);
    assert_eq!(seqs(&m), [2, 4, 11]);
    assert_eq!(m.history().last().map(|r| r.seq), Some(11));
}
