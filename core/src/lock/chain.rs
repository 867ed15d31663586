//! The start of a chain of locks on one thread, and the links that follow it.
//!
//! Compile-time lock ordering only holds if each thread has one chain: with
//! two, a thread could hold `buffers` through the first and lock `pool`
//! through the second. [`LockChain::start`] therefore checks, once per chain
//! (not per lock), a thread-local flag, and refuses a second live chain on the
//! same thread with [`LockError::ChainActive`]. The chain is neither `Send`
//! nor `Sync`, so it cannot leave its thread; dropping it clears the flag.
//! This is the only run-time check of the lock module, and it is paid when a
//! chain starts, never when a lock is taken.

use core::cell::Cell;
use core::marker::PhantomData;

use super::error::LockError;
use super::level::{Level, LevelMarker, Unlocked};

std::thread_local! {
    /// Whether this thread has a live [`LockChain`].
    static CHAIN_ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// The start of this thread's chain of ordered locks.
///
/// A system's token (`<system>::Locked::new(&mut chain)`) borrows it, so the
/// locks taken through one chain form one ordered sequence. Zero-sized.
///
/// ```
/// use typestep::lock::{LockChain, LockError};
///
/// let chain = LockChain::start().expect("first chain on this thread");
/// assert_eq!(LockChain::start().err(), Some(LockError::ChainActive));
/// drop(chain);
/// assert!(LockChain::start().is_ok());
/// ```
#[derive(Debug)]
pub struct LockChain {
    /// Neither `Send` nor `Sync`: the chain belongs to its thread.
    not_send: PhantomData<*const ()>,
}

impl LockChain {
    /// Starts this thread's chain, or refuses with
    /// [`LockError::ChainActive`] when one is already alive on this thread.
    pub fn start() -> Result<LockChain, LockError> {
        CHAIN_ACTIVE.with(|active| {
            if active.replace(true) {
                Err(LockError::ChainActive)
            } else {
                Ok(LockChain {
                    not_send: PhantomData,
                })
            }
        })
    }

    /// Whether a chain is alive on the calling thread.
    pub fn is_active() -> bool {
        CHAIN_ACTIVE.with(Cell::get)
    }
}

impl Drop for LockChain {
    fn drop(&mut self) {
        CHAIN_ACTIVE.with(|active| active.set(false));
    }
}

/// One link of a chain: proof that the thread holds a lock of level `L`
/// (or nothing, for [`Unlocked`]) and that it borrows the chain, so the link
/// before it cannot be used while it lives. Zero-sized; the system tokens
/// that `#[derive(System)]` generates wrap it.
pub struct Link<'a, L> {
    chain: PhantomData<&'a mut LockChain>,
    level: LevelMarker<L>,
}

impl<'a> Link<'a, Unlocked> {
    /// The first link of `chain`: nothing is held yet.
    #[inline(always)]
    pub fn root(chain: &'a mut LockChain) -> Self {
        let _ = chain;
        Link {
            chain: PhantomData,
            level: PhantomData,
        }
    }
}

impl<L: Level> Link<'_, L> {
    /// The name of the level this link holds.
    pub fn level_name(&self) -> &'static str {
        L::NAME
    }
}

impl<L: Level> core::fmt::Debug for Link<'_, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Link").field(&L::NAME).finish()
    }
}

/// The link after `link`, at level `M`. Unchecked: only generated code calls
/// it, after the compiler has checked `L: LockBefore<M>`.
#[inline(always)]
pub(crate) fn next<'b, L, M>(link: &'b mut Link<'_, L>) -> Link<'b, M> {
    let _ = link;
    Link {
        chain: PhantomData,
        level: PhantomData,
    }
}
