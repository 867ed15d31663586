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
    records: VecDeque<MoveRecord<C>>,
    capacity: usize,
}

impl<C: Component> History<C> {
    /// An empty ring that keeps at most `capacity` records.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        History {
            records: VecDeque::with_capacity(capacity),
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
        self.records.len()
    }

    /// Whether the ring holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &MoveRecord<C>> + ExactSizeIterator {
        self.records.iter()
    }

    /// The newest record.
    pub fn last(&self) -> Option<&MoveRecord<C>> {
        self.records.back()
    }

    /// Records `record`, dropping the oldest when the ring is full.
    #[inline]
    pub(crate) fn push(&mut self, record: MoveRecord<C>) {
        if self.capacity == 0 {
            return;
        }
        if self.records.len() == self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(record);
    }
}

impl<C: Component> Clone for History<C> {
    fn clone(&self) -> Self {
        let mut copy = History::with_capacity(self.capacity);
        copy.records.extend(self.records.iter().copied());
        copy
    }
}

impl<C: Component> core::fmt::Debug for History<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("History")
            .field("capacity", &self.capacity)
            .field("records", &self.records)
            .finish()
    }
}

impl<'a, C: Component> IntoIterator for &'a History<C> {
    type Item = &'a MoveRecord<C>;
    type IntoIter = std::collections::vec_deque::Iter<'a, MoveRecord<C>>;

    fn into_iter(self) -> Self::IntoIter {
        self.records.iter()
    }
}
