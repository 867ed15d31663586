//! What the supervisor says: events as they happen, and the stop report.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::spec::Strategy;

/// How a child task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// It returned `Ok(())` on its own.
    Normal,
    /// It returned an error (the message).
    Failed(String),
    /// It panicked (the panic's message).
    Panicked(String),
    /// It missed its heartbeat period and was aborted.
    MissedHeartbeat,
    /// It returned after the supervisor cancelled its token.
    ShutDown,
    /// It did not return within its shutdown timeout and was aborted.
    Killed,
}

impl Exit {
    /// Whether the exit is a failure (an error, a panic, a missed heartbeat).
    pub fn is_abnormal(&self) -> bool {
        matches!(
            self,
            Exit::Failed(_) | Exit::Panicked(_) | Exit::MissedHeartbeat
        )
    }

    /// A short, stable name (`"normal"`, `"panicked"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Exit::Normal => "normal",
            Exit::Failed(_) => "failed",
            Exit::Panicked(_) => "panicked",
            Exit::MissedHeartbeat => "missed_heartbeat",
            Exit::ShutDown => "shut_down",
            Exit::Killed => "killed",
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Failed(message) => write!(f, "failed: {message}"),
            Exit::Panicked(message) => write!(f, "panicked: {message}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// Something the supervisor did, in order (see
/// [`Supervisor::events`](super::Supervisor::events)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SupervisorEvent {
    /// A child was started (`generation` 0 the first time).
    Started {
        /// The child.
        child: Arc<str>,
        /// How many times it was started before.
        generation: u64,
    },
    /// A child exited (on its own, or stopped by the supervisor).
    Exited {
        /// The child.
        child: Arc<str>,
        /// How.
        exit: Exit,
    },
    /// A failure restarts these children (stopped first in reverse order,
    /// then started in this order).
    Restarting {
        /// The strategy that chose them.
        strategy: Strategy,
        /// The children that restart, in start order.
        children: Vec<Arc<str>>,
    },
    /// Too many restarts in the period: the supervisor stops everything and
    /// returns [`Escalated`].
    Escalated {
        /// The child whose failure went over the limit.
        child: Arc<str>,
    },
}

/// One child in a [`StopReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedChild {
    /// The child.
    pub child: Arc<str>,
    /// How it ended: [`Exit::ShutDown`] when it returned after its token was
    /// cancelled, [`Exit::Killed`] when it was aborted at its timeout.
    pub exit: Exit,
    /// How long it took to stop.
    pub took: Duration,
    /// The state of its component after the stop, when the child is linked
    /// to one ([`ChildSpec::component`](super::ChildSpec::component)).
    pub state: Option<&'static str>,
}

/// The graceful stop, child by child, in stop order (the reverse of the
/// init order: dependents before what they depend on).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopReport {
    /// Each running child, in the order it was stopped.
    pub children: Vec<StoppedChild>,
    /// Restarts made while the supervisor ran.
    pub restarts: u32,
}

impl StopReport {
    /// Whether every child returned within its timeout (none was killed).
    pub fn is_clean(&self) -> bool {
        self.children.iter().all(|c| c.exit != Exit::Killed)
    }

    /// The children that had to be aborted.
    pub fn killed(&self) -> impl Iterator<Item = &str> {
        self.children
            .iter()
            .filter(|c| c.exit == Exit::Killed)
            .map(|c| &*c.child)
    }
}

impl fmt::Display for StopReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "stop report ({} restarts while running):", self.restarts)?;
        for child in &self.children {
            write!(
                f,
                "  {:<16} {:<10} {:?}",
                child.child,
                child.exit.kind(),
                child.took
            )?;
            match child.state {
                Some(state) => writeln!(f, " -> {state}")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}

/// The restart intensity was exceeded: the supervisor stopped every child
/// and gives up, escalating to its caller (OTP: the supervisor itself fails).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{child}` failed more often than the restart intensity allows; every child was stopped")]
pub struct Escalated {
    /// The child whose failure went over the limit.
    pub child: Arc<str>,
    /// Its last exit.
    pub exit: Exit,
    /// The stop that followed.
    pub report: StopReport,
}
