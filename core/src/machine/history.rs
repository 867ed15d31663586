//! A bounded ring of the latest move records.

use super::record::{Cause, MoveRecord};
use crate::component::Component;

/// The latest moves of a machine, oldest first, at most
/// [`capacity`](History::capacity) of them.
///
/// The ring is allocated once, when history is turned on; recording a move
/// never allocates: once full, the newest record overwrites the oldest.
/// A capacity of 0 means history is off.
pub struct History<C: Component> {
    // Boxed so that a machine without history holds no collection inline
    // (a plain move then keeps the whole machine in registers).
    ring: Option<Box<Ring<C>>>,
}

/// The storage of an enabled history: `records[head..]` then
/// `records[..head]` are the records oldest first.
struct Ring<C: Component> {
    records: Vec<MoveRecord<C>>,
    head: usize,
    capacity: usize,
}

impl<C: Component> History<C> {
    /// An empty ring that keeps at most `capacity` records.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        History {
            ring: (capacity != 0).then(|| {
                Box::new(Ring {
                    records: Vec::with_capacity(capacity),
                    head: 0,
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
        self.ring.as_ref().map_or(0, |r| r.records.len())
    }

    /// Whether the ring holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records, oldest first.
    pub fn iter(&self) -> Iter<'_, C> {
        match &self.ring {
            Some(ring) => {
                let (newer, older) = ring.records.split_at(ring.head);
                Iter {
                    first: older.iter(),
                    second: newer.iter(),
                }
            }
            None => Iter {
                first: [].iter(),
                second: [].iter(),
            },
        }
    }

    /// The newest record.
    pub fn last(&self) -> Option<&MoveRecord<C>> {
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
    #[inline]
    fn push(&mut self, record: MoveRecord<C>) {
        if self.records.len() < self.capacity {
            self.records.push(record);
            return;
        }
        let head = self.head;
        self.head = if head + 1 == self.capacity {
            0
        } else {
            head + 1
        };
        if let Some(slot) = self.records.get_mut(head) {
            // Field by field, and the cause by variant: a whole-record (or
            // whole-enum) copy reads freshly written bytes back with wider
            // loads than they were stored with, which stalls the CPU on
            // every move.
            slot.seq = record.seq;
            slot.from = record.from;
            slot.cause = match record.cause {
                Cause::Event(event) => Cause::Event(event),
                Cause::Rollback { checkpoint } => Cause::Rollback { checkpoint },
            };
            slot.to = record.to;
            slot.at = record.at;
            slot.took = record.took;
        }
    }
}

impl<C: Component> Clone for History<C> {
    fn clone(&self) -> Self {
        let mut copy = History::with_capacity(self.capacity());
        for record in self.iter() {
            copy.push(*record);
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
    type Item = &'a MoveRecord<C>;
    type IntoIter = Iter<'a, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The records of a [`History`], oldest first.
pub struct Iter<'a, C: Component> {
    first: core::slice::Iter<'a, MoveRecord<C>>,
    second: core::slice::Iter<'a, MoveRecord<C>>,
}

impl<'a, C: Component> Iterator for Iter<'a, C> {
    type Item = &'a MoveRecord<C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.first.next().or_else(|| self.second.next())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.first.len() + self.second.len();
        (len, Some(len))
    }
}

impl<C: Component> DoubleEndedIterator for Iter<'_, C> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.second.next_back().or_else(|| self.first.next_back())
    }
}

impl<C: Component> ExactSizeIterator for Iter<'_, C> {}
