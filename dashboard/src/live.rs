//! The dashboard's view of a running system: [`Hub`] pulls from the public
//! runtime API on a timer (never from inside a move), keeps a bounded
//! history of recovery events for resuming clients, per-second trends and
//! the latest [`DashboardSnapshot`], and hands each new event and snapshot to
//! every stream client's own queue (`clients`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use typestep_core::buffer::BufferManager;
use typestep_core::cleanup::CleanupCoordinator;
use typestep_core::coordinator::{
    ComponentCoordinator, CoordinatorMetrics, FailureAction, WorkerId,
};
use typestep_core::pool::ResourcePool;
use typestep_core::recovery::{Analytics, EventKind, Name, RecoveryEvent, RecoveryLogger};

use crate::clients::{Clients, Full, Subscriber};
use crate::declared::Declared;
use crate::message::Message;
use crate::snapshot::{
    BufferChannelView, BuffersView, ChannelView, CleanupStepView, ComponentView, DashboardSnapshot,
    EdgeView, KindView, PoolView, SystemView, Totals, Trends, UsedView,
};
use crate::svg::{self, EdgeFigures};

/// Recovery events kept for clients that reconnect.
pub(crate) const HISTORY: usize = 4096;
/// Seconds of trends kept.
const TREND_SECONDS: usize = 300;
/// A failure this recent keeps a component highlighted.
const FAILED_FOR: Duration = Duration::from_secs(10);
/// "In state X for 10x its usual time", once a stay is this long at least.
const WARN_FACTOR: f64 = 10.0;
const WARN_MIN: Duration = Duration::from_secs(1);
/// A snapshot is broadcast at least this often when nothing happens ...
const SNAPSHOT_EVERY: Duration = Duration::from_millis(1000);
/// ... and at most this often when things do (a flood of moves costs the
/// sampler at most four snapshots a second).
const SNAPSHOT_AT_MOST: Duration = Duration::from_millis(250);
/// A graph whose figures changed is redrawn at most this often (a new state
/// or a failure redraws it at once).
const REDRAW_AT_MOST: Duration = Duration::from_secs(1);

/// What the dashboard reads; every part is optional.
#[derive(Default)]
pub(crate) struct Sources {
    pub(crate) coordinator: Option<ComponentCoordinator>,
    pub(crate) logger: Option<Arc<RecoveryLogger>>,
    pub(crate) pool: Option<ResourcePool>,
    pub(crate) buffers: Option<BufferManager>,
    pub(crate) cleanup: Option<Arc<CleanupCoordinator>>,
    pub(crate) declared: HashMap<&'static str, Declared>,
    pub(crate) system: Option<SystemDecl>,
}

/// A `System`'s declared plan.
#[derive(Debug, Clone)]
pub(crate) struct SystemDecl {
    pub(crate) name: &'static str,
    pub(crate) init_order: &'static [&'static str],
    pub(crate) cleanup_plan: &'static [&'static [&'static str]],
}

