//! One buffer on loan from the [`BufferManager`](crate::buffer::BufferManager).

use core::fmt;
use core::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::cache;
use super::channel::ChannelBuffers;
use super::BufferError;
use crate::pool::ChannelId;

/// A byte buffer of fixed capacity, charged to its channel until dropped;
/// dropping it hands the allocation back for reuse.
///
/// It dereferences to the bytes written so far. Writes never grow it past its
/// capacity (that would spend memory outside the pool's budget): a write
/// that does not fit is [`BufferError::Full`].
pub struct Buffer {
    bytes: Vec<u8>,
    size: usize,
    id: ChannelId,
    /// Taken only by `drop`, which hands it back with the bytes.
    channel: Option<Arc<ChannelBuffers>>,
}

impl Buffer {
    #[inline]
    pub(crate) fn new(bytes: Vec<u8>, channel: Arc<ChannelBuffers>) -> Self {
        Buffer {
            bytes,
            size: channel.size(),
            id: channel.id(),
            channel: Some(channel),
        }
    }

    /// A buffer whose size and channel id are known already.
    #[inline]
    pub(crate) fn from_parts(
        bytes: Vec<u8>,
        channel: Arc<ChannelBuffers>,
        size: usize,
        id: ChannelId,
    ) -> Self {
        Buffer {
            bytes,
            size,
            id,
            channel: Some(channel),
        }
    }

    /// The channel the buffer is charged to.
    pub fn channel(&self) -> ChannelId {
        self.id
    }

    /// The most bytes the buffer holds.
    pub fn capacity(&self) -> usize {
        self.size
    }

    /// Bytes still free.
    pub fn remaining(&self) -> usize {
        self.capacity() - self.bytes.len()
    }

    /// Appends `data` if it fits; otherwise writes nothing.
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
    pub fn clear(&mut self) {
        self.bytes.clear();
    }
}

impl Deref for Buffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl DerefMut for Buffer {
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
        if let Some(channel) = self.channel.take() {
            if let Err((bytes, channel)) = cache::put(core::mem::take(&mut self.bytes), channel) {
                channel.release_slow([bytes]);
            }
        }
    }
}

impl fmt::Debug for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffer")
            .field("channel", &self.id)
            .field("len", &self.bytes.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}
