//! Counters of the [`BufferManager`](crate::buffer::BufferManager).

use crate::pool::ChannelId;

/// Counters of one channel's buffers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BufferStats {
    /// Buffers held now.
    pub in_use: u64,
    /// Released buffers idle in threads' caches, keeping their reservation.
    pub cached: u64,
    /// The most buffers reserved at once (held, or idle in a thread's cache).
    pub peak: u64,
    /// Buffers handed out in total.
    pub acquired: u64,
    /// Of those, how many reused a released buffer instead of allocating.
    pub recycled: u64,
}

/// One channel's counters, named.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChannelBufferStats {
    /// The pool channel.
    pub channel: ChannelId,
    /// Its name.
    pub name: String,
    /// Its counters.
    pub stats: BufferStats,
}

/// A snapshot of a [`BufferManager`](crate::buffer::BufferManager).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BufferMetrics {
    /// The size of every buffer, in bytes.
    pub buffer_size: usize,
    /// Allocations made in total (the sum of each channel's peak).
    pub allocated: u64,
    /// Released buffers waiting for reuse (cached ones included).
    pub idle: usize,
    /// Of those, buffers idle in threads' caches, keeping their reservation.
    pub cached: u64,
    /// Per channel, in channel order.
    pub channels: Vec<ChannelBufferStats>,
}
