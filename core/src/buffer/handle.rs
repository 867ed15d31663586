//! One buffer on loan from the [`BufferManager`](crate::buffer::BufferManager).

use core::fmt;
use core::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::cache;
use super::channel::ChannelBuffers;
use super::error::BufferError;
use crate::pool::ChannelId;

/// A byte buffer of fixed capacity, charged to its channel until dropped;
/// dropping it hands the allocation back for reuse.
///
/// It dereferences to the bytes written so far. Writes never grow it past its
/// capacity (that would spend memory outside the pool's budget): a write
/// that does not fit is [`BufferError::Full`].
pub struct Buffer {
    bytes: Vec<u8>,
    /// Taken only by `drop`, which hands it back with the bytes. (Two
    /// words in all, so that handing a buffer out moves little.)
    channel: Option<Arc<ChannelBuffers>>,
}

impl Buffer {
    #[inline]
    pub(crate) fn new(bytes: Vec<u8>, channel: Arc<ChannelBuffers>) -> Self {
        Buffer {
            bytes,
            channel: Some(channel),
        }
    }

    /// The channel the buffer is charged to.
    #[inline]
    pub fn channel(&self) -> ChannelId {
        // `None` only while being dropped.
        self.channel
            .as_ref()
            .map_or(ChannelId::DETACHED, |channel| channel.id())
    }

    /// The most bytes the buffer holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        // `None` only while being dropped.
        self.channel
            .as_ref()
            .map_or(self.bytes.capacity(), |channel| channel.size())
    }

    /// Bytes still free.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.capacity() - self.bytes.len()
    }

    /// Appends `data` if it fits; otherwise writes nothing.
    #[inline]
    pub fn extend_from_slice(&mut self, data: &[u8]) -> Result<(), BufferError> {
        if data.len() > self.remaining() {
            return Err(BufferError::Full {
                capacity: self.capacity(),
                len: self.bytes.len(),
                requested: data.len(),
            });
        }
        self.bytes.extend_from_slice(data);
        Ok(())
    }

    /// Forgets the bytes written (the capacity stays).
    #[inline]
    pub fn clear(&mut self) {
        self.bytes.clear();
    }
}

impl Deref for Buffer {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl DerefMut for Buffer {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl std::io::Write for Buffer {
    /// Writes as much of `data` as fits (0 when full).
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(self.remaining());
        self.bytes.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Buffer {
    /// Back to this thread's cache, keeping its reservation; to the channel
    /// and the pool when the cache is full or owes a give-back.
    #[inline]
    fn drop(&mut self) {
        cache::put(&mut self.bytes, &mut self.channel);
        if let Some(channel) = self.channel.take() {
            channel.release_slow([core::mem::take(&mut self.bytes)]);
        }
    }
}

impl fmt::Debug for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffer")
            .field("channel", &self.channel())
            .field("len", &self.bytes.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}
