//! Buffers drawn from the [`ResourcePool`]'s byte budget, recycled, and tracked
//! per channel: [`BufferManager`].
//!
//! Every buffer in use holds a reservation of `buffer_size` bytes of
//! [`ResourceKind::BUFFER_BYTES`] on its channel, so the pool's capacity and the
//! channel's quota bound the memory in use. A released buffer is cleared and
//! kept by its channel for the channel's next request: a new `Vec` is allocated
//! only when none is waiting, so each channel allocates exactly its peak number
//! of buffers in use (bounded by its quota and the pool's capacity), and
//! steady-state acquire and release allocate nothing.
//!
//! ```
//! use typestep::buffer::BufferManager;
//! use typestep::pool::{Quotas, ResourceKind, ResourcePool};
//!
//! let pool = ResourcePool::builder().capacity(ResourceKind::BUFFER_BYTES, 8192).build()?;
//! let channel = pool.open_channel("frames", Quotas::new())?;
//! let buffers = BufferManager::new(&pool, 4096)?;
//! let mut frame = buffers.acquire(channel)?;
//! frame.extend_from_slice(b"hello");
//! drop(frame); // back to the channel, cleared
//! assert_eq!(buffers.acquire(channel)?.len(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! [`BufferError`] wraps the pool's refusal (exhausted, over quota, closed
//! channel), and says when the pool has no byte budget at all, a zero buffer
//! size was asked for, or a write would overflow a buffer.

mod handle;
mod stats;

use std::collections::BTreeMap;
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
    /// A buffer size larger than the pool's whole `buffer_bytes` budget (or
    /// than one allocation can be) was asked for.
    #[error("buffers of {size} bytes cannot be handed out: at most {max} bytes")]
    TooLarge {
        /// The size asked for.
        size: usize,
        /// The largest size this pool could ever hand out.
        max: u64,
    },
    /// The allocator could not provide a buffer; nothing stays reserved.
    #[error("could not allocate a buffer of {size} bytes")]
    OutOfMemory {
        /// The buffer size.
        size: usize,
    },
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

/// One channel's released buffers and counters, behind one lock so that an
/// acquire or a release takes it once.
#[derive(Debug, Default)]
struct Local {
    idle: Vec<Vec<u8>>,
    in_use: u64,
    peak: u64,
    recycled: u64,
    allocated: u64,
}

/// The per-channel half of the manager: the pool channel the bytes are drawn
/// from, the channel's released buffers, and its counters.
#[derive(Debug)]
pub(crate) struct ChannelBuffers {
    pool: PoolChannel,
    kind: usize,
    size: usize,
    local: Mutex<Local>,
}

impl ChannelBuffers {
    fn acquire(self: &Arc<Self>) -> Result<Buffer, BufferError> {
        let (key, _) = self
            .pool
            .slot()
            .reserve(self.kind, self.size as u64, "buffer")?;
        let reused = {
            let mut local = self.local.lock();
            local.in_use += 1;
            local.peak = local.peak.max(local.in_use);
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
                        local.in_use -= 1;
                        local.allocated -= 1;
                    }
                    self.pool.slot().release(key);
                    return Err(BufferError::OutOfMemory { size: self.size });
                }
                bytes
            }
        };
        Ok(Buffer::new(bytes, key, Arc::clone(self)))
    }

    /// Takes a buffer back: cleared, kept for reuse, bytes returned to the pool.
    pub(crate) fn release(&self, mut bytes: Vec<u8>, key: usize) {
        bytes.clear();
        {
            let mut local = self.local.lock();
            local.idle.push(bytes);
            local.in_use -= 1;
        }
        self.pool.slot().release(key);
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn id(&self) -> ChannelId {
        self.pool.id()
    }

    fn stats(&self) -> BufferStats {
        let local = self.local.lock();
        BufferStats {
            in_use: local.in_use,
            peak: local.peak,
            acquired: local.recycled + local.allocated,
            recycled: local.recycled,
        }
    }

    fn idle_and_allocated(&self) -> (usize, u64) {
        let local = self.local.lock();
        (local.idle.len(), local.allocated)
    }
}

/// Hands out fixed-size byte buffers drawn from a [`ResourcePool`]'s
/// [`ResourceKind::BUFFER_BYTES`] budget, per channel, and recycles them.
///
/// Cloning gives another handle to the same manager.
///
/// ```
/// use typestep::{buffer::BufferManager, pool::{Quotas, ResourceKind, ResourcePool}};
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
    channels: Arc<Mutex<BTreeMap<ChannelId, Arc<ChannelBuffers>>>>,
}

impl BufferManager {
    /// A manager of `buffer_size`-byte buffers drawn from `pool`, which must
    /// have a [`ResourceKind::BUFFER_BYTES`] capacity of at least one buffer.
    /// A size over that capacity, or over the largest possible allocation
    /// (`isize::MAX` bytes), is [`BufferError::TooLarge`].
    pub fn new(pool: &ResourcePool, buffer_size: usize) -> Result<Self, BufferError> {
        if buffer_size == 0 {
            return Err(BufferError::ZeroSize);
        }
        let capacity = pool
            .capacity(ResourceKind::BUFFER_BYTES)
            .map_err(|_| BufferError::NoBudget)?;
        let max = capacity.min(u64::try_from(isize::MAX).unwrap_or(u64::MAX));
        if u64::try_from(buffer_size).map_or(true, |size| size > max) {
            return Err(BufferError::TooLarge {
                size: buffer_size,
                max,
            });
        }
        Ok(BufferManager {
            pool: pool.clone(),
            size: buffer_size,
            channels: Arc::default(),
        })
    }

    /// The pool the bytes are drawn from.
    pub fn pool(&self) -> &ResourcePool {
        &self.pool
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
            local: Mutex::default(),
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
        let channels: Vec<Arc<ChannelBuffers>> = self.channels.lock().values().cloned().collect();
        let (mut idle, mut allocated) = (0, 0);
        for channel in &channels {
            let (i, a) = channel.idle_and_allocated();
            idle += i;
            allocated += a;
        }
        BufferMetrics {
            buffer_size: self.size,
            allocated,
            idle,
            channels: channels
                .iter()
                .map(|c| ChannelBufferStats {
                    channel: c.id(),
                    name: c.pool.name().to_owned(),
                    stats: c.stats(),
                })
                .collect(),
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
