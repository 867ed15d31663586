//! Buffers drawn from the [`ResourcePool`](crate::ResourcePool)'s byte budget,
//! recycled, and tracked per channel.
//!
//! Every buffer in use holds a reservation of `buffer_size` bytes of
//! [`ResourceKind::BUFFER_BYTES`] on its channel, so the pool's capacity and
//! the channel's quota bound the memory in use. A released buffer is cleared
//! and kept for the next request: a new `Vec` is allocated only when no
//! released buffer is waiting, so the number ever allocated equals the peak
//! number in use, and steady-state acquire and release allocate nothing.

mod handle;
mod stats;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::pool::{ChannelId, PoolChannel, PoolError, ResourceKind, ResourcePool};

pub use handle::Buffer;
pub use stats::{BufferMetrics, BufferStats, ChannelBufferStats};

/// Why a buffer could not be handed out or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BufferError {
    /// The pool refused the bytes (exhausted, over quota, closed channel...).
    #[error("the pool refused the buffer's bytes: {0}")]
    Pool(#[from] PoolError),
    /// The pool has no capacity for [`ResourceKind::BUFFER_BYTES`].
    #[error("the pool has no `buffer_bytes` budget")]
    NoBudget,
    /// A buffer size of zero was asked for.
    #[error("buffers must hold at least one byte")]
    ZeroSize,
    /// A write would go past the buffer's fixed capacity.
    #[error("buffer full: {len} of {capacity} bytes used, {requested} more requested")]
    Full {
        /// The buffer's capacity.
        capacity: usize,
        /// Bytes already written.
        len: usize,
        /// Bytes the write needed.
        requested: usize,
    },
}

/// Released buffers waiting to be handed out again.
#[derive(Debug)]
struct FreeList {
    buffers: Mutex<Vec<Vec<u8>>>,
    allocated: AtomicU64,
}

/// The per-channel half of the manager: the pool channel the bytes are drawn
/// from, and the channel's counters.
#[derive(Debug)]
pub(crate) struct ChannelBuffers {
    pool: PoolChannel,
    kind: usize,
    size: usize,
    free: Arc<FreeList>,
    in_use: AtomicU64,
    peak: AtomicU64,
    fresh: AtomicU64,
    recycled: AtomicU64,
}

impl ChannelBuffers {
    fn acquire(self: &Arc<Self>) -> Result<Buffer, BufferError> {
        let (key, _) = self
            .pool
            .slot()
            .reserve(self.kind, self.size as u64, "buffer")?;
        let reused = self.free.buffers.lock().pop();
        let bytes = match reused {
            Some(bytes) => {
                self.recycled.fetch_add(1, Ordering::Relaxed);
                bytes
            }
            None => {
                self.free.allocated.fetch_add(1, Ordering::Relaxed);
                self.fresh.fetch_add(1, Ordering::Relaxed);
                Vec::with_capacity(self.size)
            }
        };
        let now = self.in_use.fetch_add(1, Ordering::Relaxed) + 1;
        if now > self.peak.load(Ordering::Relaxed) {
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        Ok(Buffer::new(bytes, key, Arc::clone(self)))
    }

    /// Takes a buffer back: cleared, kept for reuse, bytes returned to the pool.
    pub(crate) fn release(&self, mut bytes: Vec<u8>, key: usize) {
        bytes.clear();
        self.free.buffers.lock().push(bytes);
        self.pool.slot().release(key);
        self.in_use.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn id(&self) -> ChannelId {
        self.pool.id()
    }

    fn stats(&self) -> BufferStats {
        let recycled = self.recycled.load(Ordering::Relaxed);
        BufferStats {
            in_use: self.in_use.load(Ordering::Relaxed),
            peak: self.peak.load(Ordering::Relaxed),
            acquired: recycled + self.fresh.load(Ordering::Relaxed),
            recycled,
        }
    }
}

/// Hands out fixed-size byte buffers drawn from a [`ResourcePool`]'s
/// [`ResourceKind::BUFFER_BYTES`] budget, per channel, and recycles them.
///
/// Cloning gives another handle to the same manager.
///
/// ```
/// use typestep_core::{BufferManager, Quotas, ResourceKind, ResourcePool};
///
/// let pool = ResourcePool::builder().capacity(ResourceKind::BUFFER_BYTES, 4096).build()?;
/// let audio = pool.open_channel("audio", Quotas::new())?;
/// let buffers = BufferManager::new(&pool, 1024)?;
///
/// let mut frame = buffers.acquire(audio)?;
/// frame.extend_from_slice(b"pcm")?;
/// assert_eq!(&frame[..], b"pcm");
/// assert_eq!(pool.in_use(ResourceKind::BUFFER_BYTES)?, 1024);
/// drop(frame); // back to the manager, bytes back to the pool
///
/// let again = buffers.acquire(audio)?; // the same allocation, cleared
/// assert!(again.is_empty());
/// assert_eq!(buffers.stats(audio).map(|s| s.recycled), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct BufferManager {
    pool: ResourcePool,
    size: usize,
    free: Arc<FreeList>,
    channels: Arc<Mutex<BTreeMap<ChannelId, Arc<ChannelBuffers>>>>,
}

impl BufferManager {
    /// A manager of `buffer_size`-byte buffers drawn from `pool`, which must
    /// have a [`ResourceKind::BUFFER_BYTES`] capacity.
    pub fn new(pool: &ResourcePool, buffer_size: usize) -> Result<Self, BufferError> {
        if buffer_size == 0 {
            return Err(BufferError::ZeroSize);
        }
        pool.capacity(ResourceKind::BUFFER_BYTES)
            .map_err(|_| BufferError::NoBudget)?;
        Ok(BufferManager {
            pool: pool.clone(),
            size: buffer_size,
            free: Arc::new(FreeList {
                buffers: Mutex::new(Vec::new()),
                allocated: AtomicU64::new(0),
            }),
            channels: Arc::default(),
        })
    }

