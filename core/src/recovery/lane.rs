//! Each [`MoveLogger`](super::MoveLogger)'s own ring (a "lane"): one
//! producer (the logger, used through `&mut`), one consumer (whoever
//! collects the [`RecoveryLogger`](super::RecoveryLogger)).
//!
//! A record is a plain write of the slot and a release store of the
//! producer index (`rtrb`'s single-producer ring), plus a plain store of
//! the lane's `written` counter: no atomic read-modify-write, so a record
//! never waits for the previous one's stores to drain. What a `MoveLogger`
//! records names only static things (component, states, event, error
//! kind), so a lane holds a `Copy` [`Entry`] of one cache line (names as
//! indices, nothing to drop); a label is kept once per lane, not cloned (an `Arc`, an atomic
//! increment) into every record.
//!
//! When the lane is full the producer makes room itself: it takes the
//! consumer side's lock (the collector's), drops the oldest eighth of the
//! lane (at least one record) and counts them in `lost`, then writes. So
//! a lane never holding a collector keeps at least seven eighths of its
//! capacity of the newest records, and every record is either collected
//! once or counted. The lock is taken only then (once every capacity / 8
//! records when nobody collects), never on the ordinary path.
//!
//! The collector takes, under each lane's lock, what the lane holds when
//! it gets there, in the order it was written. When a `MoveLogger` is
//! dropped its lane is removed at once and its uncollected events move to
//! the shared ring (which keeps the newest of them, counting the rest), so
//! loggers of short-lived machines never pile up lanes nobody collects.

use std::time::Duration;

use sync_wrapper::SyncWrapper;

use super::event::{EventKind, Name, RecoveryEvent};
use crate::component::{Component, Label};
use crate::loom::{Arc, AtomicU64, Mutex, Ordering};

