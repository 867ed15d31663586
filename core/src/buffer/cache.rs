//! Each thread's cache of idle buffers, per channel: the hot path.
//!
//! A cached buffer keeps its pool reservation and its channel handle, so
//! taking one and putting it back takes no lock, no read-modify-write and no
//! reference count: a vector pop or push, and plain stores of the counters
//! the pool and `stats()` read (one writer, this thread). Anything else
//! (first use of a channel on a thread, an empty or full cache, a request to
//! give back) goes through [`ChannelBuffers`]' slow path.
//!
//! What a cache keeps is bounded by [`BufferManager::thread_cache`]
//! buffers per channel, and comes back when the thread exits (the
//! thread-local's destructor), when it calls
//! [`BufferManager::trim_thread_cache`], when the channel is closed or a
//! request is refused for want of bytes (on the owner's next acquire or
//! release: an idle thread does not answer).
//!
//! [`BufferManager::thread_cache`]: super::BufferManager::thread_cache
//! [`BufferManager::trim_thread_cache`]: super::BufferManager::trim_thread_cache

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::channel::{ChannelBuffers, Loan, ThreadCounters};
use crate::pool::SharedCell;

/// One channel's idle buffers on this thread.
struct Slot {
    channel: Arc<ChannelBuffers>,
    /// Idle buffers, each with its channel handle.
    #[allow(
        clippy::vec_box,
        reason = "each box is a `Buffer` handed out or back as one pointer"
    )]
    idle: Vec<Box<Loan>>,
    /// The pool's view of this cache (also in `counters`, one hop nearer).
    cell: SharedCell,
    counters: Arc<ThreadCounters>,
    /// The channel's buffer size and cache bound, copied (no hop).
    size: usize,
    bound: usize,
    /// This thread's count of cached buffers handed out (published as a copy).
    acquired: u64,
}

impl Slot {
    fn new(channel: &Arc<ChannelBuffers>) -> Self {
        let counters = channel.register_thread();
        Slot {
            channel: Arc::clone(channel),
            idle: Vec::with_capacity(channel.bound()),
            cell: SharedCell::clone(&counters.cell),
            counters,
            size: channel.size(),
            bound: channel.bound(),
            acquired: 0,
        }
    }

    #[inline]
    fn publish_idle(&self) {
        self.cell.publish_idle((self.idle.len() * self.size) as u64);
    }

    /// Keeps a released buffer (taking it out of `loan`), cleared. The
    /// caller has checked the bound.
    #[inline(always)]
    fn keep(&mut self, loan: &mut Option<Box<Loan>>) {
        if let Some(mut kept) = loan.take() {
            kept.bytes.clear();
            self.idle.push(kept);
            self.publish_idle();
        }
    }

    /// Gives every idle buffer back to the pool.
    fn flush(&mut self) {
        if self.idle.is_empty() {
            return;
        }
        let idle = std::mem::take(&mut self.idle);
        self.publish_idle();
        self.channel.release_slow(idle);
    }

    /// Honours a request to give back (or a closed channel).
    fn answer(&mut self) {
        self.cell.take_request();
        self.flush();
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.flush();
        self.channel.unregister_thread(&self.counters);
    }
}

/// This thread's caches, the most recently added channel first.
#[derive(Default)]
struct ThreadCache {
    slots: Vec<Slot>,
}

impl ThreadCache {
    #[inline]
    fn find(&mut self, channel: &Arc<ChannelBuffers>) -> Option<&mut Slot> {
        self.slots
            .iter_mut()
            .find(|slot| Arc::ptr_eq(&slot.channel, channel))
    }

    fn slot(&mut self, channel: &Arc<ChannelBuffers>) -> &mut Slot {
        match self
            .slots
            .iter()
            .position(|slot| Arc::ptr_eq(&slot.channel, channel))
        {
            Some(at) => &mut self.slots[at],
            None => {
                self.slots.insert(0, Slot::new(channel));
                &mut self.slots[0]
            }
        }
    }
}

thread_local! {
    static CACHE: RefCell<ThreadCache> = const { RefCell::new(ThreadCache { slots: Vec::new() }) };
}

/// Runs `f` on this thread's caches; `None` without running it when they
/// are gone (the thread is exiting) or already in use (a slot's drop
/// giving buffers back).
#[inline(always)]
fn with_cache<R>(f: impl FnOnce(&mut ThreadCache) -> Option<R>) -> Option<R> {
    CACHE
        .try_with(|cache| f(&mut *cache.try_borrow_mut().ok()?))
        .ok()
        .flatten()
}

/// A cached buffer of `channel`, if this thread has one and owes nothing.
#[inline(always)]
pub(crate) fn take(channel: &Arc<ChannelBuffers>) -> Option<Box<Loan>> {
    with_cache(|cache| {
        let slot = cache.find(channel)?;
        if slot.cell.asked() {
            return None;
        }
        let loan = slot.idle.pop()?;
        slot.publish_idle();
        slot.acquired += 1;
        slot.counters
            .acquired
            .store(slot.acquired, Ordering::Release);
        Some(loan)
    })
}

/// Before the slow path: makes sure this thread has a cache of `channel`
/// (so that the buffer can come back to it) and answers a request to give
/// back.
pub(crate) fn prepare(channel: &Arc<ChannelBuffers>) {
    with_cache(|cache| {
        let slot = cache.slot(channel);
        if slot.cell.asked() {
            slot.answer();
        }
        Some(())
    });
}

/// A released buffer's fast way back: into this thread's cache of its
/// channel, if there is one with room that owes nothing (taking the loan
/// out of `loan`). Anything else is [`put_slow`]'s. (Inlined into the
/// drop, whose other paths are cold.)
#[inline(always)]
pub(crate) fn put(loan: &mut Option<Box<Loan>>) {
    with_cache(|cache| {
        let slot = cache.find(loan.as_deref()?.channel.as_ref()?)?;
        if slot.cell.asked() || slot.idle.len() >= slot.bound {
            return None;
        }
        slot.keep(loan);
        Some(())
    });
}

/// What [`put`] leaves: makes this thread's cache of the buffer's channel
/// (its first release here) and keeps the buffer, or answers a request to
/// give back; leaves the buffer when the cache is full, owes a give-back,
/// or is gone.
pub(crate) fn put_slow(loan: &mut Option<Box<Loan>>) {
    with_cache(|cache| {
        let channel = loan.as_deref()?.channel.as_ref()?;
        let slot = match cache.find(channel) {
            Some(slot) => slot,
            // No cache wanted: no slot either.
            None if channel.bound() == 0 => return None,
            None => cache.slot(channel),
        };
        if slot.cell.asked() {
            slot.answer();
        } else if slot.idle.len() < slot.bound {
            slot.keep(loan);
        }
        Some(())
    });
}

/// Gives back every idle buffer this thread keeps, of every channel (what a
/// refused reservation runs before it retries).
pub(crate) fn flush_all() {
    with_cache(|cache| {
        for slot in &mut cache.slots {
            slot.cell.take_request();
            slot.flush();
        }
        Some(())
    });
}

/// Gives back and forgets this thread's caches of the channels `owned`
/// selects.
pub(crate) fn trim(owned: impl Fn(&Arc<ChannelBuffers>) -> bool) {
    // Dropped (and so given back) after the cache is released.
    let removed: Vec<Slot> = with_cache(|cache| {
        let (mine, keep) = std::mem::take(&mut cache.slots)
            .into_iter()
            .partition(|slot| owned(&slot.channel));
        cache.slots = keep;
        Some(mine)
    })
    .unwrap_or_default();
    drop(removed);
}