    /// The size of every buffer, in bytes.
    pub fn buffer_size(&self) -> usize {
        self.size
    }

    /// A handle that hands out buffers on pool channel `channel` without any
    /// lookup (keep it on the hot path).
    pub fn channel(&self, channel: ChannelId) -> Result<BufferChannel, BufferError> {
        let mut channels = self.channels.lock();
        if let Some(existing) = channels.get(&channel) {
            return Ok(BufferChannel {
                inner: Arc::clone(existing),
            });
        }
        let pool = self.pool.channel(channel)?;
        let kind = pool.slot().kind_index(ResourceKind::BUFFER_BYTES)?;
        let inner = Arc::new(ChannelBuffers {
            pool,
            kind,
            size: self.size,
            free: Arc::clone(&self.free),
            in_use: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            fresh: AtomicU64::new(0),
            recycled: AtomicU64::new(0),
        });
        channels.insert(channel, Arc::clone(&inner));
        Ok(BufferChannel { inner })
    }

    /// A buffer for `channel` (looks the channel up; see [`channel`](Self::channel)).
    pub fn acquire(&self, channel: ChannelId) -> Result<Buffer, BufferError> {
        self.channel(channel)?.acquire()
    }

    /// The counters of `channel`, if it ever asked for a buffer.
    pub fn stats(&self, channel: ChannelId) -> Option<BufferStats> {
        self.channels.lock().get(&channel).map(|c| c.stats())
    }

    /// Counters of the manager and of every channel.
    pub fn metrics(&self) -> BufferMetrics {
        let channels = self
            .channels
            .lock()
            .values()
            .map(|c| ChannelBufferStats {
                channel: c.id(),
                name: c.pool.name().to_owned(),
                stats: c.stats(),
            })
            .collect();
        BufferMetrics {
            buffer_size: self.size,
            allocated: self.free.allocated.load(Ordering::Relaxed),
            idle: self.free.buffers.lock().len(),
            channels,
        }
    }
}

/// Hands out buffers on one channel; clones share the channel.
#[derive(Debug, Clone)]
pub struct BufferChannel {
    inner: Arc<ChannelBuffers>,
}

impl BufferChannel {
    /// A cleared buffer of [`BufferManager::buffer_size`] bytes' capacity,
    /// charged to this channel until dropped.
    #[inline]
    pub fn acquire(&self) -> Result<Buffer, BufferError> {
        self.inner.acquire()
    }

    /// The pool channel the bytes are drawn from.
    pub fn id(&self) -> ChannelId {
        self.inner.id()
    }

    /// This channel's counters.
    pub fn stats(&self) -> BufferStats {
        self.inner.stats()
    }
}
