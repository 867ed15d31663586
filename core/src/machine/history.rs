//! A bounded ring of the latest move records.

use std::time::{Duration, SystemTime};

use super::record::{Cause, MoveRecord};
use crate::component::Component;

/// The latest moves of a machine, oldest first, at most
/// [`capacity`](History::capacity) of them.
///
/// The ring is allocated once, when history is turned on; recording a move
/// never allocates: once full, the newest record overwrites the oldest.
/// A capacity of 0 means history is off.
///
/// The ring keeps each move compactly (sequence number, states and cause;
/// the clock fields in a second array, allocated only once a move carries
/// them) and hands out whole [`MoveRecord`]s, by value, when read.
pub struct History<C: Component> {
    // Boxed so that a machine without history holds no collection inline
    // (a plain move then keeps the whole machine in registers).
    ring: Option<Box<Ring<C>>>,
}

/// One recorded move without its clock fields.
struct Entry<C: Component> {
    seq: u64,
    cause: Cause<C::Event>,
    from: C::State,
    to: C::State,
}

impl<C: Component> Clone for Entry<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Component> Copy for Entry<C> {}

/// The clock fields of one recorded move.
type Times = (Option<SystemTime>, Option<Duration>);

/// The storage of an enabled history: a fixed array of slots (`capacity`
/// rounded up to a power of two), the `n`-th record written going to slot
/// `n & mask`. The live records are the last `min(written, capacity)`
/// written. A move writes its slot and the one counter `written`: no head
/// to wrap, no length to update.
struct Ring<C: Component> {
    slots: Box<[Entry<C>]>,
    /// The clock fields, slot by slot; allocated (once) by the first move
    /// that carries them.
    times: Option<Box<[Times]>>,
    /// How many records were ever written.
    written: u64,
    /// `slots.len() - 1`.
    mask: u64,
    /// The most records kept (as asked for; at most `slots.len()`).
    capacity: usize,
}

impl<C: Component> History<C> {
    /// An empty ring that keeps at most `capacity` records.
    #[inline]
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        History {
            ring: (capacity != 0).then(|| {
                // Every slot starts as a placeholder; only the `len` written
                // ones are ever read.
                let blank = Entry {
                    seq: 0,
                    cause: Cause::Rollback { checkpoint: 0 },
                    from: C::INITIAL,
                    to: C::INITIAL,
                };
                // A capacity too large to round up cannot be allocated either.
                let slots = capacity.checked_next_power_of_two().unwrap_or(capacity);
                Box::new(Ring {
                    slots: vec![blank; slots].into_boxed_slice(),
                    times: None,
                    written: 0,
                    mask: (slots as u64).wrapping_sub(1),
                    capacity,
                })
            }),
        }
    }

    /// Whether moves are recorded at all.
    #[inline]
    pub fn is_enabled(&self) -> bool {
        self.ring.is_some()
    }

    /// The most records the ring keeps.
    pub fn capacity(&self) -> usize {
        self.ring.as_ref().map_or(0, |r| r.capacity)
    }

    /// How many records the ring holds now.
    pub fn len(&self) -> usize {
        self.ring.as_ref().map_or(0, |r| r.len())
    }

    /// Whether the ring holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records, oldest first.
    pub fn iter(&self) -> Iter<'_, C> {
        match &self.ring {
            Some(ring) => {
                let len = ring.len();
                Iter {
                    ring: Some(ring),
                    start: ring.written - len as u64,
                    front: 0,
                    back: len,
                }
            }
            None => Iter {
                ring: None,
                start: 0,
                front: 0,
                back: 0,
            },
        }
    }

    /// The newest record.
    pub fn last(&self) -> Option<MoveRecord<C>> {
        self.iter().next_back()
    }

    /// Records `record`, overwriting the oldest when the ring is full.
    #[inline]
    pub(crate) fn push(&mut self, record: MoveRecord<C>) {
        if let Some(ring) = &mut self.ring {
            ring.push(record);
        }
    }
}

impl<C: Component> Ring<C> {
    /// How many records are live.
    #[inline]
    fn len(&self) -> usize {
        // At most `capacity`, so the conversion holds.
        usize::try_from(self.written).map_or(self.capacity, |n| n.min(self.capacity))
    }

    /// The slot of the `n`-th record written.
    #[inline(always)]
    fn slot_of(&self, n: u64) -> usize {
        // The mask is below `slots.len()`, a `usize`.
        (n & self.mask) as usize
    }

    #[inline]
    fn push(&mut self, record: MoveRecord<C>) {
        let written = self.written;
        let head = self.slot_of(written);
        if let Some(slot) = self.slots.get_mut(head) {
            // Field by field, and the cause by variant: a whole-entry copy
            // reads freshly written bytes back with wider loads than they
            // were stored with, which stalls the CPU on every move.
            slot.seq = record.seq;
            slot.from = record.from;
            slot.cause = match record.cause {
                Cause::Event(event) => Cause::Event(event),
                Cause::Rollback { checkpoint } => Cause::Rollback { checkpoint },
            };
            slot.to = record.to;
        }
        if record.at.is_some() || record.took.is_some() || self.times.is_some() {
            self.push_times(head, (record.at, record.took));
        }
        self.written = written.wrapping_add(1);
    }

    /// Stores the clock fields of the record at `slot` (out of line: only
    /// machines that read the clock get here).
    #[inline(never)]
    fn push_times(&mut self, slot: usize, times: Times) {
        let capacity = self.slots.len();
        let all = self
            .times
            .get_or_insert_with(|| vec![(None, None); capacity].into_boxed_slice());
        if let Some(entry) = all.get_mut(slot) {
            *entry = times;
        }
    }

    /// The record in `slot`.
    fn record(&self, slot: usize) -> Option<MoveRecord<C>> {
        let entry = self.slots.get(slot)?;
        let (at, took) = self
            .times
            .as_ref()
            .and_then(|times| times.get(slot).copied())
            .unwrap_or((None, None));
        Some(MoveRecord {
            seq: entry.seq,
            from: entry.from,
            cause: entry.cause,
            to: entry.to,
            at,
            took,
        })
    }
}

impl<C: Component> Clone for History<C> {
    fn clone(&self) -> Self {
        let mut copy = History::with_capacity(self.capacity());
        for record in self.iter() {
            copy.push(record);
        }
        copy
    }
}

impl<C: Component> core::fmt::Debug for History<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("History")
            .field("capacity", &self.capacity())
            .field("records", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

impl<'a, C: Component> IntoIterator for &'a History<C> {
    type Item = MoveRecord<C>;
    type IntoIter = Iter<'a, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The records of a [`History`], oldest first, by value.
pub struct Iter<'a, C: Component> {
    ring: Option<&'a Ring<C>>,
    /// The write number of the oldest live record.
    start: u64,
    /// Positions (0 = oldest) of the next record from the front and one past
    /// the next from the back.
    front: usize,
    back: usize,
}

impl<C: Component> Iter<'_, C> {
    /// The record at `position` (0 = oldest).
    fn at(&self, position: usize) -> Option<MoveRecord<C>> {
        let ring = self.ring?;
        ring.record(ring.slot_of(self.start.wrapping_add(position as u64)))
    }
}

impl<C: Component> Iterator for Iter<'_, C> {
    type Item = MoveRecord<C>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        let record = self.at(self.front);
        self.front += 1;
        record
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.back - self.front;
        (len, Some(len))
    }
}

impl<C: Component> DoubleEndedIterator for Iter<'_, C> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.at(self.back)
    }
}

impl<C: Component> ExactSizeIterator for Iter<'_, C> {}
