//! Monitored worker threads and the heartbeats they send from inside.

use core::fmt;
use core::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use parking_lot::Mutex;

use super::clock::Clock;
use crate::fault::BoxError;
use crate::pool::Lease;

/// Identifies a worker thread of one coordinator (restarts get a new id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WorkerId(pub(crate) u32);

impl fmt::Display for WorkerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "w{}", self.0)
    }
}

/// How a worker is monitored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerSpec {
    /// The worker promises a [`Heartbeat::beat`] at least this often.
    pub interval: Duration,
    /// How long the worker's cleanup (join) may take before it is reported
    /// timed out.
    pub cleanup_timeout: Duration,
}

impl WorkerSpec {
    /// Beats every `interval`; cleanup may take four intervals (at least 50 ms).
    /// Saturates: `Duration::MAX` means a worker that never needs to beat.
    pub fn every(interval: Duration) -> Self {
        WorkerSpec {
            interval,
            cleanup_timeout: interval.saturating_mul(4).max(Duration::from_millis(50)),
        }
    }

    /// Sets how long the worker's cleanup may take.
    pub fn cleanup_timeout(mut self, timeout: Duration) -> Self {
        self.cleanup_timeout = timeout;
        self
    }

    /// A worker is failed once it has not beaten for longer than this:
    /// one and a half intervals (saturating at `Duration::MAX`).
    pub fn deadline(&self) -> Duration {
        self.interval.saturating_add(self.interval / 2)
    }
}

/// The body of a worker: runs on its own thread with the heartbeat.
pub(crate) type Body = Arc<dyn Fn(&Heartbeat) -> Result<(), BoxError> + Send + Sync>;

/// How a worker thread ended, as seen from inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exit {
    Returned,
    Errored(String),
    Panicked(String),
}

/// What the worker thread and the monitor share.
#[derive(Debug)]
pub(crate) struct WorkerShared {
    pub(crate) last_beat: AtomicU64,
    pub(crate) beats: AtomicU64,
    pub(crate) stop: AtomicBool,
    pub(crate) exit: Mutex<Option<Exit>>,
}

impl WorkerShared {
    pub(crate) fn new(now: Duration) -> Self {
        WorkerShared {
            last_beat: AtomicU64::new(nanos(now)),
            beats: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            exit: Mutex::new(None),
        }
    }

    pub(crate) fn last_beat(&self) -> Duration {
        Duration::from_nanos(self.last_beat.load(Ordering::Acquire))
    }
}

pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The heartbeat of one monitored worker, handed to its body.
///
/// It is neither `Send` nor `Sync`: only the worker thread itself can beat,
/// so a heartbeat proves that thread is alive, not some helper.
pub struct Heartbeat {
    shared: Arc<WorkerShared>,
    clock: Arc<dyn Clock>,
    not_send: PhantomData<*const ()>,
}

impl Heartbeat {
    pub(crate) fn new(shared: Arc<WorkerShared>, clock: Arc<dyn Clock>) -> Self {
        Heartbeat {
            shared,
            clock,
            not_send: PhantomData,
        }
    }

    /// Tells the monitor this thread is alive.
    #[inline]
    pub fn beat(&self) {
        self.shared
            .last_beat
            .store(nanos(self.clock.now()), Ordering::Release);
        self.shared.beats.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether the coordinator asked the worker to stop (at shutdown, or
    /// after it was declared failed).
    #[inline]
    pub fn should_stop(&self) -> bool {
        self.shared.stop.load(Ordering::Acquire)
    }

    /// Sleeps up to `duration` of real time, waking early when asked to stop.
    /// Returns whether the worker should go on (`!should_stop()`).
    pub fn sleep(&self, duration: Duration) -> bool {
        let deadline = crate::time::saturating_instant(std::time::Instant::now(), duration);
        while !self.should_stop() {
            let now = std::time::Instant::now();
            if now >= deadline {
                break;
            }
            std::thread::park_timeout(deadline - now);
        }
        !self.should_stop()
    }
}

impl fmt::Debug for Heartbeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Heartbeat")
            .field("beats", &self.shared.beats.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Where a worker is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum WorkerState {
    /// Running and beating in time.
    Running,
    /// Its body returned `Ok`.
    Finished,
    /// Declared failed (see the coordinator's failures).
    Failed,
    /// Asked to stop and joined.
    Stopped,
}

/// The coordinator's record of one worker.
pub(crate) struct WorkerRecord {
    pub(crate) id: WorkerId,
    pub(crate) name: Arc<str>,
    pub(crate) component: usize,
    pub(crate) generation: u32,
    pub(crate) spec: WorkerSpec,
    pub(crate) shared: Arc<WorkerShared>,
    pub(crate) thread: Option<Thread>,
    pub(crate) handle: Option<JoinHandle<()>>,
    pub(crate) lease: Option<Lease>,
    pub(crate) state: WorkerState,
    /// Kept for restarts; taken at stop so what it captured is dropped.
    pub(crate) body: Option<Body>,
}

impl WorkerRecord {
    /// Asks the thread to stop and wakes it if it sleeps in [`Heartbeat::sleep`].
    pub(crate) fn request_stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(thread) = &self.thread {
            thread.unpark();
        }
    }
}

/// A snapshot of one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WorkerStatus {
    /// The worker's id.
    pub id: WorkerId,
    /// Its name.
    pub name: String,
    /// The component it works for.
    pub component: String,
    /// 0 for the first thread, then one more per restart.
    pub generation: u32,
    /// Where it is in its life.
    pub state: WorkerState,
    /// Heartbeats sent.
    pub beats: u64,
}
