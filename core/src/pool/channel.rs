//! Channels: the named accounts through which components draw resources.

use crate::loom::Arc;

use super::books::ChannelSlot;
use super::error::PoolError;
use super::id::ChannelId;
use super::kind::ResourceKind;
use super::lease::Lease;
use super::report::LeakReport;
use super::slot::{kind_index, Kinds};

/// Per-kind limits of one channel. A kind without a limit may use up to the
/// pool's capacity.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Quotas {
    limits: Vec<(ResourceKind, u64)>,
}

impl Quotas {
    /// No limits beyond the pool's capacities.
    pub fn new() -> Self {
        Quotas::default()
    }

    /// Limits the channel to `units` of `kind` at a time (a later limit for
    /// the same kind replaces an earlier one).
    pub fn limit(mut self, kind: ResourceKind, units: u64) -> Self {
        self.limits.retain(|(k, _)| *k != kind);
        self.limits.push((kind, units));
        self
    }

    /// The limit per kind index of `kinds`.
    pub(crate) fn resolve(&self, kinds: &Kinds) -> Result<Box<[Option<u64>]>, PoolError> {
        let mut resolved = vec![None; kinds.len()].into_boxed_slice();
        for (kind, units) in &self.limits {
            resolved[kind_index(kinds, *kind)?] = Some(*units);
        }
        Ok(resolved)
    }
}

/// A handle on one channel of a pool: requests resources without looking the
/// channel up. Clones share the channel.
#[derive(Debug, Clone)]
pub struct PoolChannel {
    slot: Arc<ChannelSlot>,
}

impl PoolChannel {
    pub(crate) fn new(slot: Arc<ChannelSlot>) -> Self {
        PoolChannel { slot }
    }

    pub(crate) fn slot(&self) -> &ChannelSlot {
        &self.slot
    }

    /// The channel's id.
    pub fn id(&self) -> ChannelId {
        self.slot.id()
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        self.slot.name()
    }

    /// Whether the channel still hands out resources.
    pub fn is_open(&self) -> bool {
        self.slot.is_open()
    }

    /// Leases `units` of `kind`; `purpose` names the lease in leak reports.
    pub fn acquire(
        &self,
        kind: ResourceKind,
        units: u64,
        purpose: &'static str,
    ) -> Result<Lease, PoolError> {
        let index = self.slot.kind_index(kind)?;
        self.acquire_indexed(index, units, purpose)
    }

    /// [`acquire`](Self::acquire) with the kind already looked up.
    pub(crate) fn acquire_indexed(
        &self,
        kind: usize,
        units: u64,
        purpose: &'static str,
    ) -> Result<Lease, PoolError> {
        let (key, id) = self.slot.reserve(kind, units, purpose)?;
        Ok(Lease::new(Arc::clone(&self.slot), key, id, kind, units))
    }

    /// Closes the channel and returns the leases it still holds (units idle
    /// in buffer caches are listed apart: their owners give them back on
    /// their next use or when their thread exits).
    pub fn close(&self) -> LeakReport {
        self.slot.close();
        self.slot.outstanding()
    }
}
