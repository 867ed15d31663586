//! A durable machine: a [`StateMachine`] whose every move is one committed
//! transaction.

use std::time::{Duration, SystemTime};

use typestep_core::component::HistoryMemory;
use typestep_core::machine::MoveRecord;
use typestep_core::{Component, Label, Snapshot, StateMachine};

use crate::backend::{Commit, IntentRow, Key, MachineRow, MoveRow, NewMachine, Store, Written};
use crate::design::{Fingerprint, Migration};
use crate::durable::{Durable, OpenIntent, Recovery};
use crate::error::{DurableError, StoreError};
use crate::history::{self, corrupt, now_us, to_us, PAGE};

/// A machine kept in a [`Store`]: loaded or created by id, moved by
/// [`fire`](DurableMachine::fire) like a [`StateMachine`], and each move
/// written in one transaction that succeeds only if no other writer moved
/// the machine since it was loaded.
///
/// ```
/// use typestep::prelude::*;
/// use typestep::store::{Durable, DurableMachine, SqliteStore, StoreError};
///
/// #[derive(Component, Clone, serde::Serialize, serde::Deserialize)]
/// #[component(states(Open, Closed), initial = Open)]
/// #[transition(Open -> Closed on Close)]
/// #[transition(Closed -> Open on Reopen)]
/// struct Ticket { reopened: u32 }
/// impl Durable for Ticket {}
///
/// let store = SqliteStore::open(":memory:")?;
/// DurableMachine::create(&store, "t-1", Ticket { reopened: 0 })?;
/// let mut a = DurableMachine::<Ticket>::load(&store, "t-1")?;
/// let mut b = DurableMachine::<Ticket>::load(&store, "t-1")?;
/// a.fire(ticket::Close)?;
/// // `b` was loaded at move 0; the store is at move 1 now.
/// let err = b.fire(ticket::Close).unwrap_err();
/// assert!(err.is_conflict());
/// assert_eq!(b.state(), ticket::State::Open); // unchanged in memory too
/// b.reload()?;
/// b.fire(ticket::Reopen)?;
/// assert_eq!(b.seq(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DurableMachine<'s, C: Component, S: Store + ?Sized = dyn Store> {
    store: &'s S,
    id: String,
    seq: u64,
    machine: StateMachine<C>,
    pending: Option<OpenIntent<C>>,
}

