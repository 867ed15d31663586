//! The recovery log: [`RecoveryLogger`] records every move, rejected move,
//! rollback, cleanup step and failure as a structured [`RecoveryEvent`].
//!
//! Recording is a push into a bounded ring that never waits and formats
//! nothing: a [`MoveLogger`] writes into a ring of its own (plain stores, no
//! atomic read-modify-write), [`record`](RecoveryLogger::record) into a ring
//! shared by every thread (one atomic read-modify-write). A full ring drops
//! its oldest events and counts them: nothing is lost silently.
//! Readers [`collect`](RecoveryLogger::collect) the rings, which feeds the
//! [`Analytics`] and the recent history kept for debugging, and pass events on to
//! [`Sink`]s ([`JsonLines`], and with features `TracingSink`, `MetricsSink`).
//! A [`MoveLogger`] observer logs every move of a
//! [`StateMachine`](crate::StateMachine).
//!
//! This module is a lower layer: it knows events, not the parts that emit them
//! (cleanup and the coordinator build their own events).
//!
//! ```
//! use std::time::Duration;
//! use typestep::recovery::{RecoveryEvent, RecoveryLogger};
//!
//! let logger = RecoveryLogger::new(1024);
//! logger.record(RecoveryEvent::moved("Worker", "Created", "Init", "Ready", Duration::from_micros(2)));
//! logger.record(RecoveryEvent::rolled_back(
//!     "Worker", "Ready", "Start", "Running", Duration::from_micros(9), "action_failed",
//! ));
//! let analytics = logger.analytics();
//! assert_eq!(analytics.moves, 1);
//! assert_eq!(analytics.rollback_rate(), 0.5);
//! ```
//!
//! # Errors
//!
//! Recording never fails (a full ring drops its oldest events and counts them). Sinks report I/O
//! errors as [`std::io::Error`] from [`drain_to`](RecoveryLogger::drain_to).

mod analytics;
mod clock;
mod diagram;
mod event;
mod lane;
mod merge;
mod observer;
mod packed;
mod ring;
mod sink;

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;

use crate::component::Component;
use clock::Clock;
use lane::Lanes;
use packed::Packed;
use ring::Ring;

pub use analytics::{Analytics, TransitionKey, TransitionStats};
pub use event::{EventKind, Name, RecoveryEvent, StepOutcome};
pub use observer::MoveLogger;
#[cfg(feature = "metrics")]
pub use sink::MetricsSink;
#[cfg(feature = "tracing")]
pub use sink::TracingSink;
pub use sink::{JsonLines, Sink};

/// A bounded, non-blocking record of structured events, with analytics and
/// debugging views on the reader side.
///
/// ```
/// use typestep::recovery::{RecoveryEvent, RecoveryLogger};
/// use std::time::Duration;
///
/// let logger = RecoveryLogger::new(1024);
/// logger.record(RecoveryEvent::moved("Worker", "Created", "Init", "Ready", Duration::from_micros(2)));
/// logger.record(RecoveryEvent::rolled_back("Worker", "Ready", "Start", "Running", Duration::from_micros(9), "action_failed"));
///
/// let analytics = logger.analytics();
/// assert_eq!(analytics.moves, 1);
/// assert_eq!(analytics.rollback_rate(), 0.5);
/// assert_eq!(logger.history("Worker", 10).len(), 2);
/// println!("{analytics}");
/// ```
pub struct RecoveryLogger {
    /// Where `record` writes.
    ring: Ring,
    /// Where each `MoveLogger` writes.
    lanes: Lanes,
    clock: Clock,
    started: SystemTime,
    reader: Mutex<Reader>,
}

/// What readers have collected.
struct Reader {
    analytics: Analytics,
    recent: VecDeque<RecoveryEvent>,
    keep: usize,
    /// Events folded into `recent` so far (the cursor of `events_since`).
    folded: u64,
}

impl RecoveryLogger {
    /// The ring capacity of [`Default`].
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// The largest ring a logger gets: 65,536 events. A larger capacity
    /// asked of [`new`](Self::new) is capped to it.
    pub const MAX_CAPACITY: usize = 1 << 16;

