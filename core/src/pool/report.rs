//! Snapshots of a pool: usage per kind and channel, and leaked leases.

use core::fmt;

use super::id::ChannelId;
use super::kind::ResourceKind;

/// Usage of one resource kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KindUsage {
    /// The kind.
    pub kind: ResourceKind,
    /// The pool's capacity.
    pub capacity: u64,
    /// Units leased now.
    pub in_use: u64,
    /// The most units ever leased at once.
    pub peak: u64,
    /// Requests refused because the kind was exhausted.
    pub refused: u64,
}

/// Usage of one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChannelUsage {
    /// The channel's id.
    pub channel: ChannelId,
    /// The channel's name.
    pub name: String,
    /// Whether it still hands out resources.
    pub open: bool,
    /// Leases it holds now.
    pub leases: usize,
    /// Per kind: units held now and the quota, if any.
    pub used: Vec<(ResourceKind, u64, Option<u64>)>,
}

/// A snapshot of a [`ResourcePool`](crate::pool::ResourcePool).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PoolMetrics {
    /// One entry per kind, in the order the capacities were given.
    pub kinds: Vec<KindUsage>,
    /// One entry per channel ever opened, in opening order.
    pub channels: Vec<ChannelUsage>,
}

/// A lease still held by a channel that was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LeakedLease {
    /// The channel's id.
    pub channel: ChannelId,
    /// The channel's name.
    pub channel_name: String,
    /// The lease's number within the channel.
    pub lease: u64,
    /// The kind held.
    pub kind: ResourceKind,
    /// The units held.
    pub units: u64,
    /// What the lease was taken for.
    pub purpose: &'static str,
}

/// Leases still held by closed channels. Empty after an orderly shutdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LeakReport {
    /// The leaked leases, by channel then lease number.
    pub leaks: Vec<LeakedLease>,
}

impl LeakReport {
    /// Whether nothing leaked.
    pub fn is_empty(&self) -> bool {
        self.leaks.is_empty()
    }

    /// Total units of `kind` leaked.
    pub fn units(&self, kind: ResourceKind) -> u64 {
        self.leaks
            .iter()
            .filter(|leak| leak.kind == kind)
            .map(|leak| leak.units)
            .sum()
    }

    pub(crate) fn extend(&mut self, other: LeakReport) {
        self.leaks.extend(other.leaks);
    }
}

impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.leaks.is_empty() {
            return writeln!(f, "leak report: no leases held by closed channels");
        }
        writeln!(
            f,
            "leak report: {} lease(s) held by closed channels",
            self.leaks.len()
        )?;
        for leak in &self.leaks {
            writeln!(
                f,
                "  channel `{}` lease {}: {} {} ({})",
                leak.channel_name, leak.lease, leak.units, leak.kind, leak.purpose
            )?;
        }
        Ok(())
    }
}
