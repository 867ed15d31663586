//! Owner tags: every pool and coordinator draws a number no other instance
//! in the process has, and stamps it into the ids it hands out, so an id
//! given to the wrong instance is refused instead of naming a stranger's
//! channel or component.

use std::sync::atomic::{AtomicU64, Ordering};

/// A tag no other instance of this process has drawn (0 is never drawn).
pub(crate) fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
