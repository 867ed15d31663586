//! Channels: the named accounts through which components draw resources,
//! and the leases they hand out (units held until dropped).

use core::fmt;

use slab::Slab;

use crate::loom::{Arc, Mutex};

use super::error::PoolError;
use super::id::ChannelId;
use super::kind::ResourceKind;
use super::report::{ChannelUsage, LeakReport, LeakedLease};
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
