//! One channel's buffers: the pool account the bytes are drawn from, the
//! released buffers that hold no reservation, and the counters.

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

/// The channel's shared state, behind one lock taken only off the hot path.
#[derive(Debug, Default)]
struct Local {
    /// Released buffers holding no reservation.
    idle: Vec<Vec<u8>>,
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

    /// A buffer's bytes through the pool: reserves them (the pool asks
    /// caches back and retries once if refused), then reuses a released
    /// buffer or allocates one.
    pub(crate) fn acquire_slow(&self) -> Result<Vec<u8>, BufferError> {
        self.account.reserve(self.size as u64)?;
        let reused = {
            let mut local = self.local.lock();
            local.reserved += 1;
            local.peak = local.peak.max(local.reserved);
            local.acquired += 1;
            let reused = local.idle.pop();
            match reused {
                Some(_) => local.recycled += 1,
                None => local.allocated += 1,
            }
            reused
        };
        // Allocate (first use only) outside the lock.
        let bytes = match reused {
            Some(bytes) => bytes,
            None => {
                let mut bytes = Vec::new();
                if bytes.try_reserve_exact(self.size).is_err() {
                    // Undo: nothing stays reserved or counted.
                    {
                        let mut local = self.local.lock();
                        local.reserved -= 1;
                        local.acquired -= 1;
                        local.allocated -= 1;
                    }
                    self.account.release(self.size as u64);
                    return Err(BufferError::OutOfMemory { size: self.size });
                }
                bytes
            }
        };
        Ok(bytes)
    }

    /// Takes buffers back into the shared list and their bytes back to the
    /// pool.
    pub(crate) fn release_slow(&self, buffers: impl IntoIterator<Item = Vec<u8>>) {
        let count = {
            let mut local = self.local.lock();
            let before = local.idle.len();
            local.idle.extend(buffers.into_iter().map(|mut bytes| {
                bytes.clear();
                bytes
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
