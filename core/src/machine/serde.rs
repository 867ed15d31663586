//! Saving and restoring machines with serde (feature `serde`).
//!
//! States and events are stored by name ([`Label::name`]) and restored with
//! [`Label::from_name`]: a stored name the component does not declare is a
//! deserialization error, never a panic. A restored machine is validated like
//! [`StateMachine::rehydrate`]; observers and subscribers are not stored.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::history::{History, MAX_HISTORY_CAPACITY};
use super::record::{Cause, MoveRecord, MAX_MOVES};
use super::StateMachine;
use crate::component::{Component, HistoryMemory, Label};

/// A stored move record: names instead of enum values.
#[derive(Serialize, Deserialize)]
#[serde(rename = "MoveRecord")]
struct StoredRecord {
    seq: u64,
    from: String,
    cause: StoredCause,
    to: String,
    at: Option<SystemTime>,
    took: Option<Duration>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "Cause")]
enum StoredCause {
    Event(String),
    Rollback { checkpoint: u64 },
    Cancelled(String),
}

/// A stored machine.
#[derive(Serialize, Deserialize)]
#[serde(rename = "StateMachine")]
struct StoredMachine<D> {
    component: String,
    state: String,
    data: D,
    moves: u64,
    timing: bool,
    history_capacity: u64,
    history: Vec<StoredRecord>,
    /// The leaf each superstate with `history` remembers, by name (absent
    /// when nothing is remembered, as in documents stored before `history`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    memory: BTreeMap<String, String>,
}

fn label<L: Label, E: serde::de::Error>(kind: &str, component: &str, name: &str) -> Result<L, E> {
    L::from_name(name)
        .ok_or_else(|| E::custom(format!("`{component}` has no {kind} named `{name}`")))
}

impl<C: Component> MoveRecord<C> {
    fn stored(&self) -> StoredRecord {
        StoredRecord {
            seq: self.seq,
            from: self.from.name().to_owned(),
            cause: match self.cause {
                Cause::Event(event) => StoredCause::Event(event.name().to_owned()),
                Cause::Rollback { checkpoint } => StoredCause::Rollback { checkpoint },
                Cause::Cancelled(event) => StoredCause::Cancelled(event.name().to_owned()),
            },
            to: self.to.name().to_owned(),
            at: self.at,
            took: self.took,
        }
    }

    fn restored<E: serde::de::Error>(stored: StoredRecord) -> Result<Self, E> {
        Ok(MoveRecord {
            seq: stored.seq,
            from: label("state", C::NAME, &stored.from)?,
            cause: match stored.cause {
                StoredCause::Event(name) => Cause::Event(label("event", C::NAME, &name)?),
                StoredCause::Rollback { checkpoint } => Cause::Rollback { checkpoint },
                StoredCause::Cancelled(name) => Cause::Cancelled(label("event", C::NAME, &name)?),
            },
            to: label("state", C::NAME, &stored.to)?,
            at: stored.at,
            took: stored.took,
        })
    }
}

impl<C: Component> Serialize for MoveRecord<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.stored().serialize(serializer)
    }
}

impl<'de, C: Component> Deserialize<'de> for MoveRecord<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        MoveRecord::restored(StoredRecord::deserialize(deserializer)?)
    }
}

/// Saves the state (by name), the data, the move count, the timing option,
/// the history and the leaves remembered by superstates with `history`
/// (`"memory": {"Blinking": "LedOff"}`, left out when empty). The observer
/// is not saved.
impl<C: Component + Serialize, O> Serialize for StateMachine<C, O> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredMachine {
            component: C::NAME.to_owned(),
            state: self.state.name().to_owned(),
            data: &self.data,
            moves: self.seq,
            timing: self.timing,
            history_capacity: u64::try_from(self.history.capacity()).unwrap_or(u64::MAX),
            history: self.history.iter().map(|record| record.stored()).collect(),
            memory: self
                .memory()
                .iter()
                .map(|(superstate, leaf)| (superstate.to_owned(), leaf.name().to_owned()))
                .collect(),
        }
        .serialize(serializer)
    }
}

