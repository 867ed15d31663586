//! One process-wide clock for move timing and event stamps: the TSC read
//! through `quanta` (the OS monotonic clock where there is no usable TSC),
//! calibrated once, the first time anything asks for time.
//!
//! A reading is a raw counter value (one `rdtsc`, a few nanoseconds); it is
//! turned into nanoseconds only when a duration is wanted, and into
//! wall-clock time from a base taken once (`SystemTime` and a reading at
//! calibration), so that a timed move reads no OS clock at all. Wall-clock
//! times derived this way follow the TSC: they do not see later steps of the
//! system clock (NTP), which is what a move's time stamp should do anyway
//! (moves keep their order).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

/// The calibrated counter and the wall-clock base.
pub(crate) struct Ticks {
    clock: quanta::Clock,
    /// A reading taken when `base_wall` was read.
    base_raw: u64,
    base_wall: SystemTime,
    /// How far the counter advances in 100 µs (at least 1).
    per_100us: u64,
}

static TICKS: OnceLock<Ticks> = OnceLock::new();

impl Ticks {
    /// The process-wide clock (calibrated by the first call, out of line).
    #[inline(always)]
    pub(crate) fn get() -> &'static Ticks {
        match TICKS.get() {
            Some(ticks) => ticks,
            None => Self::init(),
        }
    }

    #[cold]
    #[inline(never)]
    fn init() -> &'static Ticks {
        TICKS.get_or_init(|| {
            let clock = quanta::Clock::new();
            let base_wall = SystemTime::now();
            let base_raw = clock.raw();
            // The counter's rate, from the calibration: nanoseconds of a
            // large advance, scaled to 100 µs.
            let probe: u64 = 1 << 40;
            let nanos = clock.delta_as_nanos(0, probe).max(1);
            let per_100us = (u128::from(probe) * 100_000 / u128::from(nanos)).max(1);
            Ticks {
                clock,
                base_raw,
                base_wall,
                per_100us: u64::try_from(per_100us).unwrap_or(u64::MAX),
            }
        })
    }

    /// A raw reading: one counter read.
    #[inline(always)]
    pub(crate) fn raw(&self) -> u64 {
        self.clock.raw()
    }

    /// How far the counter advances in 100 µs.
    #[inline(always)]
    pub(crate) fn per_100us(&self) -> u64 {
        self.per_100us
    }

    /// Nanoseconds from reading `start` to reading `end` (0 if `end` is
    /// not later).
    #[inline(always)]
    pub(crate) fn nanos(&self, start: u64, end: u64) -> u64 {
        self.clock.delta_as_nanos(start, end)
    }

    /// The wall-clock time of reading `raw`: the base plus the counter's
    /// advance since (the base itself for a reading taken before it).
    #[inline]
    pub(crate) fn wall(&self, raw: u64) -> SystemTime {
        let since = Duration::from_nanos(self.nanos(self.base_raw, raw));
        self.base_wall.checked_add(since).unwrap_or(self.base_wall)
    }
}

/// The start of a timed move: one reading, and whether the move's
/// wall-clock start is wanted (converting a reading into a `SystemTime` is
/// a 128-bit multiply and a `SystemTime` addition: a third of what timing a
/// move costs, spent only for someone who reads it).
#[derive(Clone, Copy)]
pub(crate) struct Started {
    ticks: &'static Ticks,
    raw: u64,
    wall: bool,
}

impl Started {
    /// Reads the clock now; `wall`: the wall-clock start will be wanted.
    #[inline(always)]
    pub(crate) fn now(wall: bool) -> Self {
        let ticks = Ticks::get();
        Started {
            ticks,
            raw: ticks.raw(),
            wall,
        }
    }

    /// The wall-clock time of the start (when wanted), the time since,
    /// and the reading that ended it (one more reading).
    #[inline(always)]
    pub(crate) fn finish(self) -> Finished {
        let end = self.ticks.raw();
        let took = Duration::from_nanos(self.ticks.nanos(self.raw, end));
        Finished {
            at: self.wall.then(|| self.ticks.wall(self.raw)),
            took,
            end: ClockReading { raw: end },
        }
    }
}