impl<'s, C, S> DurableMachine<'s, C, S>
where
    C: Durable,
    C::Snapshot: Snapshot<C>,
    S: Store + ?Sized,
{
    /// Stores a new machine `id` with `data` in the initial state; an
    /// existing `id` is [`StoreError::AlreadyExists`].
    pub fn create(store: &'s S, id: &str, data: C) -> Result<Self, StoreError> {
        let json = serde_json::to_string(&data).map_err(|source| StoreError::Serialize {
            component: C::NAME,
            source,
        })?;
        let design = Fingerprint::of::<C>().to_string();
        let new = NewMachine {
            design: &design,
            state: C::INITIAL.name(),
            data: &json,
        };
        if !store.insert(key::<C>(id), new)? {
            return Err(StoreError::AlreadyExists {
                component: C::NAME,
                id: id.to_owned(),
            });
        }
        Ok(DurableMachine {
            store,
            id: id.to_owned(),
            seq: 0,
            machine: StateMachine::new(data).with_timing(true),
            pending: None,
        })
    }

    /// Loads machine `id`, or creates it with `data()` if it is not stored.
    pub fn load_or_create(
        store: &'s S,
        id: &str,
        data: impl FnOnce() -> C,
    ) -> Result<Self, StoreError> {
        match Self::create(store, id, data()) {
            Err(StoreError::AlreadyExists { .. }) => Self::load(store, id),
            other => other,
        }
    }

    /// Loads machine `id`, validated: stored under this component's design,
    /// in a declared state, its moves a chain of declared transitions from
    /// the initial state to that state, numbered 1, 2, ... up to its move
    /// count. An intent left open by a crash (older than the store's
    /// [`intent_lease`](crate::Options::intent_lease)) is resolved here, as
    /// [`Durable::recover`] says. Corrupt or hostile rows are an error.
    pub fn load(store: &'s S, id: &str) -> Result<Self, StoreError> {
        Self::load_inner(store, id, None)
    }

    /// Like [`load`](Self::load); a machine stored under another design is
    /// first rewritten by `migration` (see [`Migration`]).
    pub fn load_migrating(
        store: &'s S,
        id: &str,
        migration: &Migration,
    ) -> Result<Self, StoreError> {
        Self::load_inner(store, id, Some(migration))
    }

    /// Loads the machine again from the store (after a
    /// [`Conflict`](StoreError::Conflict)).
    pub fn reload(&mut self) -> Result<(), StoreError> {
        let id = std::mem::take(&mut self.id);
        let fresh = Self::load(self.store, &id);
        self.id = id;
        *self = fresh?;
        Ok(())
    }

    fn load_inner(
        store: &'s S,
        id: &str,
        migration: Option<&Migration>,
    ) -> Result<Self, StoreError> {
        let key = key::<C>(id);
        let bad = |reason: String| corrupt(key, C::NAME, reason);
        let current = Fingerprint::of::<C>().to_string();
        let mut row = store.machine(key)?.ok_or_else(|| not_found::<C>(id))?;
        if row.design != current {
            match migration {
                Some(m) if m.applies_to(&row.design) => {
                    preflight::<C>(store, key, &row, m)?;
                    match store.migrate(key, row.seq, &row.design, &current, m)? {
                        Written::Done => {}
                        Written::Absent => return Err(not_found::<C>(id)),
                        Written::Conflict { found } | Written::IntentOpen { seq: found } => {
                            return Err(StoreError::Conflict {
                                component: C::NAME,
                                id: id.to_owned(),
                                expected: u64::try_from(row.seq).unwrap_or(0),
                                found: u64::try_from(found).unwrap_or(0),
                            })
                        }
                    }
                    row = store.machine(key)?.ok_or_else(|| not_found::<C>(id))?;
                }
                _ => {
                    return Err(StoreError::DesignChanged {
                        component: C::NAME,
                        id: id.to_owned(),
                        stored: row.design,
                        current,
                    })
                }
            }
        }
        let seq = u64::try_from(row.seq)
            .map_err(|_| bad(format!("move count {} is negative", row.seq)))?;
        let state = C::State::from_name(&row.state)
            .ok_or_else(|| bad(format!("state `{}` is not declared", row.state)))?;
        let json = row.data.as_deref().ok_or_else(|| {
            bad(format!(
                "its data is {} bytes, over the limit of {}",
                row.data_len,
                store.options().max_data_bytes
            ))
        })?;
        let data: C = serde_json::from_str(json)
            .map_err(|e| bad(format!("its data does not deserialize: {e}")))?;
        let memory = check_chain::<C>(store, key, row.seq, state, None)?;
        let machine = StateMachine::rehydrate_remembering(state, data, memory)
            .map_err(|e| bad(e.to_string()))?
            .with_timing(true);
        let mut loaded = DurableMachine {
            store,
            id: id.to_owned(),
            seq,
            machine,
            pending: None,
        };
        if let Some(at) = row.intent_seq {
            let open = open_intent::<C>(store, key, at, row.seq, state)?;
            let age = SystemTime::now()
                .duration_since(open.opened_at)
                .unwrap_or(Duration::ZERO);
            if age >= store.options().intent_lease {
                loaded.resolve(open)?;
            } else {
                loaded.pending = Some(open);
            }
        }
        Ok(loaded)
    }

    /// Resolves an intent a crash left open, exactly once: the resolving
    /// move and the intent's closing are one transaction, conditional on
    /// the intent still being open.
    fn resolve(&mut self, open: OpenIntent<C>) -> Result<(), StoreError> {
        let id = self.id.clone();
        let unresolved = |reason: String| StoreError::Unresolved {
            component: C::NAME,
            id: id.clone(),
            seq: open.seq,
            event: open.event.name().to_owned(),
            reason,
        };
        let (event, how) = match self.machine.data().recover(&open) {
            Recovery::Fire(event) => (event, "recovered"),
            Recovery::Rerun => (open.event, "rerun"),
            Recovery::Manual => {
                return Err(unresolved("the component declares no recovery".into()))
            }
        };
        match self.commit_move(event, Some(open.seq), how) {
            Ok(_) => Ok(()),
            Err(DurableError::Store(e)) => Err(e),
            Err(DurableError::Refused(e)) => Err(unresolved(e.to_string())),
        }
    }

    /// Fires `event`: one checked move, written in one transaction.
    ///
    /// The move is tried in memory (guard, action under a snapshot); then
    /// the move is appended and the machine's row updated, only if the
    /// store is still at this machine's move count. If another writer moved
    /// it first, nothing is written, the state and data are restored, and
    /// the error is a [`Conflict`](StoreError::Conflict):
    /// [`reload`](Self::reload) and try again. For an event with
    /// [`outside_effect`](Durable::outside_effect), an intent is committed
    /// before the action runs.
    pub fn fire(&mut self, event: impl Into<C::Event>) -> Result<MoveRecord<C>, DurableError<C>> {
        let event = event.into();
        if let Some(open) = self.pending {
            return Err(StoreError::IntentOpen {
                component: C::NAME,
                id: self.id.clone(),
                seq: open.seq,
            }
            .into());
        }
        if !(C::outside_effect(event) && self.machine.accepts(event)) {
            return self.commit_move(event, None, "moved");
        }
        let seq = self.seq_i64()?;
        let from = self.machine.state().name();
        match self
            .store
            .open_intent(self.key(), seq, event.name(), from, now_us())?
        {
            Written::Done => {}
            other => return Err(self.missed(other).into()),
        }
        match self.commit_move(event, Some(self.seq), "moved") {
            Err(DurableError::Refused(refused)) => {
                // Nothing happened: the action restored the data. Close the
                // intent; if that fails, a later load resolves it.
                let _ = self.store.drop_intent(self.key(), seq);
                Err(DurableError::Refused(refused))
            }
            other => other,
        }
    }

    fn commit_move(
        &mut self,
        event: C::Event,
        intent: Option<u64>,
        how: &str,
    ) -> Result<MoveRecord<C>, DurableError<C>> {
        let expected = self.seq_i64()?;
        let next = expected
            .checked_add(1)
            .ok_or(StoreError::OutOfRange { component: C::NAME })?;
        let checkpoint = self.machine.checkpoint();
        let record = self.machine.fire(event)?;
        let written = self.write(expected, next, intent, how, &record);
        match written {
            Ok(Written::Done) => {
                self.seq += 1;
                Ok(MoveRecord {
                    seq: self.seq,
                    ..record
                })
            }
            other => {
                self.machine.rollback_to(checkpoint);
                Err(match other {
                    Ok(missed) => self.missed(missed),
                    Err(e) => e,
                }
                .into())
            }
        }
    }

    fn write(
        &self,
        expected: i64,
        next: i64,
        intent: Option<u64>,
        how: &str,
        record: &MoveRecord<C>,
    ) -> Result<Written, StoreError> {
        let data =
            serde_json::to_string(self.machine.data()).map_err(|source| StoreError::Serialize {
                component: C::NAME,
                source,
            })?;
        let event = record.event().map_or("", Label::name);
        let row = MoveRow {
            seq: next,
            from: record.from.name().to_owned(),
            event: event.to_owned(),
            to: record.to.name().to_owned(),
            at_us: record.at.map_or_else(now_us, to_us),
            took_ns: record
                .took
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
        };
        let intent = intent
            .map(|s| i64::try_from(s).map_err(|_| StoreError::OutOfRange { component: C::NAME }))
            .transpose()?;
        self.store.commit(
            self.key(),
            Commit {
                expected_seq: expected,
                intent,
                resolution: how,
                state: record.to.name(),
                data: &data,
                record: &row,
            },
        )
    }

    fn missed(&self, written: Written) -> StoreError {
        match written {
            Written::Conflict { found } => StoreError::Conflict {
                component: C::NAME,
                id: self.id.clone(),
                expected: self.seq,
                found: u64::try_from(found).unwrap_or(0),
            },
            Written::IntentOpen { seq } => StoreError::IntentOpen {
                component: C::NAME,
                id: self.id.clone(),
                seq: u64::try_from(seq).unwrap_or(0),
            },
            Written::Absent | Written::Done => not_found::<C>(&self.id),
        }
    }

    fn seq_i64(&self) -> Result<i64, StoreError> {
        i64::try_from(self.seq).map_err(|_| StoreError::OutOfRange { component: C::NAME })
    }

    fn key(&self) -> Key<'_> {
        key::<C>(&self.id)
    }

    /// Stored moves of this machine after move `after`, at most `limit`
    /// (see [`moves`](crate::moves)).
    pub fn moves(&self, after: u64, limit: usize) -> Result<Vec<MoveRecord<C>>, StoreError> {
        history::moves::<C>(self.store, &self.id, after, limit)
    }
}

