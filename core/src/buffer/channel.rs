//! One channel's buffers: the pool account the bytes are drawn from, the
//! released buffers that hold no reservation, the counters, and the loan
//! each buffer travels in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::error::BufferError;
use super::stats::BufferStats;
use crate::pool::{CachedAccount, ChannelId, PoolChannel, SharedCell};

/// What one thread's cache of one channel publishes: its idle units (in
/// the pool's cache cell) and its counters. One writer, the owning
/// thread, with plain stores; read by [`ChannelBuffers::stats`].
#[derive(Debug)]
pub(crate) struct ThreadCounters {
    pub(crate) cell: SharedCell,
    /// Cached buffers handed out (each one a recycled buffer).
    pub(crate) acquired: AtomicU64,
}

/// The bytes of one buffer, and while they are charged, their channel: one
/// allocation that the [`Buffer`](super::Buffer), the threads' caches and
/// the channel's list of released buffers hand on as one pointer. A release
/// or a cache hit moves one word, never the `Vec`'s three (which, stored in
/// pieces and reloaded whole, stalled the hot path), and a cached loan
/// keeps its channel handle, so no reference count moves either.
pub(crate) struct Loan {
    pub(crate) bytes: Vec<u8>,
    /// The most bytes the buffer holds: its channel's buffer size (kept
    /// here, one hop nearer than the channel).
    pub(crate) size: usize,
    /// `Some` while the bytes are charged to the channel: lent out, or
    /// idle in a thread's cache. `None` in the channel's own list of
    /// released buffers, which must not hold a handle to the channel.
    pub(crate) channel: Option<Arc<ChannelBuffers>>,
}

impl Loan {
    /// Fresh bytes of `size`, not yet charged; `None` if the allocator
    /// refused them.
    pub(crate) fn allocate(size: usize) -> Option<Box<Loan>> {
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(size).ok()?;
        Some(Box::new(Loan {
            bytes,
            size,
            channel: None,
        }))
    }
}

impl std::fmt::Debug for Loan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loan")
            .field("len", &self.bytes.len())
            .field("size", &self.size)
            .field("charged", &self.channel.is_some())
            .finish()
    }
}

/// The channel's shared state, behind one lock taken only off the hot path.
#[derive(Debug, Default)]
struct Local {
    /// Released buffers holding no reservation (nor a channel handle).
    #[allow(
        clippy::vec_box,
        reason = "each box is a `Buffer` handed out or back as one pointer"
    )]
    idle: Vec<Box<Loan>>,
    /// Buffers holding a reservation: in use, or idle in a thread's cache.
    reserved: u64,
    peak: u64,
    allocated: u64,
    /// Acquires counted here: the slow path's, and those of exited threads.
    acquired: u64,
    recycled: u64,
    /// The live threads' caches of this channel.
    threads: Vec<Arc<ThreadCounters>>,
}

/// The per-channel half of the manager.
#[derive(Debug)]
pub(crate) struct ChannelBuffers {
    account: CachedAccount,
    id: ChannelId,
    size: usize,
    /// Idle buffers each thread may keep (0: no thread cache).
    bound: usize,
    local: Mutex<Local>,
}

impl ChannelBuffers {
    pub(crate) fn new(pool: PoolChannel, kind: usize, size: usize, bound: usize) -> Self {
        ChannelBuffers {
            id: pool.id(),
            account: CachedAccount::open(pool, kind, "buffer"),
            size,
            bound,
            local: Mutex::default(),
        }
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn bound(&self) -> usize {
        self.bound
    }

    pub(crate) fn id(&self) -> ChannelId {
        self.id
    }

    pub(crate) fn name(&self) -> &str {
        self.account.channel().name()
    }

    /// A buffer's bytes through the pool, charged to this channel:
    /// reserves them (the pool asks caches back and retries once if
    /// refused), then reuses a released buffer or allocates one.
    pub(crate) fn acquire_slow(self: &Arc<Self>) -> Result<Box<Loan>, BufferError> {
        self.account.reserve(self.size as u64)?;
        let (reused, peak_before) = {
            let mut local = self.local.lock();
            let peak_before = local.peak;
            local.reserved += 1;
            local.peak = local.peak.max(local.reserved);
            local.acquired += 1;
            let reused = local.idle.pop();
            match reused {
                Some(_) => local.recycled += 1,
                None => local.allocated += 1,
            }
            (reused, peak_before)
        };
        // Allocate (first use only) outside the lock.
        let mut loan = match reused.or_else(|| Loan::allocate(self.size)) {
            Some(loan) => loan,
            None => {
                // Undo: nothing stays reserved or counted.
                {
                    let mut local = self.local.lock();
                    local.reserved -= 1;
                    local.acquired -= 1;
                    local.allocated -= 1;
                    // Every count since ours included this reservation, so
                    // a peak raised since was one too high.
                    if local.peak > peak_before {
                        local.peak = peak_before.max(local.peak - 1);
                    }
                }
                self.account.release(self.size as u64);
                return Err(BufferError::OutOfMemory { size: self.size });
            }
        };
        loan.channel = Some(Arc::clone(self));
        Ok(loan)
    }

    /// Takes buffers back into the shared list (cleared, without their
    /// channel handles) and their bytes back to the pool.
    pub(crate) fn release_slow(&self, loans: impl IntoIterator<Item = Box<Loan>>) {
        let count = {
            let mut local = self.local.lock();
            let before = local.idle.len();
            // Dropping a handle here never drops the channel: the caller
            // holds one too.
            local.idle.extend(loans.into_iter().map(|mut loan| {
                loan.bytes.clear();
                loan.channel = None;
                loan
            }));
            let count = local.idle.len() - before;
            local.reserved -= count as u64;
            count
        };
        if count > 0 {
            self.account.release((count * self.size) as u64);
        }
    }

    /// Registers a thread's cache of this channel.
    pub(crate) fn register_thread(&self) -> Arc<ThreadCounters> {
        let counters = Arc::new(ThreadCounters {
            cell: self.account.register(),
            acquired: AtomicU64::new(0),
        });
        self.local.lock().threads.push(Arc::clone(&counters));
        counters
    }

    /// Forgets a thread's cache (emptied already), keeping its counts.
    pub(crate) fn unregister_thread(&self, counters: &Arc<ThreadCounters>) {
        {
            let mut local = self.local.lock();
            let acquired = counters.acquired.load(Ordering::Acquire);
            local.acquired += acquired;
            local.recycled += acquired;
            local.threads.retain(|t| !Arc::ptr_eq(t, counters));
        }
        self.account.unregister(&counters.cell);
    }

    /// Asks every thread's cache of this channel to give back.
    pub(crate) fn ask_back(&self) {
        self.account.ask_back();
    }

    pub(crate) fn stats(&self) -> BufferStats {
        let local = self.local.lock();
        let size = self.size as u64;
        let (mut acquired, mut recycled, mut cached) = (local.acquired, local.recycled, 0);
        for thread in &local.threads {
            let from_cache = thread.acquired.load(Ordering::Acquire);
            acquired += from_cache;
            recycled += from_cache;
            cached += thread.cell.idle() / size;
        }
        BufferStats {
            in_use: local.reserved.saturating_sub(cached),
            cached,
            peak: local.peak,
            acquired,
            recycled,
        }
    }

    /// Released buffers holding no reservation, and allocations made.
    pub(crate) fn idle_and_allocated(&self) -> (usize, u64) {
        let local = self.local.lock();
        (local.idle.len(), local.allocated)
    }
}
