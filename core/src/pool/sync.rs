//! The synchronization types of the pool: `parking_lot` and `std` normally,
//! loom's models under `--cfg loom` (see `core/tests/loom_pool.rs`).

#[cfg(not(loom))]
mod imp {
    pub(crate) use parking_lot::{Mutex, RwLock};
    pub(crate) use std::sync::atomic::AtomicU64;
    pub(crate) use std::sync::Arc;

    /// Shares a slice built from an iterator.
    pub(crate) fn shared_slice<T>(items: Vec<T>) -> Arc<[T]> {
        Arc::from(items)
    }
}

#[cfg(loom)]
mod imp {
    use std::sync::PoisonError;

    pub(crate) use loom::sync::atomic::AtomicU64;
    pub(crate) use loom::sync::Arc;

    /// Shares a slice built from an iterator.
    pub(crate) fn shared_slice<T>(items: Vec<T>) -> Arc<[T]> {
        Arc::from_std(std::sync::Arc::from(items))
    }

    /// loom's mutex with `parking_lot`'s signature (no poisoning: every
    /// critical section leaves the accounting consistent).
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
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
}

pub(crate) use imp::{shared_slice, Arc, AtomicU64, Mutex, RwLock};
