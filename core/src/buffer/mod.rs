//! Buffers drawn from the [`ResourcePool`]'s byte budget, recycled, and tracked
//! per channel: [`BufferManager`].
//!
//! Every buffer in use holds a reservation of `buffer_size` bytes of
//! [`ResourceKind::BUFFER_BYTES`] on its channel, so the pool's capacity and the
//! channel's quota bound the memory reserved. A released buffer is cleared and
//! kept, with its reservation, in the releasing thread's cache of that channel
//! (up to [`BufferManager::thread_cache`] buffers): taking it again is a vector
//! pop with no lock and no atomic read-modify-write. The pool counts cached
//! bytes apart ([`ResourcePool::cached`]), not as in use nor as leaks. Beyond
//! the bound, and whenever the pool asks for them back (a refused request, a
//! closed channel, [`BufferManager::trim_thread_cache`], the thread's exit),
//! buffers go back to their channel and their bytes to the pool.
//!
//! A new buffer is allocated only when no released buffer is waiting, so each
//! channel allocates exactly its peak number of buffers reserved (in use or
//! cached; at most its peak in use plus the cache bound times the threads
//! using it), and steady-state acquire and release allocate nothing. (Each
//! buffer is its bytes and a header of five words, allocated once with
//! them, that carries the bytes from hand to hand as one pointer; the
//! budget counts the bytes.)
//!
//! A refused request first empties the calling thread's caches and asks the
//! other threads' caches back, then retries once. Another thread answers on
//! its next acquire or release of that channel, so a thread that went idle
//! keeps at most the cache bound per channel until it uses the channel again
//! or exits; a request can still be refused for those bytes.
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
//! drop(frame); // back to this thread's cache, cleared, its bytes still reserved
//! assert_eq!(buffers.acquire(channel)?.len(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! [`BufferError`] wraps the pool's refusal (exhausted, over quota, closed
//! channel), and says when the pool has no byte budget at all, a zero buffer
//! size was asked for, or a write would overflow a buffer.

mod cache;
mod channel;
mod error;
mod handle;
mod stats;

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::pool::{ChannelId, ResourceKind, ResourcePool};

use channel::{ChannelBuffers, Loan};

pub use error::BufferError;
pub use handle::Buffer;
pub use stats::{BufferMetrics, BufferStats, ChannelBufferStats};

/// Idle buffers each thread keeps per channel unless told otherwise (none
/// under the loom model checker, whose threads share one OS thread).
pub const DEFAULT_THREAD_CACHE: usize = if cfg!(loom) { 0 } else { 4 };

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
/// drop(frame); // kept by this thread's cache, its bytes still reserved...
/// assert_eq!(pool.in_use(ResourceKind::BUFFER_BYTES)?, 0); // ...but not in use
/// assert_eq!(pool.cached(ResourceKind::BUFFER_BYTES)?, 1024);
///
/// let again = buffers.acquire(audio)?; // the same allocation, cleared
/// assert!(again.is_empty());
/// assert_eq!(buffers.stats(audio).map(|s| s.recycled), Some(1));
/// drop(again);
/// buffers.trim_thread_cache(); // every byte back to the pool
/// assert_eq!(pool.cached(ResourceKind::BUFFER_BYTES)?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct BufferManager {
    pool: ResourcePool,
    size: usize,
    thread_cache: usize,
    channels: Arc<Mutex<BTreeMap<ChannelId, Arc<ChannelBuffers>>>>,
}

