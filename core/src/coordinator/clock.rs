//! The time source of thread monitoring, injectable so tests never sleep.

use core::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A monotonic clock: the time since some fixed start.
///
/// The [`ComponentCoordinator`](crate::coordinator::ComponentCoordinator) reads it for
/// heartbeats, deadlines and restart windows. [`SystemClock`] is the real
/// one; [`ManualClock`] only moves when a test advances it.
pub trait Clock: Send + Sync + Debug + 'static {
    /// The time since the clock's start.
    fn now(&self) -> Duration;
}

/// The real monotonic clock (`Instant`).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock starting now.
    pub fn new() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when [`advance`](ManualClock::advance)d; clones
/// share the time. For deterministic tests of deadlines and restart windows.
///
/// ```
/// use std::time::Duration;
/// use typestep::coordinator::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// clock.advance(Duration::from_millis(30));
/// assert_eq!(clock.now(), Duration::from_millis(30));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the time forward by `by` (saturating: the clock stops at
    /// `u64::MAX` nanoseconds, some 584 years, and never wraps back).
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(nanos))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}
