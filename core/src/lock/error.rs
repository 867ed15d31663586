//! Why a lock chain could not start or a group of locks could not be taken.

/// A lock operation that was refused before anything was locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// [`LockChain::start`](super::LockChain::start) was called on a thread
    /// whose chain is still alive: a second chain could take locks out of
    /// order. Drop the first chain, or pass its token down.
    #[error("a lock chain is already active on this thread; pass its token instead of starting a second chain")]
    ChainActive,
    /// `lock_both`/`lock_all` was given the same mutex twice; locking it
    /// twice would deadlock.
    #[error("the same mutex was passed twice to `lock_both`/`lock_all`; locking it twice would deadlock")]
    SameMutex,
}
