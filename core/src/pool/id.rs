//! Channel ids: which channel of which pool.

use core::fmt;

/// Identifies a channel of one [`ResourcePool`](crate::pool::ResourcePool).
///
/// It carries its pool's owner tag: another pool (and a
/// [`BufferManager`](crate::buffer::BufferManager) of another pool) refuses
/// it with [`PoolError::ForeignChannel`](super::PoolError::ForeignChannel) instead of charging a channel of its
/// own that happens to have the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId {
    owner: u64,
    index: usize,
}

impl ChannelId {
    /// An id no pool hands out (owners count up from 1).
    pub(crate) const DETACHED: ChannelId = ChannelId {
        owner: u64::MAX,
        index: usize::MAX,
    };

    pub(crate) fn new(owner: u64, index: usize) -> Self {
        ChannelId { owner, index }
    }

    pub(crate) fn owner(self) -> u64 {
        self.owner
    }

    pub(crate) fn index(self) -> usize {
        self.index
    }
}

impl fmt::Display for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index)
    }
}

/// Serialized as its index (the owner tag means nothing outside the process).
#[cfg(feature = "serde")]
impl serde::Serialize for ChannelId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct("ChannelId", &self.index)
    }
}
