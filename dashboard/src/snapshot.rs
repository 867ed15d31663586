//! What `/api/snapshot` returns and the page draws: [`DashboardSnapshot`].

use serde::Serialize;

/// Everything the dashboard shows, at one moment.
#[derive(Debug, Clone, Serialize, Default)]
pub struct DashboardSnapshot {
    /// Seconds since the recovery logger started.
    pub uptime_s: f64,
    /// The newest recovery-log sequence number the dashboard has seen.
    pub last_seq: Option<u64>,
    /// The system's declared plan and the cleanup's live progress.
    pub system: SystemView,
    /// Every registered component, in registration order.
    pub components: Vec<ComponentView>,
    /// Pool usage per kind and channel.
    pub pool: Option<PoolView>,
    /// Buffer usage per channel.
    pub buffers: Option<BuffersView>,
    /// Recent per-second figures.
    pub trends: Trends,
    /// Totals of the recovery log.
    pub totals: Totals,
}

/// The declared init order and cleanup plan, and the cleanup in progress.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SystemView {
    /// The `System`'s name, if one was declared to the dashboard.
    pub name: Option<&'static str>,
    /// Parts in init order.
    pub init_order: Vec<&'static str>,
    /// Parts in cleanup order, by level (a level's parts run in parallel),
    /// each with the outcome of the cleanup step of the same name.
    pub cleanup_plan: Vec<Vec<CleanupStepView>>,
    /// Whether a cleanup is running now.
    pub cleaning: bool,
    /// The cleanup coordinator's registered steps by level, with progress.
    pub cleanup_steps: Vec<Vec<CleanupStepView>>,
}

/// One registered cleanup step and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct CleanupStepView {
    /// The step's name.
    pub name: String,
    /// `"pending"`, or the outcome (`"ok"`, `"failed"`, ...).
    pub outcome: String,
}

/// One registered component.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentView {
    /// The name it was registered under.
    pub name: String,
    /// Its type (`Component::NAME`).
    pub kind: &'static str,
    /// Its current state.
    pub state: &'static str,
    /// Whether that state ends its lifecycle.
    pub terminal: bool,
    /// Whether it is failed now: in the state its last failure left it in,
    /// escalated, or failed within the last ten seconds.
    pub failed: bool,
    /// Whether its failures exceeded its restart intensity.
    pub escalated: bool,
    /// Seconds in the current state.
    pub time_in_state_s: f64,
    /// Its usual stay in this state (mean of finished stays), if known.
    pub usual_time_in_state_s: Option<f64>,
    /// Set when it has been in its state for 10x its usual time.
    pub warning: Option<String>,
    /// Restarts so far.
    pub restarts: u64,
    /// Failures detected so far.
    pub failures: u64,
    /// Restarts left in the current window (`None`: no restarts offered).
    pub restart_budget: Option<u32>,
    /// Seconds since its freshest running worker beat (`None`: no worker runs).
    pub heartbeat_age_s: Option<f64>,
    /// Its last failure, as text.
    pub last_failure: Option<String>,
    /// Commits along its declared edges, summed.
    pub moves: u64,
    /// Every declared edge and how it was used.
    pub edges: Vec<EdgeView>,
    /// The declared graph as SVG (empty when the type was not declared to
    /// the dashboard).
    pub svg: String,
}

/// One declared edge and its figures.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeView {
    /// The state left.
    pub from: &'static str,
    /// The event.
    pub event: &'static str,
    /// The state entered.
    pub to: &'static str,
    /// Times taken.
    pub taken: u64,
    /// Attempts rejected or rolled back.
    pub failed: u64,
    /// 99th percentile duration in seconds (0 when never taken).
    pub p99_s: f64,
}

/// Pool usage.
#[derive(Debug, Clone, Serialize)]
pub struct PoolView {
    /// Per resource kind.
    pub kinds: Vec<KindView>,
    /// Per channel.
    pub channels: Vec<ChannelView>,
}

/// One resource kind of the pool.
#[derive(Debug, Clone, Serialize)]
pub struct KindView {
    /// The kind's name.
    pub kind: &'static str,
    /// Units in total.
    pub capacity: u64,
    /// Units leased now.
    pub in_use: u64,
    /// Most units leased at once.
    pub peak: u64,
    /// Requests refused.
    pub refused: u64,
}

/// One pool channel.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    /// The channel's name.
    pub name: String,
    /// Whether it is open.
    pub open: bool,
    /// Leases held now.
    pub leases: usize,
    /// Units used per kind, against the channel's quota.
    pub used: Vec<UsedView>,
}

/// Units of one kind a channel uses.
#[derive(Debug, Clone, Serialize)]
pub struct UsedView {
    /// The kind's name.
    pub kind: &'static str,
    /// Units leased now.
    pub units: u64,
    /// The channel's quota of this kind, if limited.
    pub quota: Option<u64>,
}

/// Buffer usage.
#[derive(Debug, Clone, Serialize)]
pub struct BuffersView {
    /// Bytes per buffer.
    pub buffer_size: usize,
    /// Buffers allocated in total.
    pub allocated: u64,
    /// Buffers idle, ready for reuse.
    pub idle: usize,
    /// Per channel.
    pub channels: Vec<BufferChannelView>,
}

/// One channel's buffers.
#[derive(Debug, Clone, Serialize)]
pub struct BufferChannelView {
    /// The channel's name.
    pub name: String,
    /// Buffers held now.
    pub in_use: u64,
    /// Released buffers idle in threads' caches, still reserved.
    pub cached: u64,
    /// Most reserved at once (held, or idle in a thread's cache).
    pub peak: u64,
    /// Buffers handed out.
    pub acquired: u64,
    /// Of those, recycled ones.
    pub recycled: u64,
}

/// Per-second series, oldest first (the last `trends.moves_per_s.len()` seconds).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Trends {
    /// Committed moves per second.
    pub moves_per_s: Vec<u64>,
    /// Failures (rejections, rollbacks, failures, failed cleanups) per second.
    pub failures_per_s: Vec<u64>,
    /// 99th percentile move duration per second, in seconds.
    pub p99_move_s: Vec<f64>,
}

/// Totals of the recovery log.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Totals {
    /// Committed moves.
    pub moves: u64,
    /// Refused moves.
    pub rejected: u64,
    /// Rolled-back moves.
    pub rolled_back: u64,
    /// Component failures.
    pub failures: u64,
    /// Cleanup steps that finished Ok.
    pub cleanup_ok: u64,
    /// Cleanup steps that did not.
    pub cleanup_failed: u64,
    /// Events lost because the log's ring was full before it was read.
    pub overwritten: u64,
}
