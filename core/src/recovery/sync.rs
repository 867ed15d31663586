//! The ring's atomics and slot lock: `std` atomics and `spin`'s mutex
//! normally, loom's model under `--cfg loom` (so `tests/loom_recovery.rs`
//! explores every interleaving of writers and a reader).

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};

/// A slot's lock. Writers only ever `try_lock` (one CAS; unlocking is a
/// plain store), so a writer never waits; the reader waits with `lock`.
#[derive(Debug)]
pub(crate) struct SlotLock<T>(Inner<T>);

#[cfg(not(loom))]
type Inner<T> = spin::mutex::SpinMutex<T>;
#[cfg(not(loom))]
pub(crate) type SlotGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

#[cfg(loom)]
type Inner<T> = loom::sync::Mutex<T>;
#[cfg(loom)]
pub(crate) type SlotGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> SlotLock<T> {
    pub(crate) fn new(value: T) -> Self {
        SlotLock(Inner::new(value))
    }

    /// The slot, unless someone holds it.
    #[inline(always)]
    pub(crate) fn try_lock(&self) -> Option<SlotGuard<'_, T>> {
        #[cfg(not(loom))]
        return self.0.try_lock();
        #[cfg(loom)]
        return self.0.try_lock().ok();
    }

    /// The slot, waiting for a writer that holds it (readers only: a writer
    /// holds a slot for a few stores and never waits inside).
    pub(crate) fn lock(&self) -> SlotGuard<'_, T> {
        #[cfg(not(loom))]
        loop {
            if let Some(guard) = self.0.try_lock() {
                return guard;
            }
            std::thread::yield_now();
        }
        #[cfg(loom)]
        return self.0.lock().expect("loom model: no panics while locked");
    }
}
