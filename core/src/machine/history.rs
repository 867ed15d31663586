//! A bounded ring of the latest move records.

use super::record::{MoveRecord, Pieces, Times};
use crate::component::Component;

/// The most records a [`History`] keeps: 1,048,576 (2<sup>20</sup>).
///
/// [`StateMachine::with_history`](super::StateMachine::with_history) keeps at
/// most this many, and a stored machine asking for more is refused when it is
/// deserialized.
pub const MAX_HISTORY_CAPACITY: usize = 1 << 20;

/// The latest moves of a machine, oldest first, at most
/// [`capacity`](History::capacity) of them.
///
/// The ring is allocated once, when history is turned on; recording a move
/// never allocates: once full, the newest record overwrites the oldest.
/// A capacity of 0 means history is off. A history restored from a stored
/// machine is the exception: it holds room for the records stored with it,
/// and grows as moves are recorded, up to its capacity (so a small document
/// cannot claim a large allocation).
///
/// The ring keeps each move compactly (sequence number, states and cause;
/// the clock fields in a second array, allocated only once a move carries
/// them) and hands out whole [`MoveRecord`]s, by value, when read.
pub struct History<C: Component> {
    // Boxed so that a machine without history holds no collection inline
    // (a plain move then keeps the whole machine in registers).
    ring: Option<Box<Ring<C>>>,
}

/// One recorded move without its clock fields. Written field by field,
/// each with a store of its own size: an entry (or a `Cause`) built and
/// copied whole is read back with wider loads than its bytes were stored
/// with, which stalls the CPU (no store forwarding) on every move.
struct Entry<C: Component> {
    seq: u64,
    pieces: Pieces<C>,
    /// Whether the ring's clock fields at this slot are this record's: a
    /// move without them writes `false` here and never reads or writes
    /// the clock fields' array.
    timed: bool,
}

impl<C: Component> Entry<C> {
    /// What an unwritten slot holds: never read as a record (only live
    /// positions are), there only so that the slot exists.
    fn placeholder() -> Self {
        Entry {
            seq: 0,
            pieces: Pieces {
                from: Pieces::<C>::index(C::INITIAL),
                to: Pieces::<C>::index(C::INITIAL),
                event: None,
                cancelled: false,
            },
            timed: false,
        }
    }
}

impl<C: Component> Clone for Entry<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Component> Copy for Entry<C> {}

/// The storage of an enabled history.
///
/// Each record has a *position*: its sequence number plus `offset`
/// (wrapping). Positions of the records pushed are 0, 1, 2, ... (`offset`
/// is changed only when a record's number does not follow the previous
/// one, as after a restore), so a record's slot is its position masked to
/// the ring's power-of-two size, and a move writes its slot and `last` and
/// depends on nothing that the previous move stored. The live records are
/// the last `min(count, capacity)` positions. A machine's moves come
/// numbered without gaps, and the machine numbers the ring to its own count
/// when it takes it ([`History::continue_after`]), so its moves take the
/// next position without a check ([`History::push_next`]). A ring made
/// with all its room holds all `mask + 1` slots from the start; one
/// restored with little room fills its slots in order (`slots.len()` grows
/// up to `mask + 1`, so it allocates as it fills).
struct Ring<C: Component> {
    slots: Vec<Entry<C>>,
    /// The clock fields, slot by slot; allocated (once) by the first move
    /// that carries them.
    times: Option<Vec<Times>>,
    /// The checkpoints of rollbacks, slot by slot (a slot's is read only
    /// when its record is a rollback); allocated (once) by the first
    /// rollback, so that a move's entry has no field it never uses.
    checkpoints: Option<Vec<u64>>,
    /// The ring's size (a power of two at least `capacity`) less one.
    mask: usize,
    capacity: usize,
    /// Added (wrapping) to a sequence number to give its position.
    offset: u64,
    /// The sequence number of the newest record (`last + offset + 1`, the
    /// number of records pushed, is 0 when empty).
    last: u64,
}

impl<C: Component> Ring<C> {
    /// How many records were pushed: the position of the next one.
    #[inline]
    fn count(&self) -> u64 {
        self.last.wrapping_add(self.offset).wrapping_add(1)
    }