/// The names of a component's parts by index: `names::<C>` (see
/// [`names`]) for the component `C` a record is about.
pub(crate) type Names = fn(u32, u32, u32) -> [Option<&'static str>; 4];

/// A component's name and its states' and event's names, from indices
/// (`u32::MAX`, or any index out of range, is no name).
pub(crate) fn names<C: Component>(from: u32, event: u32, to: u32) -> [Option<&'static str>; 4] {
    let state = |index: u32| C::State::ALL.get(index as usize).map(|state| state.name());
    let on = C::Event::ALL.get(event as usize).map(|event| event.name());
    [Some(C::NAME), state(from), on, state(to)]
}

/// An index as stored in an [`Entry`].
#[inline(always)]
pub(crate) fn index(label: impl Label) -> u32 {
    u32::try_from(label.index()).unwrap_or(u32::MAX)
}

/// One record of a `MoveLogger`, one cache line: the component's names as
/// indices and a function naming them, nothing to drop.
#[derive(Clone, Copy)]
#[repr(align(64))]
pub(crate) struct Entry {
    /// A raw clock reading (see `clock.rs`).
    pub(crate) at_raw: u64,
    pub(crate) duration_ns: u64,
    pub(crate) names: Names,
    pub(crate) context: Option<&'static str>,
    /// The recording thread's own counter (see `merge.rs`).
    pub(crate) order: u64,
    pub(crate) from: u32,
    pub(crate) event: u32,
    pub(crate) to: u32,
    pub(crate) kind: EventKind,
}

const _: () = assert!(core::mem::size_of::<Entry>() == 64);

impl Entry {
    /// The event, numbered `seq`, recorded `at` after the logger's creation.
    fn unpack(self, label: &Option<Name>, seq: u64, at: Duration) -> RecoveryEvent {
        let [component, from, event, to] = (self.names)(self.from, self.event, self.to);
        let component = match (label, component) {
            (Some(label), _) => label.clone(),
            (None, component) => Name::Static(component.unwrap_or("")),
        };
        RecoveryEvent {
            seq,
            at,
            component,
            kind: self.kind,
            from,
            event,
            to,
            step: None,
            duration: Duration::from_nanos(self.duration_ns),
            context: self.context.map(Name::Static),
        }
    }
}

/// A collected record: its merge key (time stamp, thread counter) and the
/// event (numbered later).
pub(crate) type Stamped = ((u64, u64), RecoveryEvent);

/// The most records one lane holds between collections.
pub(crate) const LANE_MAX: usize = 4096;

/// Counters only the producer changes (plain load + store, no RMW), on
/// their own cache line so that the collector's lock does not share it.
#[repr(align(64))]
struct Counts {
    /// Records written (collected, pending or dropped).
    written: AtomicU64,
    /// Records dropped to make room.
    lost: AtomicU64,
}

/// What the collector reaches of one lane.
struct Lane {
    consumer: Mutex<rtrb::Consumer<Entry>>,
    counts: Counts,
    /// The component name of every event of this lane, if labelled.
    label: Option<Name>,
}

impl Lane {
    /// What the lane holds now, oldest first.
    fn drain(&self) -> impl Iterator<Item = Entry> {
        let mut consumer = self.consumer.lock();
        let ready = consumer.slots();
        let taken: Vec<Entry> = match consumer.read_chunk(ready) {
            Ok(chunk) => chunk.into_iter().collect(),
            Err(_) => Vec::new(),
        };
        taken.into_iter()
    }
}

/// The writing end of a lane, owned by one `MoveLogger`.
pub(crate) struct LaneWriter {
    /// `Sync` for the observer's sake: the producer is only used by `&mut`.
    producer: SyncWrapper<rtrb::Producer<Entry>>,
    lane: Arc<Lane>,
    /// How many of the oldest records to drop when the lane is full.
    batch: usize,
    /// Mirror of `lane.counts.written` (only this writer changes it).
    written: u64,
}

impl LaneWriter {
    /// Writes `event` at the end of the lane; when the lane is full, drops
    /// the oldest batch first (counted). Never waits for a collector except
    /// then, for at most one collector's pass over this lane.
    #[inline(always)]
    pub(crate) fn push(&mut self, event: Entry) {
        if let Err(rtrb::PushError::Full(event)) = self.producer.get_mut().push(event) {
            self.push_full(event);
        }
        self.written += 1;
        self.lane
            .counts
            .written
            .store(self.written, Ordering::Release);
    }

    #[cold]
    #[inline(never)]
    fn push_full(&mut self, event: Entry) {
        let counts = &self.lane.counts;
        let mut consumer = self.lane.consumer.lock();
        // The collector may have emptied the lane since the push failed.
        let dropped = consumer.slots().min(self.batch);
        if let Ok(chunk) = consumer.read_chunk(dropped) {
            chunk.commit_all();
        }
        let lost = counts.lost.load(Ordering::Relaxed) + dropped as u64;
        counts.lost.store(lost, Ordering::Release);
        drop(consumer);
        // Room now: this is the only producer and the lane held a record
        // (or was emptied by the collector). Never panic on the hot path:
        // were it still full, the event would be counted as lost.
        if self.producer.get_mut().push(event).is_err() {
            counts.lost.store(lost + 1, Ordering::Release);
        }
    }
}

/// Every lane of one logger, and the counts of lanes already removed.
pub(crate) struct Lanes {
    list: Mutex<Vec<Arc<Lane>>>,
    capacity: usize,
    /// Records written to and lost from removed lanes (changed under `list`).
    retired_written: AtomicU64,
    retired_lost: AtomicU64,
}

impl Lanes {
    /// Lanes of `capacity` records (capped at [`LANE_MAX`], at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Lanes {
            list: Mutex::new(Vec::new()),
            capacity: capacity.clamp(1, LANE_MAX),
            retired_written: AtomicU64::new(0),
            retired_lost: AtomicU64::new(0),
        }
    }

    /// Records a lane holds.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// A new lane and its writer; its events are named `label` if given.
    pub(crate) fn open(&self, label: Option<Name>) -> LaneWriter {
        let (producer, consumer) = rtrb::RingBuffer::new(self.capacity);
        let lane = Arc::new(Lane {
            consumer: Mutex::new(consumer),
            counts: Counts {
                written: AtomicU64::new(0),
                lost: AtomicU64::new(0),
            },
            label,
        });
        self.list.lock().push(lane.clone());
        LaneWriter {
            producer: SyncWrapper::new(producer),
            lane,
            batch: (self.capacity / 8).max(1),
            written: 0,
        }
    }

    /// Takes what every lane holds now: one vector per non-empty lane, in
    /// the order its writer wrote, each event stamped `at(raw)`. Callers
    /// serialize collectors.
    pub(crate) fn take_all(&self, into: &mut Vec<Vec<Stamped>>, at: impl Fn(u64) -> Duration) {
        for lane in self.list.lock().iter() {
            let taken: Vec<Stamped> = lane
                .drain()
                .map(|entry| {
                    let event = entry.unpack(&lane.label, 0, at(entry.at_raw));
                    ((entry.at_raw, entry.order), event)
                })
                .collect();
            if !taken.is_empty() {
                into.push(taken);
            }
        }
    }

    /// Removes `writer`'s lane (its `MoveLogger` is being dropped) and hands
    /// its uncollected events, oldest first, to `keep` as `(raw time stamp,
    /// thread counter, event)`. The lane's counts move to the retired ones,
    /// less the events handed on (whoever keeps them counts them).
    pub(crate) fn close(&self, writer: &LaneWriter, mut keep: impl FnMut(u64, u64, RecoveryEvent)) {
        let mut list = self.list.lock();
        list.retain(|lane| !Arc::ptr_eq(lane, &writer.lane));
        let lane = &writer.lane;
        let mut handed = 0;
        for entry in lane.drain() {
            keep(
                entry.at_raw,
                entry.order,
                entry.unpack(&lane.label, 0, Duration::ZERO),
            );
            handed += 1;
        }
        let add = |total: &AtomicU64, more: u64| {
            total.store(total.load(Ordering::Relaxed) + more, Ordering::Relaxed);
        };
        add(&self.retired_written, writer.written - handed);
        add(&self.retired_lost, lane.counts.lost.load(Ordering::Acquire));
        drop(list);
    }

    /// How many lanes (live `MoveLogger`s) there are.
    pub(crate) fn count(&self) -> usize {
        self.list.lock().len()
    }

    /// Records written to every lane so far (collected, pending or lost).
    pub(crate) fn written(&self) -> u64 {
        let list = self.list.lock();
        let live: u64 = list
            .iter()
            .map(|lane| lane.counts.written.load(Ordering::Acquire))
            .sum();
        live + self.retired_written.load(Ordering::Relaxed)
    }

    /// Records dropped from full lanes so far.
    pub(crate) fn lost(&self) -> u64 {
        let list = self.list.lock();
        let live: u64 = list
            .iter()
            .map(|lane| lane.counts.lost.load(Ordering::Acquire))
            .sum();
        live + self.retired_lost.load(Ordering::Relaxed)
    }
}
