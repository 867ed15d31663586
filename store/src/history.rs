//! Reading stored moves and intents back, page by page, validated.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use typestep_core::machine::{Cause, MoveRecord};
use typestep_core::{Component, Label};

use crate::backend::{IntentRow, Key, MoveRow, Store};
use crate::error::StoreError;

/// How many moves one database round trip reads.
pub(crate) const PAGE: i64 = 256;

pub(crate) fn corrupt(key: Key<'_>, component: &'static str, reason: String) -> StoreError {
    StoreError::Corrupt {
        component,
        id: key.id.to_owned(),
        reason,
    }
}

pub(crate) fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

pub(crate) fn to_us(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

pub(crate) fn from_us(us: i64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_micros(u64::try_from(us).ok()?))
}

/// A stored move as a [`MoveRecord`], its names and numbers checked (not
/// its place in the chain).
pub(crate) fn record<C: Component>(
    key: Key<'_>,
    row: &MoveRow,
) -> Result<MoveRecord<C>, StoreError> {
    let bad = |what: &str| corrupt(key, C::NAME, format!("move {}: {what}", row.seq));
    let seq = u64::try_from(row.seq).map_err(|_| bad("negative number"))?;
    let undeclared = |what: &str, name: &str| bad(&format!("undeclared {what} `{name}`"));
    let from =
        C::State::from_name(&row.from).ok_or_else(|| undeclared("`from` state", &row.from))?;
    let to = C::State::from_name(&row.to).ok_or_else(|| undeclared("`to` state", &row.to))?;
    let event = C::Event::from_name(&row.event).ok_or_else(|| undeclared("event", &row.event))?;
    let at = from_us(row.at_us).ok_or_else(|| bad("time out of range"))?;
    let took = u64::try_from(row.took_ns).map_err(|_| bad("negative duration"))?;
    Ok(MoveRecord {
        seq,
        from,
        cause: Cause::Event(event),
        to,
        at: Some(at),
        took: Some(Duration::from_nanos(took)),
    })
}

/// Up to `limit` stored moves of machine `id` after move `after`, oldest
/// first (pass the last one's `seq` as `after` for the next page). Each is
/// checked against the component's declared names.
///
/// ```
/// use typestep::prelude::*;
/// use typestep::store::{moves, Durable, DurableMachine, SqliteStore};
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
/// for _ in 0..5 {
///     lamp.fire(lamp::Press)?;
/// }
/// let page = moves::<Lamp>(&store, "hall", 2, 2)?;
/// assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4]);
/// assert_eq!(page[0].to, lamp::State::On);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn moves<C: Component>(
    store: &(impl Store + ?Sized),
    id: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<MoveRecord<C>>, StoreError> {
    let key = Key {
        component: C::NAME,
        id,
    };
    let after = i64::try_from(after).map_err(|_| StoreError::OutOfRange { component: C::NAME })?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    store
        .moves(key, after, i64::MAX, limit)?
        .iter()
        .map(|row| record::<C>(key, row))
        .collect()
}

/// One stored intent (the store's recovery log): which move with outside
/// effects was started, and how it ended.
pub struct IntentRecord<C: Component> {
    /// The move count when it was opened.
    pub seq: u64,
    /// The event whose action was started.
    pub event: C::Event,
    /// The state it was started in.
    pub from: C::State,
    /// When it was opened.
    pub opened_at: SystemTime,
    /// When and how it was resolved (`"moved"`, `"recovered"`, `"rerun"`),
    /// or `None` while it is open.
    pub resolved: Option<(SystemTime, String)>,
}

impl<C: Component> std::fmt::Debug for IntentRecord<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntentRecord")
            .field("component", &C::NAME)
            .field("seq", &self.seq)
            .field("event", &self.event)
            .field("from", &self.from)
            .field("opened_at", &self.opened_at)
            .field("resolved", &self.resolved)
            .finish()
    }
}

pub(crate) fn intent<C: Component>(
    key: Key<'_>,
    row: &IntentRow,
) -> Result<IntentRecord<C>, StoreError> {
    let bad = |what: &str| corrupt(key, C::NAME, format!("intent at move {}: {what}", row.seq));
    let resolved = match (row.resolved_us, &row.resolution) {
        (None, None) => None,
        (Some(us), Some(how)) => Some((
            from_us(us).ok_or_else(|| bad("time out of range"))?,
            how.clone(),
        )),
        _ => return Err(bad("half-resolved")),
    };
    Ok(IntentRecord {
        seq: u64::try_from(row.seq).map_err(|_| bad("negative number"))?,
        event: C::Event::from_name(&row.event)
            .ok_or_else(|| bad(&format!("undeclared event `{}`", row.event)))?,
        from: C::State::from_name(&row.from)
            .ok_or_else(|| bad(&format!("undeclared state `{}`", row.from)))?,
        opened_at: from_us(row.opened_us).ok_or_else(|| bad("time out of range"))?,
        resolved,
    })
}

/// Up to `limit` stored intents of machine `id` opened at move count `from`
/// or later, oldest first (pass the last one's `seq + 1` for the next page).
pub fn intents<C: Component>(
    store: &(impl Store + ?Sized),
    id: &str,
    from: u64,
    limit: usize,
) -> Result<Vec<IntentRecord<C>>, StoreError> {
    let key = Key {
        component: C::NAME,
        id,
    };
    let after = i64::try_from(from).map_err(|_| StoreError::OutOfRange { component: C::NAME })? - 1;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    store
        .intents(key, after, limit)?
        .iter()
        .map(|row| intent::<C>(key, row))
        .collect()
}
