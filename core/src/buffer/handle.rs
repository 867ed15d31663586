//! One buffer on loan from the [`BufferManager`](crate::buffer::BufferManager).

use core::fmt;
use core::ops::{Deref, DerefMut};

use super::cache;
use super::channel::Loan;
use super::error::BufferError;
use crate::pool::ChannelId;

/// A byte buffer of fixed capacity, charged to its channel until dropped;
/// dropping it hands the allocation back for reuse.
///
/// It dereferences to the bytes written so far. Writes never grow it past its
/// capacity (that would spend memory outside the pool's budget): a write
/// that does not fit is [`BufferError::Full`].
pub struct Buffer {
    /// `None` only once dropped: the drop hands the loan on whole.
    loan: Option<Box<Loan>>,
}

// One word: handing a buffer out or back moves one pointer.
const _: () = assert!(core::mem::size_of::<Buffer>() == core::mem::size_of::<usize>());

impl Buffer {
    #[inline]
    pub(crate) fn new(loan: Box<Loan>) -> Self {
        Buffer { loan: Some(loan) }
    }

    /// The channel the buffer is charged to.
    #[inline]
    pub fn channel(&self) -> ChannelId {
        self.loan
            .as_ref()
            .and_then(|loan| loan.channel.as_ref())
            .map_or(ChannelId::DETACHED, |channel| channel.id())
    }

    /// The most bytes the buffer holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.loan.as_ref().map_or(0, |loan| loan.size)
    }

    /// Bytes still free.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.capacity() - self.len()
    }

    /// Appends `data` if it fits; otherwise writes nothing.
    #[inline]
    pub fn extend_from_slice(&mut self, data: &[u8]) -> Result<(), BufferError> {
        match self.loan.as_deref_mut() {
            Some(loan) if data.len() <= loan.size - loan.bytes.len() => {
                loan.bytes.extend_from_slice(data);
                Ok(())
            }
            _ => Err(BufferError::Full {
                capacity: self.capacity(),
                len: self.len(),
                requested: data.len(),
            }),
        }
    }

    /// Forgets the bytes written (the capacity stays).
    #[inline]
    pub fn clear(&mut self) {
        if let Some(loan) = self.loan.as_deref_mut() {
            loan.bytes.clear();
        }
    }

    /// The cold half of the drop: what the thread's cache did not keep goes
    /// through its slow path (a first release on this thread, a request to
    /// give back), then to the channel and the pool.
    #[cold]
    #[inline(never)]
    fn release_slow(&mut self) {
        cache::put_slow(&mut self.loan);
        if let Some(mut loan) = self.loan.take() {
            if let Some(channel) = loan.channel.take() {
                channel.release_slow([loan]);
            }
        }
    }
}

impl Deref for Buffer {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.loan.as_deref().map_or(&[], |loan| &loan.bytes)
    }
}

impl DerefMut for Buffer {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        self.loan
            .as_deref_mut()
            .map_or(&mut [], |loan| &mut loan.bytes)
    }
}

impl std::io::Write for Buffer {
    /// Writes as much of `data` as fits (0 when full).
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let Some(loan) = self.loan.as_deref_mut() else {
            return Ok(0);
        };
        let n = data.len().min(loan.size - loan.bytes.len());
        loan.bytes.extend_from_slice(&data[..n]);
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
        cache::put(&mut self.loan);
        if self.loan.is_some() {
            self.release_slow();
        }
    }
}

impl fmt::Debug for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffer")
            .field("channel", &self.channel())
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}