impl<C: Component, S: Store + ?Sized> DurableMachine<'_, C, S> {
    /// The machine's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How many moves are committed (the move count it was loaded at, plus
    /// its own committed moves).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The current state.
    pub fn state(&self) -> C::State {
        self.machine.state()
    }

    /// Borrows the data. There is no `data_mut`: durable data changes only
    /// through moves, so that what is stored is what the moves made.
    pub fn data(&self) -> &C {
        self.machine.data()
    }

    /// The machine in memory (state, data, accepted events).
    pub fn machine(&self) -> &StateMachine<C> {
        &self.machine
    }

    /// An intent another writer holds open (newer than the intent lease):
    /// moves are refused until it is resolved.
    pub fn pending_intent(&self) -> Option<&OpenIntent<C>> {
        self.pending.as_ref()
    }

    /// Gives up the store and returns the machine in memory.
    pub fn into_machine(self) -> StateMachine<C> {
        self.machine
    }
}

impl<C: Component + std::fmt::Debug, S: Store + ?Sized> std::fmt::Debug
    for DurableMachine<'_, C, S>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableMachine")
            .field("id", &self.id)
            .field("seq", &self.seq)
            .field("machine", &self.machine)
            .field("pending", &self.pending)
            .finish()
    }
}

fn key<C: Component>(id: &str) -> Key<'_> {
    Key {
        component: C::NAME,
        id,
    }
}