    /// A logger whose ring holds `capacity` events (at least one, at most
    /// [`MAX_CAPACITY`](Self::MAX_CAPACITY); rounded up to a power of two)
    /// between collections; readers keep `capacity` recent events for
    /// [`history`](Self::history).
    ///
    /// Events are stamped with the OS coarse monotonic clock (resolution of
    /// the kernel tick, typically 1–4 ms; a few ns to read); see
    /// [`precise_time`](Self::precise_time). A [`MoveLogger`]'s event of a
    /// timed move reads no clock: it takes the coarse time its thread last
    /// read, when that read is less than 100 µs old (by the machine's move
    /// clock), so a stamp may be up to 100 µs older than the tick it would
    /// have read; one thread's stamps never go backwards.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, Self::MAX_CAPACITY);
        RecoveryLogger {
            ring: Ring::new(capacity),
            lanes: Lanes::new(capacity),
            clock: Clock::coarse(),
            started: SystemTime::now(),
            reader: Mutex::new(Reader {
                analytics: Analytics::default(),
                recent: VecDeque::with_capacity(capacity),
                keep: capacity,
                folded: 0,
            }),
        }
    }

    /// How many events the ring [`record`](Self::record) writes to holds
    /// between collections (the capacity asked for, capped and rounded up
    /// to a power of two).
    pub fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// How many events each [`MoveLogger`]'s own ring holds between
    /// collections: the capacity asked for, at most 4,096 (each ring
    /// reserves 128 bytes an event, and a system may log many machines).
    pub fn lane_capacity(&self) -> usize {
        self.lanes.capacity()
    }

    /// Stamps events with the TSC (nanosecond resolution) instead of the
    /// coarse clock, at about one TSC read (~9 ns on a VM) more per
    /// [`record`](Self::record). A [`MoveLogger`]'s events of timed moves
    /// cost nothing more: they are stamped with the reading that ended the
    /// move.
    ///
    /// ```
    /// use typestep::recovery::RecoveryLogger;
    /// let logger = RecoveryLogger::new(64).precise_time();
    /// # let _ = logger;
    /// ```
    pub fn precise_time(mut self) -> Self {
        self.clock = Clock::precise();
        self
    }

    /// Records `event`, stamping its `at` (its `seq` is given when it is
    /// [collected](Self::collect)). Costs one atomic read-modify-write and
    /// never waits (a busy slot is skipped, not waited for); when the ring is
    /// full the oldest event is replaced and counted in
    /// [`overwritten`](Self::overwritten). Allocation-free unless the event
    /// carries a shared (run-time) step name or context, as cleanup steps and
    /// failure messages do: moves, rejections and rollbacks never allocate.
    ///
    /// Events recorded here, from any thread, are collected in the order
    /// their records happened when one happened after the other (the ring
    /// numbers them as they are written). How they are ordered against
    /// [`MoveLogger`]s' events is described at [`collect`](Self::collect).
    // Always inlined: the event is then read where the caller built it
    // instead of being copied (168 bytes, a `memcpy` call) first.
    #[inline(always)]
    pub fn record(&self, event: RecoveryEvent) {
        let at = self.clock.read();
        // Packed first: moving the 128-byte form is cheaper than the event.
        self.ring.push(Packed::new(event, at));
    }

    /// Moves the uncollected events of a dropped [`MoveLogger`]'s ring into
    /// the shared ring, in their order, with their stamps.
    fn retire(&self, lane: &lane::LaneWriter) {
        self.lanes.close(lane, |at_raw, order, event| {
            self.ring.push(Packed::with_order(event, at_raw, order));
        });
    }

    /// Events recorded so far, by [`record`](Self::record) and by every
    /// [`MoveLogger`] (including overwritten ones). Sums a counter per slot
    /// and per `MoveLogger`: O(capacity + loggers).
    pub fn recorded(&self) -> u64 {
        self.ring.pushed() + self.lanes.written()
    }

    /// Events lost because a ring was full before a reader collected them
    /// (or, in a shared ring no larger than the number of threads using it,
    /// because every slot a writer tried was busy). Every recorded event is
    /// collected exactly once or counted here. O(capacity + loggers).
    pub fn overwritten(&self) -> u64 {
        self.ring.lost() + self.lanes.lost()
    }

    /// When the logger was created; `event.at` counts from here.
    pub fn started(&self) -> SystemTime {
        self.started
    }

    /// Takes the events now in the rings (at most one ring's worth from
    /// each, so a reader cannot be kept busy forever), numbers them, folds
    /// them into the analytics and recent history, and returns them in
    /// `seq` order. Readers wait for a writer holding a slot, never the
    /// other way round.
    ///
    /// The order, and so each event's `seq` (0, 1, 2, ... across all
    /// collections, given here: lost events get none):
    /// - a [`MoveLogger`]'s events come in the order it recorded them;
    /// - events of [`record`](Self::record) come in the order their records
    ///   happened, when one happened after the other;
    /// - within one collection these sources are merged by time stamp
    ///   (`at`), and at equal time stamps by the order in which the
    ///   recording thread made them (so one thread's events keep their order
    ///   even at the coarse clock's resolution; events of different threads
    ///   with the same stamp are in no particular order);
    /// - an event written while a collection runs may come with the next
    ///   one, after events other loggers recorded later: `seq` is the
    ///   collection order, exact per source, by time stamp across sources.
    pub fn collect(&self) -> Vec<RecoveryEvent> {
        let mut reader = self.reader.lock();
        let mut shared = Vec::new();
        self.ring.take_all(&mut shared);
        shared.sort_unstable_by_key(|(ticket, _)| *ticket);
        let at = |raw| self.clock.since_epoch(raw);
        let shared = shared
            .into_iter()
            .map(|(_, event)| {
                let key = event.key();
                (key, event.unpack(0, at(key.0)))
            })
            .collect();
        let mut sources = vec![shared];
        self.lanes.take_all(&mut sources, at);
        let reader = &mut *reader;
        let mut events = merge::merge(sources);
        for (index, event) in events.iter_mut().enumerate() {
            event.seq = reader.folded + index as u64;
        }
        for event in &events {
            reader.analytics.ingest(event);
            if reader.recent.len() == reader.keep {
                reader.recent.pop_front();
            }
            reader.recent.push_back(event.clone());
            reader.folded += 1;
        }
        events
    }

    /// Collects, then returns the recent events collected by any reader
    /// since `cursor` (0 at first), oldest first, and the cursor to pass
    /// next time. Unlike [`collect`](Self::collect) it takes nothing from
    /// other readers: every caller sees every event other readers collected
    /// too, as long as it calls again before `capacity` more were collected.
    /// When it did not, the oldest are gone: `next - cursor` exceeds
    /// `events.len()` by the number missed.
    ///
    /// ```
    /// use typestep_core::{RecoveryEvent, RecoveryLogger};
    /// let logger = RecoveryLogger::new(8);
    /// logger.record(RecoveryEvent::failure("pump", "stalled"));
    /// let _ = logger.analytics(); // another reader collects first
    /// let (events, next) = logger.events_since(0);
    /// assert_eq!((events.len(), next), (1, 1));
    /// assert!(logger.events_since(next).0.is_empty());
    /// ```
    pub fn events_since(&self, cursor: u64) -> (Vec<RecoveryEvent>, u64) {
        self.collect();
        let reader = self.reader.lock();
        let oldest = reader.folded - reader.recent.len() as u64;
        let skip = usize::try_from(cursor.saturating_sub(oldest)).unwrap_or(usize::MAX);
        let events = reader.recent.iter().skip(skip).cloned().collect();
        (events, reader.folded)
    }

    /// Collects and writes every collected event to `sink`, then flushes it.
    /// Returns how many events were written.
    pub fn drain_to(&self, sink: &mut impl Sink) -> io::Result<usize> {
        let events = self.collect();
        for event in &events {
            sink.write(event)?;
        }
        sink.flush()?;
        Ok(events.len())
    }

    /// Collects, then returns the figures over every event collected so far.
    pub fn analytics(&self) -> Analytics {
        self.collect();
        self.reader.lock().analytics.clone()
    }

    /// Collects, then returns the last `last` events of `component`, oldest first.
    pub fn history(&self, component: &str, last: usize) -> Vec<RecoveryEvent> {
        self.collect();
        let reader = self.reader.lock();
        let mut events: Vec<RecoveryEvent> = reader
            .recent
            .iter()
            .rev()
            .filter(|event| &*event.component == component)
            .take(last)
            .cloned()
            .collect();
        events.reverse();
        events
    }

    /// The last `last` events of `component`, one line each, for a terminal.
    pub fn dump_history(&self, component: &str, last: usize) -> String {
        let mut out = String::new();
        for event in self.history(component, last) {
            out.push_str(&event.to_string());
            out.push('\n');
        }
        out
    }

    /// `C`'s state diagram in Mermaid, each edge labelled with how often the
    /// events of `component` took it and how often it failed.
    pub fn mermaid<C: Component>(&self, component: &str) -> String {
        diagram::mermaid::<C>(&self.analytics(), component)
    }

    /// `C`'s state diagram in DOT, labelled like [`mermaid`](Self::mermaid).
    pub fn dot<C: Component>(&self, component: &str) -> String {
        diagram::dot::<C>(&self.analytics(), component)
    }

    /// How long the logger has existed (the `at` of an event recorded now).
    pub fn uptime(&self) -> Duration {
        self.clock.since_epoch(self.clock.read())
    }
}

impl Default for RecoveryLogger {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl core::fmt::Debug for RecoveryLogger {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecoveryLogger")
            .field("capacity", &self.ring.capacity())
            .field("lane_capacity", &self.lanes.capacity())
            .field("loggers", &self.lanes.count())
            .field("recorded", &self.recorded())
            .field("overwritten", &self.overwritten())
            .field("precise_time", &self.clock.is_precise())
            .finish_non_exhaustive()
    }
}
