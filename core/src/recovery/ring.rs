//! The bounded ring behind [`RecoveryLogger`](super::RecoveryLogger): one
//! atomic read-modify-write per record, and a writer never waits.
//!
//! Each slot has a small lock (`try_lock` is one CAS, unlock a plain store)
//! and a `state` word: the ticket of the last event written there and
//! whether it is still uncollected. A writer starts at the `head` hint (a
//! plain store by the previous writer, not a shared counter) and takes the
//! first ticket whose slot it can lock and that nobody took yet: tickets
//! are unique, and dense unless a slot was busy (held by the reader or by a
//! writer a whole lap behind), in which case that ticket is skipped rather
//! than waited for. Replacing an uncollected event counts it as
//! overwritten. A writer that finds a whole ring's worth of slots busy (a
//! ring no larger than the number of threads using it) drops its event and
//! counts it, so the reader can never hold a writer up. The reader takes
//! every uncollected event up to the newest it saw on a first pass, under
//! each slot's lock (it may wait for a writer, never the other way round),
//! so every event is collected exactly once or counted as lost.

use super::packed::Packed;
use crate::loom::{AtomicU64, Ordering, SlotLock};

/// `state` bit: the slot holds an event nobody has collected.
const PRESENT: u64 = 1;

/// One slot; aligned so that two slots never share a cache line start.
#[repr(align(64))]
struct Slot {
    /// `(ticket + 1) << 1 | PRESENT` of the last event written; 0 = never.
    /// Changed only under `entry`'s lock; read without it as a hint.
    state: AtomicU64,
    /// Events written here (changed under the lock: load + store, no RMW).
    written: AtomicU64,
    /// Uncollected events replaced here (changed under the lock).
    overwritten: AtomicU64,
    entry: SlotLock<Option<Packed>>,
}

/// The ticket one past the last event whose `state` this is.
#[inline(always)]
fn end(state: u64) -> u64 {
    state >> 1
}

#[inline(always)]
fn bump(counter: &AtomicU64) {
    // Only the lock holder changes the counter: no read-modify-write needed.
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

pub(crate) struct Ring {
    slots: Box<[Slot]>,
    mask: u64,
    /// Where the next writer starts looking: one past the last ticket taken
    /// (a hint; it may lag behind when writers race).
    head: AtomicU64,
    /// Events dropped because every slot tried was busy.
    dropped: AtomicU64,
}

impl Ring {
    /// A ring of `capacity` rounded up to a power of two (at least one) slots.
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1).next_power_of_two();
        let slots = (0..capacity)
            .map(|_| Slot {
                state: AtomicU64::new(0),
                written: AtomicU64::new(0),
                overwritten: AtomicU64::new(0),
                entry: SlotLock::new(None),
            })
            .collect();
        Ring {
            slots,
            mask: capacity as u64 - 1,
            head: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Writes `event` under the ticket it gets (kept in the slot's state:
    /// the order `take_all` reports). Never waits: a
    /// busy slot is skipped, and after a ring's worth of busy slots the
    /// event is dropped (and counted).
    #[inline(always)]
    pub(crate) fn push(&self, event: Packed) {
        let mut ticket = self.head.load(Ordering::Acquire);
        let mut busy = 0;
        loop {
            let slot = &self.slots[(ticket & self.mask) as usize];
            if end(slot.state.load(Ordering::Acquire)) > ticket {
                ticket += 1; // taken already
                continue;
            }
            let Some(mut entry) = slot.entry.try_lock() else {
                busy += 1; // busy: skip rather than wait
                if busy > self.mask {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                ticket += 1;
                continue;
            };
            let state = slot.state.load(Ordering::Relaxed);
            if end(state) > ticket {
                drop(entry);
                ticket += 1;
                continue;
            }
            // In place: dropping the old event there (it holds shared
            // strings only for cleanup steps and messages) costs less than
            // moving it out first.
            match &mut *entry {
                Some(slot) => slot.assign(event),
                empty => *empty = Some(event),
            }
            bump(&slot.written);
            if state & PRESENT != 0 {
                bump(&slot.overwritten);
            }
            slot.state
                .store(((ticket + 1) << 1) | PRESENT, Ordering::Release);
            drop(entry);
            self.head.store(ticket + 1, Ordering::Release);
            return;
        }
    }

    /// Takes every uncollected event (at most one ring's worth), unordered,
    /// each with its ticket. Callers serialize readers.
    ///
    /// Two passes: the first finds the newest uncollected ticket, the second
    /// takes the events up to it. An event that happened before one seen in
    /// the first pass is visible to the second (its `state` store precedes
    /// the other's release), so a batch never holds an event whose
    /// predecessor is left for the next batch.
    pub(crate) fn take_all(&self, into: &mut Vec<(u64, Packed)>) {
        let limit = self
            .slots
            .iter()
            .map(|slot| slot.state.load(Ordering::Acquire))
            .filter(|state| state & PRESENT != 0)
            .map(end)
            .max();
        let Some(limit) = limit else { return };
        let wanted = |state: u64| state & PRESENT != 0 && end(state) <= limit;
        for slot in self.slots.iter() {
            if !wanted(slot.state.load(Ordering::Acquire)) {
                continue;
            }
            let mut entry = slot.entry.lock();
            let state = slot.state.load(Ordering::Relaxed);
            if !wanted(state) {
                continue;
            }
            let taken = entry.take();
            slot.state.store(state & !PRESENT, Ordering::Release);
            drop(entry);
            into.extend(taken.map(|event| (end(state) - 1, event)));
        }
    }

    /// Events pushed so far (written or dropped).
    pub(crate) fn pushed(&self) -> u64 {
        self.sum(|slot| &slot.written) + self.dropped.load(Ordering::Relaxed)
    }

    /// Events lost: replaced before a reader collected them, or dropped.
    pub(crate) fn lost(&self) -> u64 {
        self.sum(|slot| &slot.overwritten) + self.dropped.load(Ordering::Relaxed)
    }

    fn sum(&self, counter: impl Fn(&Slot) -> &AtomicU64) -> u64 {
        self.slots
            .iter()
            .map(|slot| counter(slot).load(Ordering::Relaxed))
            .sum()
    }
}