fn not_found<C: Component>(id: &str) -> StoreError {
    StoreError::NotFound {
        component: C::NAME,
        id: id.to_owned(),
    }
}

/// Checks that the stored moves `1..=upto` are a chain of declared
/// transitions from the initial state to `state`, and returns what the
/// superstates with `history` remember at its end (a move into one must
/// enter the leaf it resumes, replayed move by move). Reads the moves a page
/// at a time, so a long (or hostile) history costs time, not memory.
fn check_chain<C: Component>(
    store: &(impl Store + ?Sized),
    key: Key<'_>,
    upto: i64,
    state: C::State,
    renamed_by: Option<&Migration>,
) -> Result<HistoryMemory<C>, StoreError> {
    let bad = |reason: String| corrupt(key, C::NAME, reason);
    let mut at = C::INITIAL;
    let mut memory = HistoryMemory::<C>::new();
    let mut after = 0i64;
    while after < upto {
        let page = store.moves(key, after, upto, PAGE)?;
        if page.is_empty() {
            break;
        }
        for stored in &page {
            let renamed;
            let row = match renamed_by {
                Some(m) => {
                    renamed = MoveRow {
                        from: m.state(&stored.from).to_owned(),
                        event: m.event(&stored.event).to_owned(),
                        to: m.state(&stored.to).to_owned(),
                        ..stored.clone()
                    };
                    &renamed
                }
                None => stored,
            };
            let record = history::record::<C>(key, row)?;
            if row.seq != after + 1 {
                return Err(bad(format!("move {} is missing", after + 1)));
            }
            if record.from != at {
                return Err(bad(format!(
                    "move {} leaves `{}`, but the previous move entered `{at}`",
                    row.seq, record.from
                )));
            }
            let event = record
                .event()
                .ok_or_else(|| bad(format!("move {} has no event", row.seq)))?;
            let declared = C::edge_with_memory(record.from, event, memory.slots());
            if declared.map(|edge| edge.to) != Some(record.to) {
                return Err(bad(format!(
                    "move {} `{} -> {} on {event}` is not a declared transition",
                    row.seq, record.from, record.to
                )));
            }
            if !C::HISTORY.is_empty() {
                memory.left(record.from, record.to);
            }
            at = record.to;
            after = row.seq;
        }
    }
    if after != upto {
        return Err(bad(format!(
            "it has made {upto} moves but only {after} are stored in order"
        )));
    }
    if at != state {
        return Err(bad(format!(
            "its state is `{state}` but its last move entered `{at}`"
        )));
    }
    Ok(memory)
}