/// Labels of a transition histogram.
pub(crate) type TransitionLabels = Vec<(&'static str, String)>;

/// Shared between the sampler, the handlers and the [`Dashboard`](crate::Dashboard) handle.
pub(crate) struct Hub {
    pub(crate) sources: Sources,
    pub(crate) live: Mutex<Live>,
    pub(crate) durations: Family<TransitionLabels, Histogram>,
}

/// What a new stream client starts with ([`Hub::subscribe`]).
pub(crate) struct Joined {
    /// The latest snapshot, JSON.
    pub(crate) snapshot: Arc<str>,
    /// The `Last-Event-ID` was not in the history: this many events are lost.
    pub(crate) fell_behind: Option<u64>,
    /// Kept events after the resume point, oldest first.
    pub(crate) backlog: Vec<Arc<Message>>,
    /// What comes after the backlog.
    pub(crate) subscriber: Subscriber,
}

/// What the sampler keeps between ticks.
pub(crate) struct Live {
    cursor: u64,
    /// Events read so far (the `order` of the newest).
    pub(crate) read: u64,
    /// Recovery events, oldest first (only `Message::Event`).
    pub(crate) history: VecDeque<Arc<Message>>,
    /// Events the log's recent window lost before the dashboard read them.
    pub(crate) missed: u64,
    entered: HashMap<String, Duration>,
    last_failure: HashMap<String, (Duration, String)>,
    cleanup: HashMap<String, &'static str>,
    trends: VecDeque<Bucket>,
    bucket: Bucket,
    bucket_start: Instant,
    svgs: HashMap<String, Drawn>,
    /// Each transition's histogram, found once (no label allocation per event).
    histograms: HashMap<(Name, &'static str, &'static str), Histogram>,
    pub(crate) snapshot: Arc<str>,
    snapshot_at: Option<Instant>,
    pub(crate) analytics: Analytics,
    /// Every stream client's queue (sent to under this lock).
    clients: Clients,
}

/// A component's last drawing and what it showed.
struct Drawn {
    state: &'static str,
    failed: bool,
    figures: String,
    at: Instant,
    svg: String,
}

#[derive(Debug, Clone, Default)]
struct Bucket {
    moves: u64,
    failures: u64,
    durations: Vec<u64>,
    p99: f64,
}

impl Bucket {
    fn close(&mut self) {
        self.durations.sort_unstable();
        self.p99 = quantile(&self.durations, 0.99) as f64 / 1e9;
        self.durations = Vec::new();
    }
}

/// At most this many durations a second are kept for the p99.
const BUCKET_SAMPLES: usize = 8192;

fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Hub {
    pub(crate) fn new(sources: Sources) -> Self {
        Hub {
            sources,
            live: Mutex::new(Live {
                cursor: 0,
                read: 0,
                history: VecDeque::with_capacity(HISTORY),
                missed: 0,
                entered: HashMap::new(),
                last_failure: HashMap::new(),
                cleanup: HashMap::new(),
                trends: VecDeque::with_capacity(TREND_SECONDS),
                bucket: Bucket::default(),
                bucket_start: Instant::now(),
                svgs: HashMap::new(),
                histograms: HashMap::new(),
                snapshot: Arc::from("{}"),
                snapshot_at: None,
                analytics: Analytics::default(),
                clients: Clients::default(),
            }),
            durations: Family::new_with_constructor(|| {
                Histogram::new([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])
            }),
        }
    }

    /// Seconds since the logger started (the time base of its events).
    fn now(&self) -> Duration {
        self.sources
            .logger
            .as_ref()
            .map_or(Duration::ZERO, |logger| logger.uptime())
    }

    /// One sampling pass: new recovery events, trends, and (when anything
    /// changed, or a second passed) a new snapshot. Pulls only; a move never
    /// waits for it.
    pub(crate) fn tick(&self) {
        let mut live = self.live.lock();
        let mut changed = false;
        if let Some(logger) = &self.sources.logger {
            let (events, next) = logger.events_since(live.cursor);
            live.missed += (next - live.cursor).saturating_sub(events.len() as u64);
            live.cursor = next;
            changed = !events.is_empty();
            for event in events {
                self.ingest(&mut live, event);
            }
            if changed {
                live.analytics = logger.analytics();
            }
        }
        let now = Instant::now();
        while now.duration_since(live.bucket_start) >= Duration::from_secs(1) {
            let mut bucket = std::mem::take(&mut live.bucket);
            bucket.close();
            if live.trends.len() == TREND_SECONDS {
                live.trends.pop_front();
            }
            live.trends.push_back(bucket);
            live.bucket_start += Duration::from_secs(1);
            changed = true;
        }
        let since = live.snapshot_at.map(|at| now.duration_since(at));
        let due = since
            .is_none_or(|since| since >= SNAPSHOT_EVERY || (changed && since >= SNAPSHOT_AT_MOST));
        if due {
            let snapshot = self.build(&mut live);
            let json: Arc<str> = serde_json::to_string(&snapshot)
                .unwrap_or_else(|_| String::from("{}"))
                .into();
            live.snapshot = json.clone();
            live.snapshot_at = Some(now);
            live.clients.send(&Arc::new(Message::Snapshot(json)));
        }
    }

    fn ingest(&self, live: &mut Live, event: RecoveryEvent) {
        let component = event.component.to_string();
        match event.kind {
            EventKind::Moved => {
                live.entered.insert(component.clone(), event.at);
                live.bucket.moves += 1;
                if live.bucket.durations.len() < BUCKET_SAMPLES {
                    live.bucket
                        .durations
                        .push(u64::try_from(event.duration.as_nanos()).unwrap_or(u64::MAX));
                }
                if let (Some(from), Some(on), Some(to)) = (event.from, event.event, event.to) {
                    let durations = &self.durations;
                    live.histograms
                        .entry((event.component.clone(), from, on))
                        .or_insert_with(|| {
                            durations
                                .get_or_create(&transition_labels(&component, from, on, to))
                                .clone()
                        })
                        .observe(event.duration.as_secs_f64());
                }
            }
            EventKind::Failure => {
                let context = event
                    .context
                    .as_ref()
                    .map_or_else(String::new, |c| c.to_string());
                live.last_failure
                    .insert(component.clone(), (event.at, context));
            }
            EventKind::Cleanup(outcome) => {
                if let Some(step) = &event.step {
                    live.cleanup.insert(step.to_string(), outcome.name());
                }
            }
            _ => {}
        }
        if event.is_failure() {
            live.bucket.failures += 1;
        }
        live.read += 1;
        let message = Arc::new(Message::Event {
            order: live.read,
            seq: event.seq,
            component,
            kind: event.kind.name(),
            event,
        });
        if live.history.len() == HISTORY {
            live.history.pop_front();
        }
        live.history.push_back(message.clone());
        // Sent under the lock a client joins under: each event is in its
        // backlog or its queue, never both, never neither.
        live.clients.send(&message);
    }

    /// A new stream client: the latest snapshot, the history it asked for
    /// and its own queue of what comes after, all read under one lock (no
    /// event missed or repeated between the two). `last_event_id` is the
    /// `seq` it already has; `None` gives the newest `initial` events.
    pub(crate) fn subscribe(
        &self,
        last_event_id: Option<u64>,
        initial: usize,
    ) -> Result<Joined, Full> {
        let mut live = self.live.lock();
        let rx = live.clients.join()?;
        let history = &live.history;
        let mut fell_behind = None;
        let start = match last_event_id {
            None => history.len().saturating_sub(initial),
            Some(id) => {
                let found = history
                    .iter()
                    .rposition(|m| matches!(&**m, Message::Event { seq, .. } if *seq == id));
                match found {
                    Some(position) => position + 1,
                    None => {
                        // Older than anything kept, or from another run:
                        // say so, then send what is kept.
                        let first = history.front().and_then(|m| match &**m {
                            Message::Event { seq, .. } => Some(*seq),
                            Message::Snapshot(_) => None,
                        });
                        fell_behind = Some(
                            first.map_or(0, |first| first.saturating_sub(id.saturating_add(1))),
                        );
                        0
                    }
                }
            }
        };
        Ok(Joined {
            snapshot: live.snapshot.clone(),
            fell_behind,
            backlog: history.iter().skip(start).cloned().collect(),
            subscriber: Subscriber::new(rx, live.read),
        })
    }

    /// The current snapshot (rebuilt now).
    pub(crate) fn snapshot(&self) -> DashboardSnapshot {
        let mut live = self.live.lock();
        self.build(&mut live)
    }

    fn build(&self, live: &mut Live) -> DashboardSnapshot {
        let now = self.now();
        let sources = &self.sources;
        let metrics = sources
            .coordinator
            .as_ref()
            .map(ComponentCoordinator::metrics);
        let ages: HashMap<WorkerId, Duration> = sources
            .coordinator
            .as_ref()
            .map(|c| c.heartbeat_ages().into_iter().collect())
            .unwrap_or_default();
        let components = match (&metrics, &sources.coordinator) {
            (Some(metrics), Some(coordinator)) => {
                self.components(live, metrics, coordinator, &ages, now)
            }
            _ => Vec::new(),
        };
        let analytics = &live.analytics;
        let totals = Totals {
            moves: analytics.moves,
            rejected: analytics.rejected,
            rolled_back: analytics.rolled_back,
            failures: analytics.failures,
            cleanup_ok: analytics.cleanup_ok,
            cleanup_failed: analytics.cleanup_failed,
            overwritten: sources.logger.as_ref().map_or(0, |l| l.overwritten()) + live.missed,
        };
        DashboardSnapshot {
            uptime_s: now.as_secs_f64(),
            last_seq: live.history.back().and_then(|m| match &**m {
                Message::Event { seq, .. } => Some(*seq),
                Message::Snapshot(_) => None,
            }),
            system: self.system(live),
            components,
            pool: sources.pool.as_ref().map(pool_view),
            buffers: sources.buffers.as_ref().map(buffers_view),
            trends: Trends {
                moves_per_s: live.trends.iter().map(|b| b.moves).collect(),
                failures_per_s: live.trends.iter().map(|b| b.failures).collect(),
                p99_move_s: live.trends.iter().map(|b| b.p99).collect(),
            },
            totals,
        }
    }

    fn system(&self, live: &Live) -> SystemView {
        let decl = self.sources.system.as_ref();
        let cleanup = self.sources.cleanup.as_ref();
        SystemView {
            name: decl.map(|d| d.name),
            init_order: decl.map(|d| d.init_order.to_vec()).unwrap_or_default(),
            cleanup_plan: decl
                .map(|d| {
                    d.cleanup_plan
                        .iter()
                        .map(|level| level.iter().map(|part| step_view(live, part)).collect())
                        .collect()
                })
                .unwrap_or_default(),
            cleaning: cleanup.is_some_and(|c| c.is_cleaning()),
            cleanup_steps: cleanup
                .map(|c| {
                    c.levels()
                        .into_iter()
                        .map(|level| {
                            level
                                .into_iter()
                                .map(|name| step_view(live, &name))
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn components(
        &self,
        live: &mut Live,
        metrics: &CoordinatorMetrics,
        coordinator: &ComponentCoordinator,
        ages: &HashMap<WorkerId, Duration>,
        now: Duration,
    ) -> Vec<ComponentView> {
        let mut views = Vec::with_capacity(metrics.components.len());
        for status in &metrics.components {
            let name = status.name.as_str();
            let failures: Vec<_> = metrics
                .failures
                .iter()
                .filter(|f| f.component == name)
                .collect();
            let restarts = failures
                .iter()
                .filter(|f| matches!(f.action, FailureAction::Restarted(_)))
                .count() as u64;
            let last = failures.last();
            let recent_failure = live
                .last_failure
                .get(name)
                .is_some_and(|(at, _)| now.saturating_sub(*at) <= FAILED_FOR);
            let failed = status.escalated
                || recent_failure
                || last.is_some_and(|f| f.state == status.state && !status.terminal);
            let heartbeat = metrics
                .workers
                .iter()
                .filter(|w| w.component == name)
                .filter_map(|w| ages.get(&w.id))
                .min()
                .map(Duration::as_secs_f64);
            let entered = live.entered.get(name).copied().unwrap_or(Duration::ZERO);
            let in_state = now.saturating_sub(entered);
            let analytics = &live.analytics;
            let declared = self.sources.declared.get(status.kind);
            let mut figures = HashMap::new();
            let mut edges = Vec::new();
            if let Some(declared) = declared {
                for edge in &declared.edges {
                    let stats = analytics.transition(name, edge.from, edge.event);
                    let figure = EdgeFigures {
                        taken: stats.map_or(0, |s| s.taken),
                        failed: stats.map_or(0, |s| s.failed),
                        p99: stats.map_or(Duration::ZERO, |s| s.p99()),
                    };
                    figures.insert((edge.from, edge.event), figure);
                    edges.push(EdgeView {
                        from: edge.from,
                        event: edge.event,
                        to: edge.to,
                        taken: figure.taken,
                        failed: figure.failed,
                        p99_s: figure.p99.as_secs_f64(),
                    });
                }
            }
            // The usual stay: finished stays in this state over their count.
            let exits: u64 = edges
                .iter()
                .filter(|e| e.from == status.state)
                .map(|e| e.taken)
                .sum();
            let usual = (exits > 0)
                .then(|| analytics.time_in_state(name, status.state).as_secs_f64() / exits as f64);
            let warning = usual.and_then(|usual| {
                (exits >= 3
                    && in_state >= WARN_MIN
                    && in_state.as_secs_f64() > WARN_FACTOR * usual.max(1e-9))
                .then(|| {
                    format!(
                        "in state {} for {:.0}x its usual time ({} vs {})",
                        status.state,
                        in_state.as_secs_f64() / usual.max(1e-9),
                        svg::short_duration(in_state),
                        svg::short_duration(Duration::from_secs_f64(usual)),
                    )
                })
            });
            let svg = match declared {
                Some(declared) => {
                    let shown = format!("{figures:?}");
                    let clock = Instant::now();
                    let fresh = live.svgs.get(name).is_some_and(|d| {
                        d.state == status.state
                            && d.failed == failed
                            && (d.figures == shown || clock.duration_since(d.at) < REDRAW_AT_MOST)
                    });
                    if !fresh {
                        let svg = svg::draw(declared, Some(status.state), failed, &figures);
                        live.svgs.insert(
                            name.to_string(),
                            Drawn {
                                state: status.state,
                                failed,
                                figures: shown,
                                at: clock,
                                svg,
                            },
                        );
                    }
                    live.svgs
                        .get(name)
                        .map_or_else(String::new, |d| d.svg.clone())
                }
                None => String::new(),
            };
            views.push(ComponentView {
                name: status.name.clone(),
                kind: status.kind,
                state: status.state,
                terminal: status.terminal,
                failed,
                escalated: status.escalated,
                time_in_state_s: in_state.as_secs_f64(),
                usual_time_in_state_s: usual,
                warning,
                restarts,
                failures: failures.len() as u64,
                restart_budget: coordinator.restart_budget(status.id).ok().flatten(),
                heartbeat_age_s: heartbeat,
                last_failure: last.map(|f| f.to_string()),
                moves: edges.iter().map(|e| e.taken).sum(),
                edges,
                svg,
            });
        }
        views
    }
}

/// A cleanup step (or system part) and its outcome so far.
fn step_view(live: &Live, name: &str) -> CleanupStepView {
    CleanupStepView {
        name: name.to_string(),
        outcome: live.cleanup.get(name).map_or("pending", |o| o).to_string(),
    }
}

pub(crate) fn transition_labels(
    component: &str,
    from: &str,
    event: &str,
    to: &str,
) -> TransitionLabels {
    vec![
        ("component", component.to_string()),
        ("from", from.to_string()),
        ("event", event.to_string()),
        ("to", to.to_string()),
    ]
}

fn pool_view(pool: &ResourcePool) -> PoolView {
    let metrics = pool.metrics();
    PoolView {
        kinds: metrics
            .kinds
            .iter()
            .map(|k| KindView {
                kind: k.kind.name(),
                capacity: k.capacity,
                in_use: k.in_use,
                peak: k.peak,
                refused: k.refused,
            })
            .collect(),
        channels: metrics
            .channels
            .iter()
            .map(|c| ChannelView {
                name: c.name.clone(),
                open: c.open,
                leases: c.leases,
                used: c
                    .used
                    .iter()
                    .map(|(kind, units, quota)| UsedView {
                        kind: kind.name(),
                        units: *units,
                        quota: *quota,
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn buffers_view(buffers: &BufferManager) -> BuffersView {
    let metrics = buffers.metrics();
    BuffersView {
        buffer_size: metrics.buffer_size,
        allocated: metrics.allocated,
        idle: metrics.idle,
        channels: metrics
            .channels
            .iter()
            .map(|c| BufferChannelView {
                name: c.name.clone(),
                in_use: c.stats.in_use,
                cached: c.stats.cached,
                peak: c.stats.peak,
                acquired: c.stats.acquired,
                recycled: c.stats.recycled,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantile_is_nearest_rank() {
        assert_eq!(quantile(&[], 0.99), 0);
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&values, 0.99), 99);
        assert_eq!(quantile(&values, 1.0), 100);
        assert_eq!(quantile(&[7], 0.5), 7);
    }
}
