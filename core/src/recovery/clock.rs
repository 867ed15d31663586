//! Event time stamps. The hot path stores a raw reading; readers turn it
//! into time since the logger was created.
//!
//! By default the OS coarse monotonic clock (`CLOCK_MONOTONIC_COARSE`: a
//! vDSO read of the time the kernel last ticked, a few nanoseconds, with
//! the tick's resolution, typically 1–4 ms). Precise time reads the TSC
//! through `quanta` (about 20 ns on the VM the benchmarks ran on). Move and
//! step durations never come from here: the machine and the coordinator
//! measure those exactly.

use std::time::Duration;

/// Where time stamps come from.
pub(crate) enum Clock {
    /// Nanoseconds of the coarse monotonic clock, from `epoch`.
    #[cfg_attr(
        not(any(target_os = "linux", target_os = "android", target_os = "freebsd")),
        allow(dead_code)
    )]
    Coarse { epoch: u64 },
    /// TSC readings through `quanta`, from `epoch`.
    Precise { clock: quanta::Clock, epoch: u64 },
}

impl Clock {
    /// The coarse clock where the OS has one, else the precise one.
    pub(crate) fn coarse() -> Self {
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
        return Clock::Coarse {
            epoch: coarse_nanos(),
        };
        #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
        return Self::precise();
    }

    /// The TSC (or the OS monotonic clock where there is no usable TSC).
    pub(crate) fn precise() -> Self {
        let clock = quanta::Clock::new();
        Clock::Precise {
            epoch: clock.raw(),
            clock,
        }
    }

    /// A raw reading, for [`since_epoch`](Self::since_epoch).
    #[inline(always)]
    pub(crate) fn read(&self) -> u64 {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
            Clock::Coarse { .. } => coarse_nanos(),
            #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
            Clock::Coarse { epoch } => *epoch,
            Clock::Precise { clock, .. } => clock.raw(),
        }
    }

    /// Time from the logger's creation to a raw reading (zero if before).
    pub(crate) fn since_epoch(&self, raw: u64) -> Duration {
        match self {
            Clock::Coarse { epoch } => Duration::from_nanos(raw.saturating_sub(*epoch)),
            Clock::Precise { clock, epoch } if raw > *epoch => clock.delta(*epoch, raw),
            Clock::Precise { .. } => Duration::ZERO,
        }
    }

    /// Whether this is the precise clock.
    pub(crate) fn is_precise(&self) -> bool {
        matches!(self, Clock::Precise { .. })
    }
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
#[inline(always)]
fn coarse_nanos() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
    // A monotonic clock never reads negative.
    let secs = u64::try_from(now.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(now.tv_nsec).unwrap_or(0);
    secs.wrapping_mul(1_000_000_000).wrapping_add(nanos)
}
