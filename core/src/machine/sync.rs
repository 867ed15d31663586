//! The mutex behind [`SharedMachine`](super::SharedMachine): `parking_lot`
//! normally, loom's model under `--cfg loom`.

#[cfg(not(loom))]
mod imp {
    pub(crate) type Mutex<T> = parking_lot::Mutex<T>;
    type Guard<'a, T> = parking_lot::MutexGuard<'a, T>;

    #[inline]
    pub(crate) fn lock<T>(mutex: &Mutex<T>) -> Guard<'_, T> {
        mutex.lock()
    }

    pub(crate) fn into_inner<T>(mutex: Mutex<T>) -> T {
        mutex.into_inner()
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) type Mutex<T> = loom::sync::Mutex<T>;
    type Guard<'a, T> = loom::sync::MutexGuard<'a, T>;

    pub(crate) fn lock<T>(mutex: &Mutex<T>) -> Guard<'_, T> {
        // A panic while locked leaves the machine consistent (moves commit in
        // one write), so a poisoned lock is still usable.
        mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn into_inner<T>(mutex: Mutex<T>) -> T {
        mutex
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) use imp::{into_inner, lock, Mutex};
