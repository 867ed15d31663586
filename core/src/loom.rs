//! The synchronization primitives of the whole crate: `parking_lot`, `spin`
//! and `std` normally, loom's models under `--cfg loom` (see
//! `core/tests/loom_*.rs`), so that one switch puts every shared structure
//! under the model checker.
//!
//! One rule for poisoned locks, everywhere: a lock is never poisoned for its
//! users. `parking_lot` does not poison; under loom a poisoned lock is taken
//! as it is, because every critical section in this crate leaves its data
//! consistent (moves commit in one write, accounting is updated in one place).

#[cfg(not(loom))]
mod imp {
    pub(crate) use parking_lot::{Mutex, MutexGuard, RwLock};
    pub(crate) use std::sync::atomic::{AtomicU64, Ordering};
    pub(crate) use std::sync::Arc;

    /// Shares a slice built from a vector.
    pub(crate) fn shared_slice<T>(items: Vec<T>) -> Arc<[T]> {
        Arc::from(items)
    }

    type SlotInner<T> = spin::mutex::SpinMutex<T>;
    /// A held [`SlotLock`](super::SlotLock).
    pub(crate) type SlotGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

    /// See [`SlotLock`](super::SlotLock).
    #[derive(Debug)]
    pub(crate) struct SlotLock<T>(SlotInner<T>);

    impl<T> SlotLock<T> {
        pub(crate) fn new(value: T) -> Self {
            SlotLock(SlotInner::new(value))
        }

        /// The slot, unless someone holds it.
        #[inline(always)]
        pub(crate) fn try_lock(&self) -> Option<SlotGuard<'_, T>> {
            self.0.try_lock()
        }

        /// The slot, waiting for a writer that holds it (readers only: a
        /// writer holds a slot for a few stores and never waits inside).
        pub(crate) fn lock(&self) -> SlotGuard<'_, T> {
            loop {
                if let Some(guard) = self.0.try_lock() {
                    return guard;
                }
                std::thread::yield_now();
            }
        }
    }
}

#[cfg(loom)]
mod imp {
    use std::sync::PoisonError;

    pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};
    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::sync::MutexGuard;

    /// Shares a slice built from a vector.
    pub(crate) fn shared_slice<T>(items: Vec<T>) -> Arc<[T]> {
        Arc::from_std(std::sync::Arc::from(items))
    }

    /// loom's mutex with `parking_lot`'s signature.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
        }
    }

    /// loom's read-write lock with `parking_lot`'s signature.
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            RwLock(loom::sync::RwLock::new(value))
        }

        pub(crate) fn read(&self) -> loom::sync::RwLockReadGuard<'_, T> {
            self.0.read().unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn write(&self) -> loom::sync::RwLockWriteGuard<'_, T> {
            self.0.write().unwrap_or_else(PoisonError::into_inner)
        }
    }

    /// A held [`SlotLock`](super::SlotLock).
    pub(crate) type SlotGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    /// See [`SlotLock`](super::SlotLock).
    #[derive(Debug)]
    pub(crate) struct SlotLock<T>(loom::sync::Mutex<T>);

    impl<T> SlotLock<T> {
        pub(crate) fn new(value: T) -> Self {
            SlotLock(loom::sync::Mutex::new(value))
        }

        pub(crate) fn try_lock(&self) -> Option<SlotGuard<'_, T>> {
            self.0.try_lock().ok()
        }

        pub(crate) fn lock(&self) -> SlotGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }
}

/// A recovery-ring slot's lock. Writers only ever `try_lock` (one CAS;
/// unlocking is a plain store), so a writer never waits; the reader waits
/// with `lock`.
pub(crate) use imp::SlotLock;
pub(crate) use imp::{shared_slice, Arc, AtomicU64, Mutex, MutexGuard, Ordering, RwLock};
