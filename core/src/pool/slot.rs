//! The accounting of each resource kind, shared by the pool and its channels.

use crate::loom::{Arc, AtomicU64, Mutex, Ordering};

use super::cell::{ask_back, CacheCell};
use super::error::PoolError;
use super::kind::ResourceKind;
use super::report::KindUsage;

/// The accounting of one resource kind, shared by the pool and its channels.
#[derive(Debug)]
pub(crate) struct KindSlot {
    pub(super) kind: ResourceKind,
    pub(super) capacity: u64,
    pub(super) in_use: AtomicU64,
    pub(super) peak: AtomicU64,
    pub(super) refused: AtomicU64,
    /// Every cache keeping idle units of this kind, on any channel.
    pub(super) caches: Mutex<Vec<Arc<CacheCell>>>,
}

impl KindSlot {
    /// Idle units of this kind kept by caches (reserved, not in use).
    pub(super) fn cached(&self) -> u64 {
        self.caches.lock().iter().map(|cell| cell.idle()).sum()
    }

    /// Asks every cache keeping idle units of this kind to give them back;
    /// whether any was asked.
    pub(super) fn ask_caches(&self) -> bool {
        ask_back(self.caches.lock().iter(), |_| true)
    }

    pub(super) fn add_cache(&self, cell: Arc<CacheCell>) {
        self.caches.lock().push(cell);
    }

    pub(super) fn remove_cache(&self, cell: &Arc<CacheCell>) {
        self.caches.lock().retain(|c| !Arc::ptr_eq(c, cell));
    }

    /// Counts a request refused for capacity.
    pub(super) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Units reserved now, less the idle units caches keep.
    pub(super) fn in_use(&self) -> u64 {
        let reserved = self.in_use.load(Ordering::Acquire);
        reserved.saturating_sub(self.cached())
    }

    /// Reserves `units` if they fit under the capacity.
    pub(super) fn reserve(&self, units: u64) -> Result<(), PoolError> {
        let mut current = self.in_use.load(Ordering::Relaxed);
        loop {
            let next = match current.checked_add(units) {
                Some(next) if next <= self.capacity => next,
                _ => {
                    return Err(PoolError::Exhausted {
                        kind: self.kind,
                        requested: units,
                        available: self.capacity.saturating_sub(current),
                        capacity: self.capacity,
                    });
                }
            };
            match self.in_use.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    if next > self.peak.load(Ordering::Relaxed) {
                        self.peak.fetch_max(next, Ordering::Relaxed);
                    }
                    return Ok(());
                }
                Err(seen) => current = seen,
            }
        }
    }

    /// Gives back `units` reserved earlier.
    pub(super) fn release(&self, units: u64) {
        self.in_use.fetch_sub(units, Ordering::AcqRel);
    }

    pub(super) fn usage(&self) -> KindUsage {
        let cached = self.cached();
        KindUsage {
            kind: self.kind,
            capacity: self.capacity,
            in_use: self.in_use.load(Ordering::Acquire).saturating_sub(cached),
            cached,
            peak: self.peak.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }
}

/// The kinds of a pool, in the order their capacities were given.
pub(crate) type Kinds = Arc<[KindSlot]>;

/// Finds the index of `kind` (pools have a handful of kinds: a scan is fastest).
pub(crate) fn kind_index(kinds: &[KindSlot], kind: ResourceKind) -> Result<usize, PoolError> {
    kinds
        .iter()
        .position(|slot| slot.kind == kind)
        .ok_or(PoolError::UnknownKind { kind })
}