impl BufferManager {
    /// A manager of `buffer_size`-byte buffers drawn from `pool`, which must
    /// have a [`ResourceKind::BUFFER_BYTES`] capacity of at least one buffer.
    /// A size over that capacity, or over the largest possible allocation
    /// (`isize::MAX` bytes), is [`BufferError::TooLarge`]. Each thread
    /// keeps up to [`DEFAULT_THREAD_CACHE`] idle buffers per channel (see
    /// [`with_thread_cache`](Self::with_thread_cache)).
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
        crate::pool::set_local_reclaim(cache::flush_all);
        Ok(BufferManager {
            pool: pool.clone(),
            size: buffer_size,
            thread_cache: DEFAULT_THREAD_CACHE,
            channels: Arc::default(),
        })
    }

    /// Lets each thread keep up to `buffers` idle buffers per channel (0: no
    /// thread cache, every release goes back to the pool). Applies to the
    /// channels this manager opens afterwards.
    ///
    /// A cached buffer keeps its reservation, so acquiring it again takes no
    /// lock; the pool reports its bytes as cached, not in use, and asks them
    /// back when a request is refused. What an idle thread keeps is at most
    /// `buffers` × buffer size per channel until it next uses the channel,
    /// trims ([`trim_thread_cache`](Self::trim_thread_cache)) or exits.
    #[must_use]
    pub fn with_thread_cache(mut self, buffers: usize) -> Self {
        self.thread_cache = if cfg!(loom) { 0 } else { buffers };
        self
    }

    /// Idle buffers each thread may keep per channel.
    pub fn thread_cache(&self) -> usize {
        self.thread_cache
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
        let inner = Arc::new(ChannelBuffers::new(
            pool,
            kind,
            self.size,
            self.thread_cache,
        ));
        channels.insert(channel, Arc::clone(&inner));
        Ok(BufferChannel { inner })
    }

    /// A buffer for `channel` (looks the channel up; see [`channel`](Self::channel)).
    pub fn acquire(&self, channel: ChannelId) -> Result<Buffer, BufferError> {
        self.channel(channel)?.acquire()
    }

    /// Gives the calling thread's idle buffers of this manager back to the
    /// pool, and forgets its caches (they come back on next use).
    pub fn trim_thread_cache(&self) {
        let channels: Vec<Arc<ChannelBuffers>> = self.channels.lock().values().cloned().collect();
        cache::trim(|channel| channels.iter().any(|c| Arc::ptr_eq(c, channel)));
    }

    /// Asks every thread's cache of this manager to give its idle buffers
    /// back, which each does on its next acquire or release (or exit).
    pub fn ask_thread_caches_back(&self) {
        for channel in self.channels.lock().values() {
            channel.ask_back();
        }
    }

    /// The counters of `channel`, if it ever asked for a buffer.
    pub fn stats(&self, channel: ChannelId) -> Option<BufferStats> {
        let found = self.channels.lock().get(&channel).cloned();
        found.map(|c| c.stats())
    }

    /// Counters of the manager and of every channel.
    pub fn metrics(&self) -> BufferMetrics {
        let channels: Vec<Arc<ChannelBuffers>> = self.channels.lock().values().cloned().collect();
        let (mut idle, mut allocated) = (0, 0);
        let channels: Vec<ChannelBufferStats> = channels
            .iter()
            .map(|c| {
                let (i, a) = c.idle_and_allocated();
                idle += i;
                allocated += a;
                ChannelBufferStats {
                    channel: c.id(),
                    name: c.name().to_owned(),
                    stats: c.stats(),
                }
            })
            .collect();
        let cached: u64 = channels.iter().map(|c| c.stats.cached).sum();
        BufferMetrics {
            buffer_size: self.size,
            allocated,
            idle: idle + usize::try_from(cached).unwrap_or(usize::MAX),
            cached,
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
    /// charged to this channel until dropped: this thread's cached one if it
    /// has one (no lock), otherwise through the pool.
    #[inline(always)]
    pub fn acquire(&self) -> Result<Buffer, BufferError> {
        let loan = match cache::take(&self.inner) {
            Some(loan) => loan,
            None => self.acquire_slow()?,
        };
        Ok(Buffer::new(loan))
    }

    #[cold]
    #[inline(never)]
    fn acquire_slow(&self) -> Result<Box<Loan>, BufferError> {
        if self.inner.bound() > 0 {
            cache::prepare(&self.inner);
        }
        self.inner.acquire_slow()
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
