//! Figures computed from collected events: per-transition counts and latency
//! percentiles, time in each state, failure and rollback rates.

use core::fmt;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use hdrhistogram::Histogram;

use super::event::{nanos, EventKind, Name, RecoveryEvent};

/// A transition of one component as the log saw it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransitionKey {
    /// The component (name or instance label).
    pub component: Name,
    /// The state left.
    pub from: &'static str,
    /// The event.
    pub event: &'static str,
}

/// How one transition fared.
#[derive(Debug, Clone)]
pub struct TransitionStats {
    /// The state entered (once known).
    pub to: Option<&'static str>,
    /// Committed moves.
    pub taken: u64,
    /// Attempts that were rejected or rolled back.
    pub failed: u64,
    /// Of `failed`, the attempts rolled back after their action failed.
    pub rolled_back: u64,
    latency_ns: Histogram<u64>,
}

impl TransitionStats {
    fn new() -> Self {
        TransitionStats {
            to: None,
            taken: 0,
            failed: 0,
            rolled_back: 0,
            // Two significant digits (1% resolution) keep it to a few KiB;
            // it grows as larger values arrive. `new` fails only for more
            // than 5 significant digits.
            latency_ns: Histogram::new(2).expect("2 significant digits are supported"),
        }
    }

    /// The latency of committed moves at `quantile` (0.0..=1.0); zero when none.
    pub fn latency(&self, quantile: f64) -> Duration {
        Duration::from_nanos(self.latency_ns.value_at_quantile(quantile))
    }

    /// Median latency of committed moves.
    pub fn p50(&self) -> Duration {
        self.latency(0.50)
    }

    /// 95th percentile latency of committed moves.
    pub fn p95(&self) -> Duration {
        self.latency(0.95)
    }

    /// 99th percentile latency of committed moves.
    pub fn p99(&self) -> Duration {
        self.latency(0.99)
    }
}

