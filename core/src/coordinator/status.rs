//! What a coordinator reports about itself: per-component status and metrics.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::pool::ChannelId;

use super::error::{CoordinatorError, Failure};
use super::managed::ComponentId;
use super::worker::{WorkerId, WorkerState, WorkerStatus};

use super::register::ComponentCoordinator;

impl ComponentCoordinator {
    /// A snapshot of every component and worker.
    pub fn metrics(&self) -> CoordinatorMetrics {
        let components = self
            .inner
            .components
            .read()
            .iter()
            .enumerate()
            .map(|(index, entry)| ComponentStatus {
                id: ComponentId {
                    owner: self.inner.owner,
                    index,
                },
                name: entry.name.to_string(),
                kind: entry.driven.kind(),
                state: entry.driven.state(),
                terminal: entry.driven.is_terminal(),
                channel: entry.channel.id(),
                escalated: entry.escalated.load(Ordering::Acquire),
            })
            .collect();
        let names: Vec<Arc<str>> = self
            .inner
            .components
            .read()
            .iter()
            .map(|e| e.name.clone())
            .collect();
        let workers = self
            .inner
            .workers
            .lock()
            .iter()
            .map(|w| WorkerStatus {
                id: w.id,
                name: w.name.to_string(),
                component: names
                    .get(w.component)
                    .map_or_else(String::new, |n| n.to_string()),
                generation: w.generation,
                state: w.state.clone(),
                beats: w.shared.beats.load(Ordering::Relaxed),
            })
            .collect();
        CoordinatorMetrics {
            components,
            workers,
            failures: self.failures(),
        }
    }

    /// How many more restarts `component` may take in its current restart
    /// window before its failures escalate; `None` when its lifecycle offers
    /// no restarts. Read-only (for dashboards).
    pub fn restart_budget(&self, component: ComponentId) -> Result<Option<u32>, CoordinatorError> {
        let entry = self.entry(component)?;
        let Some(policy) = entry.driven.restart_policy() else {
            return Ok(None);
        };
        let now = self.inner.config.clock.now();
        let recent = entry
            .restarts
            .lock()
            .iter()
            .filter(|&&t| now.saturating_sub(t) < policy.window)
            .count();
        let recent = u32::try_from(recent).unwrap_or(u32::MAX);
        Ok(Some(policy.max_restarts.saturating_sub(recent)))
    }

    /// How long ago each running worker last beat its heartbeat, by worker,
    /// in start order. Read-only (for dashboards).
    pub fn heartbeat_ages(&self) -> Vec<(WorkerId, Duration)> {
        let now = self.inner.config.clock.now();
        self.inner
            .workers
            .lock()
            .iter()
            .filter(|w| w.state == WorkerState::Running)
            .map(|w| (w.id, now.saturating_sub(w.shared.last_beat())))
            .collect()
    }
}

/// The state of one registered component.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ComponentStatus {
    /// Its id.
    pub id: ComponentId,
    /// The name it was registered under.
    pub name: String,
    /// Its type (`Component::NAME`).
    pub kind: &'static str,
    /// Its current state.
    pub state: &'static str,
    /// Whether that state ends its lifecycle.
    pub terminal: bool,
    /// Its pool channel.
    pub channel: ChannelId,
    /// Whether its failures exceeded the restart intensity.
    pub escalated: bool,
}

/// A snapshot of a [`ComponentCoordinator`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CoordinatorMetrics {
    /// Every component, in registration order.
    pub components: Vec<ComponentStatus>,
    /// Every worker ever started, in start order.
    pub workers: Vec<WorkerStatus>,
    /// Every failure detected, oldest first.
    pub failures: Vec<Failure>,
}
