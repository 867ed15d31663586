//! A mutex whose lock level is part of its type.

use core::fmt;
use core::ops::{Deref, DerefMut};

use parking_lot::{Mutex, MutexGuard};

use super::error::LockError;
use super::level::LevelMarker;

/// A `parking_lot` mutex at lock level `L`.
///
/// It has no public `lock` method: a lock is taken through a system token
/// (`locks.lock(&mutex)`), which the compiler checks against the declared
/// lock order. With exclusive access ([`get_mut`](Self::get_mut),
/// [`into_inner`](Self::into_inner)) no lock is needed.
pub struct OrderedMutex<T, L> {
    inner: Mutex<T>,
    level: LevelMarker<L>,
}

impl<T, L> OrderedMutex<T, L> {
    /// A mutex at level `L` holding `value`.
    #[inline]
    pub const fn new(value: T) -> Self {
        OrderedMutex {
            inner: Mutex::new(value),
            level: core::marker::PhantomData,
        }
    }

    /// The value, without locking (the mutex is consumed).
    #[inline]
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }

    /// The value, without locking (`&mut self` proves no one else holds it).
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Whether some thread holds the lock right now (a hint for monitoring;
    /// it may change immediately).
    #[inline]
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// The address that orders two mutexes of one level in `lock_both` and
    /// `lock_all`.
    fn address(&self) -> usize {
        core::ptr::from_ref(self) as usize
    }
}

impl<T: Default, L> Default for OrderedMutex<T, L> {
    fn default() -> Self {
        OrderedMutex::new(T::default())
    }
}

impl<T, L: super::Level> fmt::Debug for OrderedMutex<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrderedMutex")
            .field("level", &L::NAME)
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}

/// The guard of a locked [`OrderedMutex`]; unlocks when dropped.
pub struct LockGuard<'a, T> {
    inner: MutexGuard<'a, T>,
}

impl<T> Deref for LockGuard<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for LockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

/// Locks `mutex`. Only generated tokens call it, after the compiler has
/// checked the order.
#[inline(always)]
pub(crate) fn acquire<T, L>(mutex: &OrderedMutex<T, L>) -> LockGuard<'_, T> {
    LockGuard {
        inner: mutex.inner.lock(),
    }
}

/// Locks two mutexes of one level, lower address first, so that two threads
/// locking the same pair in either argument order cannot deadlock. The
/// guards come back in argument order.
pub(crate) fn acquire_both<'a, T, L>(
    a: &'a OrderedMutex<T, L>,
    b: &'a OrderedMutex<T, L>,
) -> Result<(LockGuard<'a, T>, LockGuard<'a, T>), LockError> {
    match a.address().cmp(&b.address()) {
        core::cmp::Ordering::Equal => Err(LockError::SameMutex),
        core::cmp::Ordering::Less => {
            let first = acquire(a);
            Ok((first, acquire(b)))
        }
        core::cmp::Ordering::Greater => {
            let second = acquire(b);
            Ok((acquire(a), second))
        }
    }
}

/// Locks every mutex of one level in address order; the guards come back in
/// argument order. Refuses (locking nothing) when a mutex appears twice.
pub(crate) fn acquire_all<'a, T, L>(
    mutexes: &[&'a OrderedMutex<T, L>],
) -> Result<Vec<LockGuard<'a, T>>, LockError> {
    let mut order: Vec<usize> = (0..mutexes.len()).collect();
    order.sort_unstable_by_key(|&i| mutexes[i].address());
    if order
        .windows(2)
        .any(|pair| mutexes[pair[0]].address() == mutexes[pair[1]].address())
    {
        return Err(LockError::SameMutex);
    }
    let mut guards: Vec<Option<LockGuard<'a, T>>> = (0..mutexes.len()).map(|_| None).collect();
    for i in order {
        guards[i] = Some(acquire(mutexes[i]));
    }
    Ok(guards.into_iter().flatten().collect())
}
