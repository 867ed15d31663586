//! Channels: the named accounts through which components draw resources.

use core::fmt;

use slab::Slab;

use crate::loom::{Arc, Mutex};

use super::report::{ChannelUsage, LeakReport, LeakedLease};
use super::{kind_index, Kinds, Lease, PoolError, ResourceKind};

/// Identifies a channel of one [`ResourcePool`](crate::pool::ResourcePool).
///
/// It carries its pool's owner tag: another pool (and a
/// [`BufferManager`](crate::buffer::BufferManager) of another pool) refuses
/// it with [`PoolError::ForeignChannel`] instead of charging a channel of its
/// own that happens to have the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId {
    owner: u64,
    index: usize,
}

impl ChannelId {
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

/// What a lease is, recorded while it is alive (so leaks can be named).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeaseRecord {
    id: u64,
    kind: usize,
    units: u64,
    purpose: &'static str,
}

/// The mutable state of a channel, behind one lock.
#[derive(Debug)]
struct ChannelState {
    open: bool,
    used: Box<[u64]>,
    leases: Slab<LeaseRecord>,
    next_lease: u64,
}

/// One channel's account.
#[derive(Debug)]
pub(crate) struct ChannelSlot {
    id: ChannelId,
    name: String,
    quotas: Box<[Option<u64>]>,
    kinds: Kinds,
    state: Mutex<ChannelState>,
}

impl ChannelSlot {
    pub(crate) fn new(
        id: ChannelId,
        name: String,
        quotas: Box<[Option<u64>]>,
        kinds: Kinds,
    ) -> Self {
        let used = vec![0; kinds.len()].into_boxed_slice();
        ChannelSlot {
            id,
            name,
            quotas,
            kinds,
            state: Mutex::new(ChannelState {
                open: true,
                used,
                leases: Slab::new(),
                next_lease: 0,
            }),
        }
    }

    pub(crate) fn id(&self) -> ChannelId {
        self.id
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn is_open(&self) -> bool {
        self.state.lock().open
    }

    pub(crate) fn used(&self, kind: usize) -> u64 {
        self.state.lock().used[kind]
    }

    pub(crate) fn kind(&self, index: usize) -> ResourceKind {
        self.kinds[index].kind
    }

    pub(crate) fn kind_index(&self, kind: ResourceKind) -> Result<usize, PoolError> {
        kind_index(&self.kinds, kind)
    }

    /// Reserves `units` of kind `kind` for this channel: quota first, then
    /// the pool's capacity, then the record, all under the channel's lock.
    pub(crate) fn reserve(
        &self,
        kind: usize,
        units: u64,
        purpose: &'static str,
    ) -> Result<(usize, u64), PoolError> {
        let slot = &self.kinds[kind];
        if units == 0 {
            return Err(PoolError::ZeroUnits { kind: slot.kind });
        }
        let mut state = self.state.lock();
        if !state.open {
            return Err(PoolError::ChannelClosed {
                name: self.name.clone(),
            });
        }
        let used = state.used[kind];
        if let Some(quota) = self.quotas[kind] {
            if used.checked_add(units).is_none_or(|total| total > quota) {
                return Err(PoolError::OverQuota {
                    channel: self.name.clone(),
                    kind: slot.kind,
                    requested: units,
                    used,
                    quota,
                });
            }
        }
        slot.reserve(units)?;
        state.used[kind] = used + units;
        let id = state.next_lease;
        state.next_lease += 1;
        let key = state.leases.insert(LeaseRecord {
            id,
            kind,
            units,
            purpose,
        });
        Ok((key, id))
    }

    /// Gives back the units of the lease recorded under `key`.
    pub(crate) fn release(&self, key: usize) {
        let mut state = self.state.lock();
        if let Some(record) = state.leases.try_remove(key) {
            state.used[record.kind] -= record.units;
            drop(state);
            self.kinds[record.kind].release(record.units);
        }
    }

    /// The leases this channel still holds, as leak entries.
    pub(crate) fn outstanding(&self) -> LeakReport {
        let state = self.state.lock();
        let mut leaks: Vec<LeakedLease> = state
            .leases
            .iter()
            .map(|(_, record)| LeakedLease {
                channel: self.id,
                channel_name: self.name.clone(),
                lease: record.id,
                kind: self.kinds[record.kind].kind,
                units: record.units,
                purpose: record.purpose,
            })
            .collect();
        leaks.sort_by_key(|leak| leak.lease);
        LeakReport { leaks }
    }

    pub(crate) fn usage(&self) -> ChannelUsage {
        let state = self.state.lock();
        ChannelUsage {
            channel: self.id,
            name: self.name.clone(),
            open: state.open,
            leases: state.leases.len(),
            used: self
                .kinds
                .iter()
                .zip(state.used.iter())
                .zip(self.quotas.iter())
                .map(|((slot, used), quota)| (slot.kind, *used, *quota))
                .collect(),
        }
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
        self.slot.id
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.slot.name
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

    /// Closes the channel and returns the leases it still holds.
    pub fn close(&self) -> LeakReport {
        self.slot.state.lock().open = false;
        self.slot.outstanding()
    }
}