/// What a timed move's clock says when the move is recorded.
#[derive(Clone, Copy)]
pub(crate) struct Finished {
    /// The wall-clock start, when wanted.
    pub(crate) at: Option<SystemTime>,
    pub(crate) took: Duration,
    /// The reading of the process-wide clock that ended the move.
    pub(crate) end: ClockReading,
}

/// A reading of the clock typestep times moves with (the CPU's time stamp
/// counter through `quanta` where it is usable, else the OS monotonic
/// clock), taken when a timed move ended; handed to
/// [`Observer::on_timed_move`](crate::machine::Observer::on_timed_move).
///
/// An observer that stamps what it records can use it instead of reading a
/// clock of its own: the machine read it anyway, to time the move.
///
/// ```
/// use typestep::prelude::*;
/// use typestep::machine::ClockReading;
///
/// #[derive(Component)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// struct Lamp;
///
/// #[derive(Default)]
/// struct Ends(Vec<ClockReading>);
///
/// impl Observer<Lamp> for Ends {
///     fn wants_time(&self) -> bool { true }
///     fn on_timed_move(&mut self, _: &MoveRecord<Lamp>, _: &Lamp, end: ClockReading) {
///         self.0.push(end);
///     }
/// }
///
/// let mut m = StateMachine::new(Lamp).with_observer(Ends::default());
/// m.fire(lamp::Press)?;
/// let end = m.observer().1.0[0];
/// assert!(end.elapsed() < std::time::Duration::from_secs(60));
/// # Ok::<(), FireError<Lamp>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockReading {
    raw: u64,
}

impl ClockReading {
    /// Reads the clock now.
    pub fn now() -> Self {
        ClockReading {
            raw: Ticks::get().raw(),
        }
    }

    /// The time from `earlier` to this reading (zero if `earlier` is not
    /// earlier).
    pub fn since(self, earlier: ClockReading) -> Duration {
        Duration::from_nanos(Ticks::get().nanos(earlier.raw, self.raw))
    }

    /// The time since this reading.
    pub fn elapsed(self) -> Duration {
        ClockReading::now().since(self)
    }

    /// The counter value.
    #[inline(always)]
    pub(crate) fn raw(self) -> u64 {
        self.raw
    }
}

impl core::fmt::Debug for ClockReading {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("ClockReading").field(&self.raw).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_time_follows_the_system_clock() {
        let before = SystemTime::now();
        let started = Started::now(true);
        std::thread::sleep(Duration::from_millis(2));
        let Finished { at, took, end } = started.finish();
        assert!(end.raw() >= started.raw, "the end reading is the later one");
        let at = at.expect("asked for the wall-clock start");
        let after = SystemTime::now();
        assert!(took >= Duration::from_millis(1), "{took:?}");
        // The derived start lies between two system-clock reads, give or
        // take the calibration's error (generous: the TSC is calibrated
        // against the monotonic clock, not the wall clock).
        let slack = Duration::from_millis(50);
        assert!(at + slack >= before, "{at:?} vs {before:?}");
        assert!(at <= after + slack, "{at:?} vs {after:?}");
    }

    #[test]
    fn the_wall_clock_start_only_when_wanted() {
        let Finished { at, took, .. } = Started::now(false).finish();
        assert_eq!(at, None);
        assert!(took < Duration::from_secs(1), "{took:?}");
    }

    #[test]
    fn the_reuse_window_is_100_microseconds_of_the_counter() {
        let ticks = Ticks::get();
        let nanos = ticks.nanos(0, ticks.per_100us());
        assert!((99_000..=101_000).contains(&nanos), "{nanos} ns");
    }

    #[test]
    fn an_earlier_reading_is_not_later() {
        let ticks = Ticks::get();
        let a = ticks.raw();
        let b = ticks.raw();
        assert_eq!(ticks.nanos(b, a.min(b)), 0);
        assert!(ticks.wall(a) <= ticks.wall(b.max(a)));
    }
}
