//! Hostile stored machines: a document that lies about its history capacity
//! or its move count is an error, never a panic, an abort or an allocation
//! out of proportion to the document; a restored machine can always move.
//!
//! `cargo test --test machine_stored_hostile --features serde`
#![cfg(feature = "serde")]

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use typestep::machine::{MAX_HISTORY_CAPACITY, MAX_MOVES};
use typestep::prelude::*;

#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp {
    presses: u32,
}

fn stored() -> serde_json::Value {
    let mut m = StateMachine::new(Lamp { presses: 0 }).with_history(4);
    let start = m.checkpoint();
    m.fire(lamp::Press).unwrap();
    m.rollback_to(start);
    m.fire(lamp::Press).unwrap();
    serde_json::to_value(&m).unwrap()
}

fn empty_with_capacity(capacity: &str) -> String {
    format!(
        r#"{{"component":"Lamp","state":"Off","data":{{"presses":0}},"moves":0,"timing":false,"history_capacity":{capacity},"history":[]}}"#
    )
}

#[test]
fn a_history_capacity_over_the_maximum_is_an_error() {
    for capacity in [
        (MAX_HISTORY_CAPACITY + 1).to_string(),
        "100000000".to_owned(),
        "1e8".to_owned(),
        u64::MAX.to_string(),
    ] {
        let json = empty_with_capacity(&capacity);
        let error = serde_json::from_str::<StateMachine<Lamp>>(&json)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("history capacity") && error.contains("maximum")
                || capacity == "1e8" && error.contains("floating point"),
            "{capacity}: {error}"
        );
    }
    let at_max = empty_with_capacity(&MAX_HISTORY_CAPACITY.to_string());
    let m: StateMachine<Lamp> = serde_json::from_str(&at_max).unwrap();
    assert_eq!(m.history().capacity(), MAX_HISTORY_CAPACITY);
}

#[test]
fn an_empty_history_allocates_in_proportion_to_its_records() {
    let json = empty_with_capacity(&MAX_HISTORY_CAPACITY.to_string());
    let info = allocation_counter::measure(|| {
        let m: StateMachine<Lamp> = serde_json::from_str(&json).unwrap();
        std::hint::black_box(m);
    });
    // A few small allocations (names, the ring's header), never one slot per
    // unused record.
    assert!(
        info.bytes_max < 4096,
        "an empty history of capacity {MAX_HISTORY_CAPACITY} held {} bytes",
        info.bytes_max
    );
    // And the ring grows as moves are recorded.
    let mut m: StateMachine<Lamp> = serde_json::from_str(&json).unwrap();
    for _ in 0..100 {
        m.fire(lamp::Press).unwrap();
    }
    assert_eq!(m.history().len(), 100);
    assert_eq!(m.history().last().unwrap().seq, 100);
}

#[test]
fn a_move_count_that_would_overflow_is_an_error() {
    for moves in [u64::MAX, MAX_MOVES + 1] {
        let mut json = stored();
        json["moves"] = moves.into();
        let error = serde_json::from_value::<StateMachine<Lamp>>(json)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(error.contains("moves"), "{moves}: {error}");
    }
    let mut json = stored();
    json["moves"] = MAX_MOVES.into();
    let mut m: StateMachine<Lamp> = serde_json::from_value(json).unwrap();
    let record = m.fire(lamp::Press).unwrap();
    assert_eq!(record.seq, MAX_MOVES + 1);
    assert_eq!(m.history().last(), Some(record));
}

#[test]
fn a_rollback_to_a_later_checkpoint_is_an_error() {
    let mut json = stored();
    // The rollback record (seq 2) cannot return to a checkpoint taken after it.
    json["history"][1]["cause"]["Rollback"]["checkpoint"] = 7.into();
    let error = serde_json::from_value::<StateMachine<Lamp>>(json)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(error.contains("checkpoint"), "{error}");
}

/// A JSON value with one leaf replaced by a hostile one.
fn mutate(value: &mut serde_json::Value, path: &[usize], leaf: serde_json::Value) {
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            let index = path.first().copied().unwrap_or(0) % map.len();
            let key = map.keys().nth(index).cloned().unwrap_or_default();
            if let Some(child) = map.get_mut(&key) {
                if path.len() > 1 {
                    mutate(child, &path[1..], leaf);
                } else {
                    *child = leaf;
                }
            }
        }
        serde_json::Value::Array(items) if !items.is_empty() => {
            let index = path.first().copied().unwrap_or(0) % items.len();
            if path.len() > 1 {
                mutate(&mut items[index], &path[1..], leaf);
            } else {
                items[index] = leaf;
            }
        }
        other => *other = leaf,
    }
}

fn hostile_leaf() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<u64>().prop_map(serde_json::Value::from),
        prop_oneof![
            Just(u64::MAX),
            Just(u64::MAX - 1),
            Just(MAX_MOVES),
            Just(MAX_HISTORY_CAPACITY as u64),
            Just(1u64 << 32),
            Just(0),
            Just(1),
        ]
        .prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "[A-Za-z]{0,8}".prop_map(serde_json::Value::from),
        Just(serde_json::json!({"Event": "Press"})),
        Just(serde_json::json!({"Rollback": {"checkpoint": u64::MAX}})),
        Just(
            serde_json::json!({"secs_since_epoch": u64::MAX, "nanos_since_epoch": 999_999_999u32})
        ),
        Just(serde_json::json!({"secs": u64::MAX, "nanos": 999_999_999u32})),
        Just(serde_json::json!([])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Deserializing a mutated document never panics, and a machine that
    /// comes back can move and roll back without panicking.
    #[test]
    fn mutated_documents_never_panic(
        edits in prop::collection::vec((prop::collection::vec(0usize..8, 1..4), hostile_leaf()), 1..4),
        timing in any::<bool>(),
    ) {
        let mut json = stored();
        json["timing"] = timing.into();
        for (path, leaf) in edits {
            mutate(&mut json, &path, leaf);
        }
        let text = json.to_string();
        if let Ok(mut m) = serde_json::from_str::<StateMachine<Lamp>>(&text) {
            let before = m.moves();
            let start = m.checkpoint();
            let record = m.fire(lamp::Press).unwrap();
            prop_assert_eq!(record.seq, before + 1);
            m.rollback_to(start);
            prop_assert_eq!(m.moves(), before + 2);
            let _ = m.history().iter().count();
            if m.moves() <= MAX_MOVES {
                let again = serde_json::to_string(&m).unwrap();
                prop_assert!(serde_json::from_str::<StateMachine<Lamp>>(&again).is_ok());
            }
        }
    }
}
