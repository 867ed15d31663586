//! One channel's books: units reserved per kind, the lease records, and
//! the caches keeping part of them idle, behind one lock.

use slab::Slab;

use crate::loom::{Arc, Mutex};

use super::cell::{ask_back, reclaim_local, CacheCell};
use super::error::PoolError;
use super::id::ChannelId;
use super::kind::ResourceKind;
use super::report::{CachedUnits, ChannelUsage, LeakReport, LeakedLease};
use super::slot::{kind_index, Kinds};

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
    /// Units reserved per kind (in use, or idle in a cache).
    used: Box<[u64]>,
    leases: Slab<LeaseRecord>,
    next_lease: u64,
    /// The caches keeping idle units of this channel's accounts.
    caches: Vec<Arc<CacheCell>>,
}

impl ChannelState {
    /// Idle units of `kind` the caches of this channel keep.
    fn cached(&self, kind: usize) -> u64 {
        self.caches
            .iter()
            .filter(|cell| cell.kind() == kind)
            .map(|cell| cell.idle())
            .sum()
    }

    /// The units of the record under `key` that are in use (not idle in a cache).
    fn in_use(&self, key: usize, record: &LeaseRecord) -> u64 {
        let cached: u64 = self
            .caches
            .iter()
            .filter(|cell| cell.key() == key)
            .map(|cell| cell.idle())
            .sum();
        record.units.saturating_sub(cached)
    }
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
                caches: Vec::new(),
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

    /// Units of `kind` in use: reserved, less what caches keep idle.
    pub(crate) fn used(&self, kind: usize) -> u64 {
        let state = self.state.lock();
        state.used[kind].saturating_sub(state.cached(kind))
    }

    pub(crate) fn kind(&self, index: usize) -> ResourceKind {
        self.kinds[index].kind
    }

    pub(crate) fn kind_index(&self, kind: ResourceKind) -> Result<usize, PoolError> {
        kind_index(&self.kinds, kind)
    }

