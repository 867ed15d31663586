//! Reservations kept by per-thread caches (the
//! [`BufferManager`](crate::buffer::BufferManager)'s idle buffers).
//!
//! A cache keeps the reservation of each idle item so that taking it back is
//! free of locks, but those units are not *in use*: each cache publishes its
//! idle units in a [`CacheCell`] (one writer, the owning thread, with plain
//! stores), and the pool subtracts them from every figure of units in use
//! and from the leak report, where they are listed apart as cached.
//!
//! A request the pool refuses (capacity or quota) asks the caches holding
//! units of that kind to give them back: the refusing thread's own caches at
//! once (through the hook [`set_local_reclaim`] installs), the other threads'
//! caches through a flag they honour on their next acquire or release; then
//! the request is retried once. What an idle thread's cache keeps until then
//! is bounded by the cache bound per thread and channel, and comes back when
//! that thread exits or trims its cache.

use crate::loom::Arc;

use super::cell::CacheCell;
use super::channel::PoolChannel;
use super::error::PoolError;

/// One bulk reservation on a channel whose units grow and shrink together
/// (one record, `purpose` in the leak report), with the caches that keep
/// part of it idle. Dropping it gives back whatever it still holds.
#[derive(Debug)]
pub(crate) struct CachedAccount {
    channel: PoolChannel,
    kind: usize,
    key: usize,
}

impl CachedAccount {
    /// Opens an empty account for `kind` on `channel`.
    pub(crate) fn open(channel: PoolChannel, kind: usize, purpose: &'static str) -> Self {
        let key = channel.slot().open_account(kind, purpose);
        CachedAccount { channel, kind, key }
    }

    /// The channel the account draws from.
    pub(crate) fn channel(&self) -> &PoolChannel {
        &self.channel
    }

    /// Adds `units` to the account, under the channel's quota and the pool's
    /// capacity (asking caches back and retrying once if refused).
    pub(crate) fn reserve(&self, units: u64) -> Result<(), PoolError> {
        self.channel.slot().grow(self.key, self.kind, units)
    }

    /// Gives `units` of the account back to the pool.
    pub(crate) fn release(&self, units: u64) {
        self.channel.slot().shrink(self.key, units);
    }

    /// A new cache of this account (its owner publishes idle units in it).
    pub(crate) fn register(&self) -> Arc<CacheCell> {
        self.channel.slot().register(self.key, self.kind)
    }

    /// Forgets a cache (after its owner gave everything back).
    pub(crate) fn unregister(&self, cell: &Arc<CacheCell>) {
        self.channel.slot().unregister(cell);
    }

    /// Asks every cache of this account to give its idle units back on its
    /// owner's next acquire or release.
    pub(crate) fn ask_back(&self) {
        self.channel.slot().ask_account(self.key);
    }
}

impl Drop for CachedAccount {
    fn drop(&mut self) {
        self.channel.slot().release(self.key);
    }
}
