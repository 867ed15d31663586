//! Each [`MoveLogger`](super::MoveLogger)'s own ring (a "lane"): one
//! producer (the logger, used through `&mut`), one consumer (whoever
//! collects the [`RecoveryLogger`](super::RecoveryLogger)).
//!
//! A record is a plain write of the slot and a release store of the
//! producer index (`rtrb`'s single-producer ring), plus a plain store of
//! the lane's `written` counter: no atomic read-modify-write, so a record
//! never waits for the previous one's stores to drain.
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
//! it gets there, in the order it was written. A lane whose writer was
//! dropped is removed once it is empty; its counts move to the registry.

use sync_wrapper::SyncWrapper;

use super::packed::Packed;
use crate::loom::{Arc, AtomicU64, Mutex, Ordering};

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
    /// Set (release) when the writer is dropped: no record comes after.
    closed: AtomicU64,
}

/// What the collector reaches of one lane.
struct Lane {
    consumer: Mutex<rtrb::Consumer<Packed>>,
    counts: Counts,
}

/// The writing end of a lane, owned by one `MoveLogger`.
pub(crate) struct LaneWriter {
    /// `Sync` for the observer's sake: the producer is only used by `&mut`.
    producer: SyncWrapper<rtrb::Producer<Packed>>,
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
    pub(crate) fn push(&mut self, event: Packed) {
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
    fn push_full(&mut self, event: Packed) {
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

impl Drop for LaneWriter {
    fn drop(&mut self) {
        self.lane.counts.closed.store(1, Ordering::Release);
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

    /// A new lane and its writer.
    pub(crate) fn open(&self) -> LaneWriter {
        let (producer, consumer) = rtrb::RingBuffer::new(self.capacity);
        let lane = Arc::new(Lane {
            consumer: Mutex::new(consumer),
            counts: Counts {
                written: AtomicU64::new(0),
                lost: AtomicU64::new(0),
                closed: AtomicU64::new(0),
            },
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
    /// the order its writer wrote. Removes lanes whose writer is gone and
    /// that are empty. Callers serialize collectors.
    pub(crate) fn take_all(&self, into: &mut Vec<Vec<Packed>>) {
        let mut list = self.list.lock();
        list.retain(|lane| {
            // Read before draining: a closed lane's last record is visible.
            let closed = lane.counts.closed.load(Ordering::Acquire) != 0;
            let mut consumer = lane.consumer.lock();
            let ready = consumer.slots();
            if let Ok(chunk) = consumer.read_chunk(ready) {
                let taken: Vec<Packed> = chunk.into_iter().collect();
                if !taken.is_empty() {
                    into.push(taken);
                }
            }
            drop(consumer);
            if closed {
                let counts = &lane.counts;
                let add = |total: &AtomicU64, more: &AtomicU64| {
                    let sum = total.load(Ordering::Relaxed) + more.load(Ordering::Acquire);
                    total.store(sum, Ordering::Relaxed);
                };
                add(&self.retired_written, &counts.written);
                add(&self.retired_lost, &counts.lost);
            }
            !closed
        });
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