    /// How many live records the ring holds.
    #[inline]
    fn len(&self) -> usize {
        usize::try_from(self.count())
            .unwrap_or(usize::MAX)
            .min(self.capacity)
    }
}

impl<C: Component> History<C> {
    /// An empty ring that keeps at most `capacity` records (at most
    /// [`MAX_HISTORY_CAPACITY`]), allocated in full now.
    #[inline]
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self::with_room(capacity, capacity)
    }

    /// An empty ring that keeps at most `capacity` records (at most
    /// [`MAX_HISTORY_CAPACITY`]), with room for `room` of them now; it grows
    /// as records come.
    pub(crate) fn with_room(capacity: usize, room: usize) -> Self {
        let capacity = capacity.min(MAX_HISTORY_CAPACITY);
        History {
            ring: (capacity != 0).then(|| {
                let size = capacity.next_power_of_two();
                Box::new(Ring {
                    // All of it now, filled with placeholders that no live
                    // position reaches (a move then never takes the out of
                    // line `fill`), unless asked for less room.
                    slots: if room >= capacity {
                        vec![Entry::placeholder(); size]
                    } else {
                        Vec::with_capacity(room)
                    },
                    times: None,
                    checkpoints: None,
                    mask: size - 1,
                    capacity,
                    // Empty: no record pushed, the next position is 0.
                    offset: u64::MAX,
                    last: 0,
                })
            }),
        }
    }

    /// History off (no ring): made inline, so that a new machine calls
    /// nothing out of line (a call before a loop of moves costs the loop a
    /// register).
    #[inline]
    pub(crate) const fn off() -> Self {
        History { ring: None }
    }

    /// Takes the ring, leaving history off.
    #[inline]
    pub(crate) fn take(&mut self) -> Self {
        core::mem::replace(self, History::off())
    }

    /// A ring of `capacity` holding the newest records of this one.
    #[inline(never)]
    pub(crate) fn resized(self, capacity: usize) -> Self {
        let mut history = History::with_capacity(capacity);
        for record in self.iter().rev().take(capacity).rev() {
            history.push(record);
        }
        history
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
                // Positions `count - len .. count`; the oldest's slot.
                let oldest = ring.count().wrapping_sub(len as u64);
                Iter {
                    ring: Some(ring),
                    start: oldest as usize & ring.mask,
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
    /// Any number: one that does not follow the previous record's starts
    /// a new numbering (a stored history, another ring's records).
    #[inline]
    pub(crate) fn push(&mut self, record: MoveRecord<C>) {
        if let Some(ring) = &mut self.ring {
            ring.push(record);
        }
    }

    /// Numbers the ring so that the record numbered `seq + 1` takes the
    /// next position: called by a machine that takes this ring at move
    /// `seq`, so that its moves can use [`push_next`](Self::push_next).
    pub(crate) fn continue_after(&mut self, seq: u64) {
        if let Some(ring) = &mut self.ring {
            let count = ring.count();
            ring.last = seq;
            ring.offset = count.wrapping_sub(seq).wrapping_sub(1);
        }
    }

    /// Records a machine's move: numbered one after the previous record
    /// (or after the `seq` of [`continue_after`](Self::continue_after)),
    /// which the machine guarantees, so its slot is its number masked,
    /// with no check.
    #[inline]
    pub(crate) fn push_next(&mut self, record: MoveRecord<C>) {
        if let Some(ring) = &mut self.ring {
            debug_assert_eq!(
                record.seq,
                ring.last.wrapping_add(1),
                "a machine's moves are numbered without gaps"
            );
            let slot = record.seq.wrapping_add(ring.offset) as usize & ring.mask;
            ring.write(slot, &record);
        }
    }
}

impl<C: Component> Ring<C> {
    #[inline]
    fn push(&mut self, record: MoveRecord<C>) {
        let mut position = record.seq.wrapping_add(self.offset);
        let next = self.count();
        if position != next {
            // Not the number after the previous record's (the first move
            // after a restore, or a stored history with gaps): renumber.
            self.offset = next.wrapping_sub(record.seq);
            position = next;
        }
        self.write(position as usize & self.mask, &record);
    }

    /// Writes `record` into `slot` and makes it the newest.
    #[inline(always)]
    fn write(&mut self, slot: usize, record: &MoveRecord<C>) {
        let (pieces, checkpoint) = Pieces::of(record);
        let times = record.times();
        if let Some(entry) = self.slots.get_mut(slot) {
            entry.seq = record.seq;
            entry.pieces.from = pieces.from;
            entry.pieces.to = pieces.to;
            entry.pieces.event = pieces.event;
            entry.pieces.cancelled = pieces.cancelled;
            entry.timed = times.is_some();
        } else {
            self.fill(slot, record.seq, pieces);
        }
        if pieces.event.is_none() {
            self.push_checkpoint(slot, checkpoint);
        }
        if let Some(times) = times {
            self.push_times(slot, times);
        }
        self.last = record.seq;
    }

    /// Adds the slot after the last one filled (`slot == slots.len()`:
    /// slots fill in position order). Out of line: a ring fills once.
    #[cold]
    #[inline(never)]
    fn fill(&mut self, slot: usize, seq: u64, pieces: Pieces<C>) {
        debug_assert_eq!(slot, self.slots.len());
        self.slots.push(Entry {
            seq,
            pieces,
            timed: false,
        });
    }

    /// Stores the checkpoint of the rollback at `slot`. Out of line and
    /// cold, like `push_times`: a move by an event never gets here.
    #[cold]
    #[inline(never)]
    fn push_checkpoint(&mut self, slot: usize, checkpoint: u64) {
        if let Some(stored) = beside(&mut self.checkpoints, self.slots.capacity(), slot, 0) {
            *stored = checkpoint;
        }
    }

    /// Stores the clock fields of the record at `slot` and marks the slot
    /// timed. Out of line and cold: only machines that read the clock get
    /// here, and such a move costs tens of nanoseconds anyway; marked cold,
    /// the call no longer makes a plain move keep its values on the stack.
    #[cold]
    #[inline(never)]
    fn push_times(&mut self, slot: usize, times: Times) {
        let room = self.slots.capacity();
        let stored = beside(&mut self.times, room, slot, (None, None));
        if let (Some(entry), Some(stored)) = (self.slots.get_mut(slot), stored) {
            entry.timed = true;
            *stored = times;
        }
    }

    /// The record in `slot`.
    fn record(&self, slot: usize) -> Option<MoveRecord<C>> {
        let entry = self.slots.get(slot)?;
        let times = self
            .times
            .as_ref()
            .filter(|_| entry.timed)
            .and_then(|times| times.get(slot).copied())
            .unwrap_or((None, None));
        // Only a rollback (no event) has a checkpoint.
        let checkpoint = self
            .checkpoints
            .as_ref()
            .filter(|_| entry.pieces.event.is_none())
            .and_then(|all| all.get(slot).copied())
            .unwrap_or(0);
        Some(entry.pieces.join(entry.seq, checkpoint, times))
    }
}

/// The place of `slot` in a side array of the ring (clock fields,
/// checkpoints): allocated with room for `room` by the first record that
/// needs it, and grown with `blank` up to `slot`.
fn beside<T: Copy>(
    side: &mut Option<Vec<T>>,
    room: usize,
    slot: usize,
    blank: T,
) -> Option<&mut T> {
    let all = side.get_or_insert_with(|| Vec::with_capacity(room));
    if all.len() <= slot {
        all.resize(slot + 1, blank);
    }
    all.get_mut(slot)
}

impl<C: Component> Clone for History<C> {
    fn clone(&self) -> Self {
        let room = self.ring.as_ref().map_or(0, |r| r.slots.capacity());
        let mut copy = History::with_room(self.capacity(), room);
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
    /// The slot of the oldest live record.
    start: usize,
    /// Positions (0 = oldest) of the next record from the front and one past
    /// the next from the back.
    front: usize,
    back: usize,
}

impl<C: Component> Iter<'_, C> {
    /// The record at `position` (0 = oldest).
    fn at(&self, position: usize) -> Option<MoveRecord<C>> {
        let ring = self.ring?;
        let slot = (self.start + position) & ring.mask;
        ring.record(slot)
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