/// Figures over every event collected so far; see
/// [`RecoveryLogger::analytics`](crate::recovery::RecoveryLogger::analytics).
/// `{}` prints a summary table.
#[derive(Debug, Clone, Default)]
pub struct Analytics {
    transitions: BTreeMap<TransitionKey, TransitionStats>,
    time_in_state: BTreeMap<(Name, &'static str), Duration>,
    /// Per component: the state it is in and when it entered it.
    current: HashMap<Name, (&'static str, Duration)>,
    /// Events ingested, per kind.
    pub moves: u64,
    /// Rejected moves.
    pub rejected: u64,
    /// Rolled-back moves.
    pub rolled_back: u64,
    /// Component failures.
    pub failures: u64,
    /// Cleanup steps that finished `Ok`.
    pub cleanup_ok: u64,
    /// Cleanup steps that did not.
    pub cleanup_failed: u64,
}

impl Analytics {
    /// Folds one event into the figures.
    pub fn ingest(&mut self, event: &RecoveryEvent) {
        match event.kind {
            EventKind::Moved => self.moves += 1,
            EventKind::Rejected => self.rejected += 1,
            EventKind::RolledBack => self.rolled_back += 1,
            EventKind::Failure => self.failures += 1,
            EventKind::Cleanup(outcome) if outcome.is_ok() => self.cleanup_ok += 1,
            EventKind::Cleanup(_) => self.cleanup_failed += 1,
        }
        let (Some(from), Some(on)) = (event.from, event.event) else {
            // An explicit rollback to a checkpoint changes the state too.
            if let (EventKind::RolledBack, Some(from), Some(to)) =
                (event.kind, event.from, event.to)
            {
                self.enter(event, from, to);
            }
            return;
        };
        let key = TransitionKey {
            component: event.component.clone(),
            from,
            event: on,
        };
        let stats = self
            .transitions
            .entry(key)
            .or_insert_with(TransitionStats::new);
        if event.to.is_some() {
            stats.to = event.to;
        }
        match event.kind {
            EventKind::Moved => {
                stats.taken += 1;
                // Auto-resizing: fails only past u64 range, where nothing is lost
                // by clamping.
                if stats.latency_ns.record(nanos(event.duration)).is_err() {
                    stats.latency_ns.saturating_record(nanos(event.duration));
                }
            }
            EventKind::RolledBack => {
                stats.failed += 1;
                stats.rolled_back += 1;
            }
            EventKind::Rejected => stats.failed += 1,
            _ => {}
        }
        match (event.kind, event.to) {
            (EventKind::Moved, Some(to)) => self.enter(event, from, to),
            _ => {
                self.current
                    .entry(event.component.clone())
                    .or_insert((from, event.at));
            }
        }
    }

    /// Time in state: from the first event seen for the component (or its
    /// previous move) to the move that leaves the state.
    fn enter(&mut self, event: &RecoveryEvent, from: &'static str, to: &'static str) {
        let (state, since) = self
            .current
            .insert(event.component.clone(), (to, event.at))
            .unwrap_or((from, event.at));
        let total = self
            .time_in_state
            .entry((event.component.clone(), state))
            .or_default();
        *total = total.saturating_add(event.at.saturating_sub(since));
    }

    /// The figures of every transition seen, in a stable order.
    pub fn transitions(&self) -> impl Iterator<Item = (&TransitionKey, &TransitionStats)> {
        self.transitions.iter()
    }

    /// The figures of `component`'s transition `from --event-->`.
    pub fn transition(&self, component: &str, from: &str, event: &str) -> Option<&TransitionStats> {
        self.transitions
            .iter()
            .find(|(key, _)| &*key.component == component && key.from == from && key.event == event)
            .map(|(_, stats)| stats)
    }

    /// Time `component` spent in `state` before leaving it (completed stays only).
    pub fn time_in_state(&self, component: &str, state: &str) -> Duration {
        self.time_in_state
            .iter()
            .filter(|((c, s), _)| &**c == component && *s == state)
            .map(|(_, d)| *d)
            .sum()
    }

    /// Attempted moves: committed, rejected and rolled back.
    pub fn attempts(&self) -> u64 {
        self.moves + self.rejected + self.rolled_back
    }

    /// Share of attempted moves that did not commit (0.0 when none).
    pub fn failure_rate(&self) -> f64 {
        ratio(self.rejected + self.rolled_back, self.attempts())
    }

    /// Share of attempted moves that were rolled back (0.0 when none).
    pub fn rollback_rate(&self) -> f64 {
        ratio(self.rolled_back, self.attempts())
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl fmt::Display for Analytics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<(String, &TransitionStats)> = self
            .transitions
            .iter()
            .map(|(key, stats)| {
                let to = stats.to.unwrap_or("?");
                (
                    format!("{} {} --{}--> {}", key.component, key.from, key.event, to),
                    stats,
                )
            })
            .collect();
        let width = rows
            .iter()
            .map(|(name, _)| name.len())
            .chain([10])
            .max()
            .unwrap_or(10);
        writeln!(
            f,
            "{:<width$}  {:>8}  {:>8}  {:>10}  {:>10}  {:>10}",
            "transition", "taken", "failed", "p50", "p95", "p99"
        )?;
        for (name, stats) in &rows {
            writeln!(
                f,
                "{:<width$}  {:>8}  {:>8}  {:>10}  {:>10}  {:>10}",
                name,
                stats.taken,
                stats.failed,
                format!("{:.1?}", stats.p50()),
                format!("{:.1?}", stats.p95()),
                format!("{:.1?}", stats.p99())
            )?;
        }
        if !self.time_in_state.is_empty() {
            writeln!(f, "time in state:")?;
            for ((component, state), time) in &self.time_in_state {
                writeln!(f, "  {component} {state}: {time:.1?}")?;
            }
        }
        write!(
            f,
            "moves {}, rejected {}, rolled back {} (failure rate {:.1}%, rollback rate {:.1}%); \
             failures {}; cleanup steps {} ok, {} not",
            self.moves,
            self.rejected,
            self.rolled_back,
            100.0 * self.failure_rate(),
            100.0 * self.rollback_rate(),
            self.failures,
            self.cleanup_ok,
            self.cleanup_failed
        )
    }
}
