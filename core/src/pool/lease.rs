//! Leases: units of one kind held by one channel until dropped.

use core::fmt;

use crate::loom::Arc;

use super::books::ChannelSlot;
use super::id::ChannelId;
use super::kind::ResourceKind;

/// Units of one resource kind held by one channel. Dropping the lease gives
/// the units back to the pool, even after the channel was closed.
#[must_use = "dropping a lease gives its units back at once"]
pub struct Lease {
    channel: Arc<ChannelSlot>,
    key: usize,
    id: u64,
    kind: usize,
    units: u64,
}

impl Lease {
    pub(crate) fn new(
        channel: Arc<ChannelSlot>,
        key: usize,
        id: u64,
        kind: usize,
        units: u64,
    ) -> Self {
        Lease {
            channel,
            key,
            id,
            kind,
            units,
        }
    }

    /// The channel holding the lease.
    pub fn channel(&self) -> ChannelId {
        self.channel.id()
    }

    /// The lease's number within its channel (as named in leak reports).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The kind of resource held.
    pub fn kind(&self) -> ResourceKind {
        self.channel.kind(self.kind)
    }

    /// The units held.
    pub fn units(&self) -> u64 {
        self.units
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.channel.release(self.key);
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("channel", &self.channel.name())
            .field("id", &self.id)
            .field("kind", &self.kind())
            .field("units", &self.units)
            .finish()
    }
}