/// Restores a saved machine after validating it: the component's name, the
/// state (declared and reachable), the move count (at most [`MAX_MOVES`]),
/// the history capacity (at most [`MAX_HISTORY_CAPACITY`]), every history
/// record's names, that the history fits its capacity, is in order, does not
/// run ahead of the move count, that every rollback returns to an earlier
/// move, and that every remembered leaf is declared and nested in its
/// superstate, which is declared with `history`. The history ring is allocated for the stored records only and grows
/// as moves come, so a short document never claims a large allocation.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use typestep::prelude::*;
///
/// #[derive(Component, serde::Serialize, serde::Deserialize)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// #[transition(On -> Off on Press)]
/// struct Lamp;
///
/// let mut m = StateMachine::new(Lamp).with_history(4);
/// m.fire(lamp::Press).unwrap();
/// let json = serde_json::to_string(&m).unwrap();
/// let back: StateMachine<Lamp> = serde_json::from_str(&json).unwrap();
/// assert_eq!((back.state(), back.history().len()), (lamp::State::On, 1));
///
/// let bad = json.replace("\"state\":\"On\"", "\"state\":\"Dim\"");
/// assert!(serde_json::from_str::<StateMachine<Lamp>>(&bad).is_err());
/// # }
/// ```
impl<'de, C: Component + Deserialize<'de>> Deserialize<'de> for StateMachine<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredMachine::<C>::deserialize(deserializer)?;
        if stored.component != C::NAME {
            return Err(D::Error::custom(format!(
                "the stored machine is a `{}`, not a `{}`",
                stored.component,
                C::NAME
            )));
        }
        let state = C::State::from_name(&stored.state).ok_or_else(|| {
            D::Error::custom(format!(
                "`{}` has no state named `{}`",
                C::NAME,
                stored.state
            ))
        })?;
        let mut machine = StateMachine::rehydrate(state, stored.data).map_err(D::Error::custom)?;
        if stored.moves > MAX_MOVES {
            return Err(D::Error::custom(format!(
                "the stored machine counts {} moves; the maximum is {MAX_MOVES}",
                stored.moves
            )));
        }
        if usize::try_from(stored.history_capacity).map_or(true, |c| c > MAX_HISTORY_CAPACITY) {
            return Err(D::Error::custom(format!(
                "the stored history capacity {} is over the maximum {MAX_HISTORY_CAPACITY}",
                stored.history_capacity
            )));
        }
        let history_capacity = usize::try_from(stored.history_capacity).unwrap_or(usize::MAX);
        if stored.history.len() > history_capacity {
            return Err(D::Error::custom(format!(
                "the stored history holds {} records but its capacity is {}",
                stored.history.len(),
                stored.history_capacity
            )));
        }
        let mut history = History::with_room(history_capacity, stored.history.len());
        let mut previous: Option<u64> = None;
        for record in stored.history {
            let record = MoveRecord::<C>::restored::<D::Error>(record)?;
            if previous.is_some_and(|seq| record.seq <= seq) || record.seq > stored.moves {
                return Err(D::Error::custom(format!(
                    "the stored history of `{}` is out of order at move {}",
                    C::NAME,
                    record.seq
                )));
            }
            if let Cause::Rollback { checkpoint } = record.cause {
                if checkpoint >= record.seq {
                    return Err(D::Error::custom(format!(
                        "the stored rollback at move {} of `{}` returns to checkpoint {checkpoint}, which is not earlier",
                        record.seq,
                        C::NAME
                    )));
                }
            }
            previous = Some(record.seq);
            history.push(record);
        }
        let mut memory = HistoryMemory::<C>::new();
        for (superstate, leaf) in &stored.memory {
            let leaf = label::<C::State, D::Error>("state", C::NAME, leaf)?;
            memory
                .remember(superstate, leaf)
                .map_err(D::Error::custom)?;
        }
        machine.subscribers.set_memory(memory);
        machine.seq = stored.moves;
        machine.timing = stored.timing;
        machine.history = history;
        // Its moves go on from the stored count, whatever the stored
        // records are numbered.
        machine.history.continue_after(machine.seq);
        Ok(machine)
    }
}
