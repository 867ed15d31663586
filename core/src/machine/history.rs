//! A bounded ring of the latest move records.

use std::collections::VecDeque;

use super::record::MoveRecord;
use crate::component::Component;

/// The latest moves of a machine, oldest first, at most
/// [`capacity`](History::capacity) of them.
///
/// The ring is allocated once, when history is turned on; recording a move
/// never allocates: once full, the oldest record makes room for the newest.
/// A capacity of 0 means history is off.
pub struct History<C: Component> {
    // Boxed so that a machine without history holds no collection inline
    // (the plain move then keeps the machine in registers).
    records: Option<Box<VecDeque<MoveRecord<C>>>>,
    capacity: usize,
}

impl<C: Component> History<C> {
    /// An empty ring that keeps at most `capacity` records.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        History {
            records: (capacity != 0).then(|| Box::new(VecDeque::with_capacity(capacity))),
            capacity,
        }
    }

    /// Whether moves are recorded at all.
    #[inline]
    pub fn is_enabled(&self) -> bool {
        self.capacity != 0
    }

    /// The most records the ring keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many records the ring holds now.
    pub fn len(&self) -> usize {
        self.records.as_ref().map_or(0, |r| r.len())
    }

    /// Whether the ring holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records, oldest first.
    pub fn iter(&self) -> Iter<'_, C> {
        Iter {
            inner: self.records.as_ref().map(|r| r.iter()),
        }
    }

    /// The newest record.
    pub fn last(&self) -> Option<&MoveRecord<C>> {
        self.records.as_ref().and_then(|r| r.back())
    }

    /// Records `record`, dropping the oldest when the ring is full.
    #[inline]
    pub(crate) fn push(&mut self, record: MoveRecord<C>) {
        if let Some(records) = &mut self.records {
            if records.len() == self.capacity {
                records.pop_front();
            }
            records.push_back(record);
        }
    }
}

impl<C: Component> Clone for History<C> {
    fn clone(&self) -> Self {
        let mut copy = History::with_capacity(self.capacity);
        for record in self.iter() {
            copy.push(*record);
        }
        copy
    }
}

impl<C: Component> core::fmt::Debug for History<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("History")
            .field("capacity", &self.capacity)
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
    inner: Option<std::collections::vec_deque::Iter<'a, MoveRecord<C>>>,
}

impl<'a, C: Component> Iterator for Iter<'a, C> {
    type Item = &'a MoveRecord<C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.as_mut()?.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.as_ref().map_or((0, Some(0)), |i| i.size_hint())
    }
}

impl<C: Component> DoubleEndedIterator for Iter<'_, C> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.as_mut()?.next_back()
    }
}

impl<C: Component> ExactSizeIterator for Iter<'_, C> {}
