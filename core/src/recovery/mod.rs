//! The recovery log: [`RecoveryLogger`] records every move, rejected move,
//! rollback, cleanup step and failure as a structured [`RecoveryEvent`].
//!
//! Recording is a lock-free push into a bounded ring (the oldest event is
//! overwritten when it is full, and counted): it never blocks a move and
//! formats nothing. Readers [`collect`](RecoveryLogger::collect) the ring,
//! which feeds the [`Analytics`] and the recent history kept for debugging,
//! and pass events on to [`Sink`]s ([`JsonLines`], and with features
//! `TracingSink`, `MetricsSink`).

mod analytics;
mod diagram;
mod event;
mod observer;
mod packed;
mod sink;

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossbeam_queue::ArrayQueue;
use parking_lot::Mutex;

use crate::cleanup::StepReport;
use crate::component::Component;
use packed::Packed;

pub use analytics::{Analytics, TransitionKey, TransitionStats};
pub use event::{EventKind, Name, RecoveryEvent};
pub use observer::MoveLogger;
#[cfg(feature = "metrics")]
pub use sink::MetricsSink;
#[cfg(feature = "tracing")]
pub use sink::TracingSink;
pub use sink::{JsonLines, Sink};

/// A bounded, lock-free record of structured events, with analytics and
/// debugging views on the reader side.
///
/// ```
/// use typestep_core::{RecoveryEvent, RecoveryLogger};
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
    ring: ArrayQueue<Packed>,
    next_seq: AtomicU64,
    overwritten: AtomicU64,
    clock: quanta::Clock,
    epoch: quanta::Instant,
    started: SystemTime,
    reader: Mutex<Reader>,
}

/// What readers have collected.
struct Reader {
    analytics: Analytics,
    recent: VecDeque<RecoveryEvent>,
    keep: usize,
}

impl RecoveryLogger {
    /// The ring capacity of [`Default`].
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// A logger whose ring holds `capacity` events (at least one) between
    /// collections; readers keep the same number of recent events for
    /// [`history`](Self::history).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let clock = quanta::Clock::new();
        RecoveryLogger {
            ring: ArrayQueue::new(capacity),
            next_seq: AtomicU64::new(0),
            overwritten: AtomicU64::new(0),
            epoch: clock.now(),
            clock,
            started: SystemTime::now(),
            reader: Mutex::new(Reader {
                analytics: Analytics::default(),
                recent: VecDeque::with_capacity(capacity),
                keep: capacity,
            }),
        }
    }

    /// Records `event`, setting its `seq` and `at`. Lock-free and never
    /// blocks; when the ring is full the oldest event is dropped and counted
    /// in [`overwritten`](Self::overwritten). Allocation-free unless the event
    /// carries a shared (run-time) step name or context, as cleanup steps and
    /// failure messages do: moves, rejections and rollbacks never allocate.
    #[inline]
    pub fn record(&self, event: RecoveryEvent) {
        let at = self.clock.now().saturating_duration_since(self.epoch);
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        if self.ring.force_push(Packed::new(event, seq, at)).is_some() {
            self.overwritten.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a finished cleanup step (used by the
    /// [`CleanupCoordinator`](crate::CleanupCoordinator)).
    pub(crate) fn record_cleanup(
        &self,
        component: Option<&Arc<str>>,
        step: &Arc<str>,
        row: &StepReport,
    ) {
        let component = component.unwrap_or(step).clone();
        let context = row.context.clone().map(Name::from);
        self.record(RecoveryEvent::cleanup(
            component,
            step.clone(),
            row.outcome,
            row.duration,
            context,
        ));
    }

    /// Events recorded so far (including overwritten ones).
    pub fn recorded(&self) -> u64 {
        self.next_seq.load(Ordering::Relaxed)
    }

    /// Events dropped because the ring was full before a reader collected them.
    pub fn overwritten(&self) -> u64 {
        self.overwritten.load(Ordering::Relaxed)
    }

    /// When the logger was created; `event.at` counts from here.
    pub fn started(&self) -> SystemTime {
        self.started
    }

    /// Takes the events now in the ring (at most one ring's worth, so a
    /// reader cannot be kept busy forever), folds them into the analytics and
    /// recent history, and returns them in the order they were pushed.
    pub fn collect(&self) -> Vec<RecoveryEvent> {
        let mut reader = self.reader.lock();
        let mut events = Vec::with_capacity(self.ring.len());
        for _ in 0..self.ring.capacity() {
            let Some(packed) = self.ring.pop() else { break };
            events.push(packed.unpack());
        }
        let reader = &mut *reader;
        for event in &events {
            reader.analytics.ingest(event);
            if reader.recent.len() == reader.keep {
                reader.recent.pop_front();
            }
            reader.recent.push_back(event.clone());
        }
        events
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
        self.clock.now().saturating_duration_since(self.epoch)
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
            .field("recorded", &self.recorded())
            .field("overwritten", &self.overwritten())
            .finish_non_exhaustive()
    }
}
