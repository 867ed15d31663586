//! What a cache of reserved units publishes to the pool (see
//! [`CachedAccount`](super::cache::CachedAccount)), and the hook a refused
//! request runs to empty the calling thread's caches.

use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use crate::loom::{Arc, AtomicU64};

/// Asked to give the cached units back (cleared by the owner once it did).
const RECLAIM: u64 = 1;
/// The channel was closed: every cached unit goes back, nothing is cached.
const CLOSED: u64 = 2;

/// A shared [`CacheCell`] (loom's `Arc` under the model checker).
pub(crate) type SharedCell = Arc<CacheCell>;

/// One cache's published state: its idle units of one kind on one channel,
/// and the requests addressed to it.
#[derive(Debug)]
pub(crate) struct CacheCell {
    kind: usize,
    /// The account record holding the reservation.
    key: usize,
    /// Idle units (written by the owning thread only, with plain stores).
    idle: AtomicU64,
    /// [`RECLAIM`] and [`CLOSED`] (set by others, read by the owner).
    signal: AtomicU64,
}

impl CacheCell {
    pub(super) fn new(kind: usize, key: usize) -> Self {
        CacheCell {
            kind,
            key,
            idle: AtomicU64::new(0),
            signal: AtomicU64::new(0),
        }
    }

    pub(super) fn kind(&self) -> usize {
        self.kind
    }

    pub(super) fn key(&self) -> usize {
        self.key
    }

    /// The idle units last published.
    pub(crate) fn idle(&self) -> u64 {
        self.idle.load(Ordering::Acquire)
    }

    /// Publishes the owner's idle units (a plain store: one writer).
    #[inline]
    pub(crate) fn publish_idle(&self, units: u64) {
        self.idle.store(units, Ordering::Release);
    }

    /// Whether the owner must give its idle units back before caching more
    /// (a plain load).
    #[inline]
    pub(crate) fn asked(&self) -> bool {
        self.signal.load(Ordering::Relaxed) != 0
    }

    /// Clears a give-back request; the owner then gives everything back.
    pub(crate) fn take_request(&self) {
        self.signal.fetch_and(!RECLAIM, Ordering::AcqRel);
    }

    pub(super) fn ask(&self) {
        self.signal.fetch_or(RECLAIM, Ordering::AcqRel);
    }

    pub(super) fn close(&self) {
        self.signal.fetch_or(CLOSED, Ordering::AcqRel);
    }
}

/// Gives back every idle reservation the *calling* thread's caches hold.
static LOCAL_RECLAIM: OnceLock<fn()> = OnceLock::new();

/// Installs the function a refused request calls to empty the calling
/// thread's caches before it retries (the buffer manager's).
pub(crate) fn set_local_reclaim(hook: fn()) {
    let _ = LOCAL_RECLAIM.set(hook);
}

/// Runs the installed hook, if any.
pub(super) fn reclaim_local() {
    if let Some(hook) = LOCAL_RECLAIM.get() {
        hook();
    }
}

/// Asks each of `cells` that keeps idle units and passes `filter` to give
/// them back; whether any was asked.
pub(super) fn ask_back<'a>(
    cells: impl Iterator<Item = &'a Arc<CacheCell>>,
    filter: impl Fn(&CacheCell) -> bool,
) -> bool {
    let mut asked = false;
    for cell in cells.filter(|cell| cell.idle() > 0 && filter(cell)) {
        cell.ask();
        asked = true;
    }
    asked
}
