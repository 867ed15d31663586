//! Event time stamps. The hot path stores a raw reading; readers turn it
//! into time since the logger was created.
//!
//! By default the OS coarse monotonic clock (`CLOCK_MONOTONIC_COARSE`: a
//! vDSO read of the time the kernel last ticked, a few nanoseconds, with
//! the tick's resolution, typically 1–4 ms). Precise time reads the
//! process-wide move clock (`crate::ticks`: the TSC through `quanta`,
//! about 9 ns on the VM the benchmarks ran on). Move and step durations
//! never come from here: the machine and the coordinator measure those
//! exactly.
//!
//! An event recorded right after a timed move (a `MoveLogger`'s) can be
//! stamped without reading a clock: with the precise clock the move's end
//! reading *is* a stamp; with the coarse clock each thread keeps the value
//! it last read, which stands in for a fresh read for 100 µs of the move
//! clock after it was read (well under the coarse clock's own resolution).
//! Every read of the coarse clock on a thread updates that value, so the
//! stamps one thread gives never go backwards, whichever way it records:
//! the per-thread order `RecoveryLogger::collect` promises holds.

use std::time::Duration;

use crate::ticks::{ClockReading, Ticks};

/// Where time stamps come from.
pub(crate) enum Clock {
    /// Nanoseconds of the coarse monotonic clock, from `epoch`.
    #[cfg_attr(
        not(any(target_os = "linux", target_os = "android", target_os = "freebsd")),
        allow(dead_code)
    )]
    Coarse { epoch: u64 },
    /// Readings of the process-wide move clock, from `epoch`.
    Precise { ticks: &'static Ticks, epoch: u64 },
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

    /// The move clock (the TSC, or the OS monotonic clock where there is
    /// no usable TSC).
    pub(crate) fn precise() -> Self {
        let ticks = Ticks::get();
        Clock::Precise {
            ticks,
            epoch: ticks.raw(),
        }
    }

    /// A raw reading, for [`since_epoch`](Self::since_epoch).
    #[inline(always)]
    pub(crate) fn read(&self) -> u64 {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
            Clock::Coarse { .. } => {
                let now = coarse_nanos();
                keep_recent(now);
                now
            }
            #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
            Clock::Coarse { epoch } => *epoch,
            Clock::Precise { ticks, .. } => ticks.raw(),
        }
    }

    /// A raw reading for an event recorded on this thread just after the
    /// move clock read `end`: `end` itself for the precise clock; for the
    /// coarse one, the value this thread last read if it read it less than
    /// 100 µs (of the move clock) before `end`, else a fresh read.
    #[inline(always)]
    pub(crate) fn read_after(&self, end: ClockReading) -> u64 {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
            Clock::Coarse { .. } => recent_after(end.raw()),
            #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
            Clock::Coarse { epoch } => *epoch,
            Clock::Precise { .. } => end.raw(),
        }
    }

    /// Time from the logger's creation to a raw reading (zero if before).
    pub(crate) fn since_epoch(&self, raw: u64) -> Duration {
        match self {
            Clock::Coarse { epoch } => Duration::from_nanos(raw.saturating_sub(*epoch)),
            Clock::Precise { ticks, epoch } => Duration::from_nanos(ticks.nanos(*epoch, raw)),
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

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
thread_local! {
    /// The coarse clock as this thread last read it (see the module's
    /// documentation).
    static RECENT_NANOS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The move-clock reading until which `RECENT_NANOS` stands in for a
    /// fresh read. (Two cells: `keep_recent` is then one plain store.)
    static RECENT_UNTIL: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Remembers `now`, a fresh read of the coarse clock, as this thread's
/// latest.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
#[inline(always)]
fn keep_recent(now: u64) {
    RECENT_NANOS.set(now);
}

/// This thread's latest coarse read if still fresh at move-clock reading
/// `end`, else a fresh one.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
#[inline(always)]
fn recent_after(end: u64) -> u64 {
    if end < RECENT_UNTIL.get() {
        RECENT_NANOS.get()
    } else {
        refresh_recent(end)
    }
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
#[cold]
#[inline(never)]
fn refresh_recent(end: u64) -> u64 {
    let nanos = coarse_nanos();
    RECENT_NANOS.set(nanos);
    RECENT_UNTIL.set(end.saturating_add(Ticks::get().per_100us()));
    nanos
}