/// Checks, before anything is rewritten, that `migration` turns the stored
/// machine into a valid one of `C`: its state, every move of its chain and an
/// open intent, renamed, are declared. A migration that misses a name is
/// refused with the store untouched, rather than leaving rows that no design
/// can load.
fn preflight<C: Component>(
    store: &(impl Store + ?Sized),
    key: Key<'_>,
    row: &MachineRow,
    migration: &Migration,
) -> Result<(), StoreError> {
    let incomplete = |reason: String| StoreError::MigrationIncomplete {
        component: C::NAME,
        id: key.id.to_owned(),
        reason,
    };
    let state = C::State::from_name(migration.state(&row.state)).ok_or_else(|| {
        incomplete(format!(
            "its state `{}` is not a state of `{}` once renamed",
            row.state,
            C::NAME
        ))
    })?;
    let reason = |e: StoreError| match e {
        StoreError::Corrupt { reason, .. } => incomplete(reason),
        other => other,
    };
    check_chain::<C>(store, key, row.seq, state, Some(migration)).map_err(reason)?;
    if let Some(at) = row.intent_seq {
        for intent in store
            .intents(key, at - 1, 1)?
            .iter()
            .filter(|r| r.seq == at)
        {
            let renamed = IntentRow {
                from: migration.state(&intent.from).to_owned(),
                event: migration.event(&intent.event).to_owned(),
                ..intent.clone()
            };
            history::intent::<C>(key, &renamed).map_err(reason)?;
        }
    }
    Ok(())
}

/// The open intent at move `at` of a machine at move `seq` in `state`,
/// validated.
fn open_intent<C: Component>(
    store: &(impl Store + ?Sized),
    key: Key<'_>,
    at: i64,
    seq: i64,
    state: C::State,
) -> Result<OpenIntent<C>, StoreError> {
    let bad = |reason: String| corrupt(key, C::NAME, reason);
    if at != seq {
        return Err(bad(format!(
            "an intent is open at move {at}, but it is at move {seq}"
        )));
    }
    let rows = store.intents(key, at - 1, 1)?;
    let row = rows
        .iter()
        .find(|r| r.seq == at)
        .ok_or_else(|| bad(format!("the open intent at move {at} is missing")))?;
    let intent = history::intent::<C>(key, row)?;
    if intent.resolved.is_some() {
        return Err(bad(format!(
            "the open intent at move {at} is already resolved"
        )));
    }
    if intent.from != state || C::edge(state, intent.event).is_none() {
        return Err(bad(format!(
            "the intent at move {at} (`{}` on `{}`) does not match state `{state}`",
            intent.from, intent.event
        )));
    }
    Ok(OpenIntent {
        seq: intent.seq,
        event: intent.event,
        from: intent.from,
        opened_at: intent.opened_at,
    })
}
