//! Why a buffer could not be handed out or written.

use crate::pool::PoolError;

/// Why a buffer could not be handed out or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BufferError {
    /// The pool refused the bytes (exhausted, over quota, closed channel...).
    #[error("the pool refused the buffer's bytes: {0}")]
    Pool(#[from] PoolError),
    /// The pool has no capacity for [`ResourceKind::BUFFER_BYTES`](crate::pool::ResourceKind::BUFFER_BYTES).
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
