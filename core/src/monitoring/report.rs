//! What the monitoring system reports: metrics of every part, and the
//! outcome of a stop.

use core::fmt;

use super::SystemState;
use crate::buffer::BufferMetrics;
use crate::cleanup::CleanupReport;
use crate::coordinator::CoordinatorMetrics;
use crate::pool::{LeakReport, PoolMetrics};
use crate::recovery::Analytics;

/// A snapshot of every part of a [`MonitoringCoordinator`](crate::monitoring::MonitoringCoordinator).
#[derive(Debug, Clone)]
pub struct MonitoringMetrics {
    /// The system's state.
    pub state: SystemState,
    /// The pool: usage per kind and channel.
    pub pool: PoolMetrics,
    /// Components, workers and failures.
    pub components: CoordinatorMetrics,
    /// Buffers per channel.
    pub buffers: BufferMetrics,
    /// The recovery log's figures.
    pub recovery: Analytics,
}

/// The outcome of [`MonitoringCoordinator::stop`](crate::monitoring::MonitoringCoordinator::stop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopReport {
    /// Every cleanup step that ran, with its outcome and verification.
    pub cleanup: CleanupReport,
    /// Leases still held after the pool was closed.
    pub leaks: LeakReport,
    /// Problems registering the cleanup (normally none).
    pub problems: Vec<String>,
}

impl StopReport {
    /// Whether every step finished `Ok`, nothing leaked, and nothing went wrong.
    pub fn is_clean(&self) -> bool {
        self.cleanup.is_clean() && self.leaks.is_empty() && self.problems.is_empty()
    }
}

impl fmt::Display for StopReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.cleanup)?;
        write!(f, "{}", self.leaks)?;
        for problem in &self.problems {
            writeln!(f, "problem: {problem}")?;
        }
        Ok(())
    }
}