    /// Takes `units` of `kind` for this channel under `state`'s lock: open
    /// channel first, then the quota, then the pool's capacity.
    fn admit(&self, state: &mut ChannelState, kind: usize, units: u64) -> Result<(), PoolError> {
        let slot = &self.kinds[kind];
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
                    used: used.saturating_sub(state.cached(kind)),
                    quota,
                });
            }
        }
        slot.reserve(units)?;
        state.used[kind] = used + units;
        Ok(())
    }

    /// Runs `attempt`; if the pool's capacity or the channel's quota refused
    /// it while caches keep idle units that would fit, asks them back (the
    /// calling thread's at once, the others' on their next use) and retries
    /// once.
    fn with_reclaim<T>(
        &self,
        kind: usize,
        attempt: impl Fn() -> Result<T, PoolError>,
    ) -> Result<T, PoolError> {
        let result = match attempt() {
            Err(refusal @ (PoolError::Exhausted { .. } | PoolError::OverQuota { .. })) => {
                let asked = match refusal {
                    PoolError::OverQuota { .. } => {
                        ask_back(self.state.lock().caches.iter(), |c| c.kind() == kind)
                    }
                    _ => self.kinds[kind].ask_caches(),
                };
                if asked {
                    reclaim_local();
                    attempt()
                } else {
                    Err(refusal)
                }
            }
            other => other,
        };
        if let Err(PoolError::Exhausted { .. }) = result {
            self.kinds[kind].refused();
        }
        result
    }

    /// Reserves `units` of kind `kind` for this channel: quota first, then
    /// the pool's capacity, then the record, all under the channel's lock.
    pub(crate) fn reserve(
        &self,
        kind: usize,
        units: u64,
        purpose: &'static str,
    ) -> Result<(usize, u64), PoolError> {
        if units == 0 {
            return Err(PoolError::ZeroUnits {
                kind: self.kinds[kind].kind,
            });
        }
        self.with_reclaim(kind, || {
            let mut state = self.state.lock();
            self.admit(&mut state, kind, units)?;
            let id = state.next_lease;
            state.next_lease += 1;
            let key = state.leases.insert(LeaseRecord {
                id,
                kind,
                units,
                purpose,
            });
            Ok((key, id))
        })
    }

    /// Opens an empty record whose units grow and shrink (a cached account).
    pub(crate) fn open_account(&self, kind: usize, purpose: &'static str) -> usize {
        let mut state = self.state.lock();
        let id = state.next_lease;
        state.next_lease += 1;
        state.leases.insert(LeaseRecord {
            id,
            kind,
            units: 0,
            purpose,
        })
    }

    /// Adds `units` to the account record under `key`.
    pub(crate) fn grow(&self, key: usize, kind: usize, units: u64) -> Result<(), PoolError> {
        if units == 0 {
            return Err(PoolError::ZeroUnits {
                kind: self.kinds[kind].kind,
            });
        }
        self.with_reclaim(kind, || {
            let mut state = self.state.lock();
            self.admit(&mut state, kind, units)?;
            if let Some(record) = state.leases.get_mut(key) {
                record.units += units;
            }
            Ok(())
        })
    }

    /// Takes `units` off the account record under `key`.
    pub(crate) fn shrink(&self, key: usize, units: u64) {
        let mut state = self.state.lock();
        if let Some(record) = state.leases.get_mut(key) {
            let units = units.min(record.units);
            record.units -= units;
            let kind = record.kind;
            state.used[kind] -= units;
            drop(state);
            self.kinds[kind].release(units);
        }
    }

    /// Registers a cache of the account under `key` (closed at once if the
    /// channel is).
    pub(crate) fn register(&self, key: usize, kind: usize) -> Arc<CacheCell> {
        let cell = Arc::new(CacheCell::new(kind, key));
        let mut state = self.state.lock();
        if !state.open {
            cell.close();
        }
        state.caches.push(Arc::clone(&cell));
        self.kinds[kind].add_cache(Arc::clone(&cell));
        cell
    }

    /// Forgets a cache.
    pub(crate) fn unregister(&self, cell: &Arc<CacheCell>) {
        let mut state = self.state.lock();
        state.caches.retain(|c| !Arc::ptr_eq(c, cell));
        self.kinds[cell.kind()].remove_cache(cell);
    }

    /// Asks every cache of the account under `key` to give back.
    pub(crate) fn ask_account(&self, key: usize) {
        let state = self.state.lock();
        for cell in state.caches.iter().filter(|cell| cell.key() == key) {
            cell.ask();
        }
    }

    /// Gives back the units of the lease recorded under `key`.
    pub(crate) fn release(&self, key: usize) {
        let mut state = self.state.lock();
        if let Some(record) = state.leases.try_remove(key) {
            state.used[record.kind] -= record.units;
            drop(state);
            if record.units > 0 {
                self.kinds[record.kind].release(record.units);
            }
        }
    }

    /// Closes the channel: nothing more is handed out, and every cache
    /// gives its idle units back (on its owner's next use).
    pub(crate) fn close(&self) {
        let mut state = self.state.lock();
        state.open = false;
        for cell in &state.caches {
            cell.close();
        }
    }

    /// The leases this channel still holds, as leak entries; units idle in
    /// caches are listed apart.
    pub(crate) fn outstanding(&self) -> LeakReport {
        let state = self.state.lock();
        let mut leaks: Vec<LeakedLease> = state
            .leases
            .iter()
            .filter_map(|(key, record)| {
                let units = state.in_use(key, record);
                (units > 0).then(|| LeakedLease {
                    channel: self.id,
                    channel_name: self.name.clone(),
                    lease: record.id,
                    kind: self.kinds[record.kind].kind,
                    units,
                    purpose: record.purpose,
                })
            })
            .collect();
        leaks.sort_by_key(|leak| leak.lease);
        let cached = (0..self.kinds.len())
            .map(|kind| (kind, state.cached(kind)))
            .filter(|(_, units)| *units > 0)
            .map(|(kind, units)| CachedUnits {
                channel: self.id,
                channel_name: self.name.clone(),
                kind: self.kinds[kind].kind,
                units,
            })
            .collect();
        LeakReport { leaks, cached }
    }

    pub(crate) fn usage(&self) -> ChannelUsage {
        let state = self.state.lock();
        let cached: Vec<u64> = (0..self.kinds.len()).map(|k| state.cached(k)).collect();
        ChannelUsage {
            channel: self.id,
            name: self.name.clone(),
            open: state.open,
            leases: state
                .leases
                .iter()
                .filter(|(key, record)| state.in_use(*key, record) > 0)
                .count(),
            used: self
                .kinds
                .iter()
                .zip(state.used.iter().zip(&cached))
                .zip(self.quotas.iter())
                .map(|((slot, (used, cached)), quota)| {
                    (slot.kind, used.saturating_sub(*cached), *quota)
                })
                .collect(),
            cached: self
                .kinds
                .iter()
                .zip(cached)
                .map(|(slot, cached)| (slot.kind, cached))
                .collect(),
        }
    }
}
