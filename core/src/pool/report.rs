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
    /// Units leased now and in use (units idle in caches are not).
    pub in_use: u64,
    /// Units reserved but idle in buffer caches (handed out again at once,
    /// given back when asked; see the [module docs](crate::pool)).
    pub cached: u64,
    /// The most units ever reserved at once (in use or cached).
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
    /// Leases it holds now with units in use.
    pub leases: usize,
    /// Per kind: units in use now and the quota, if any.
    pub used: Vec<(ResourceKind, u64, Option<u64>)>,
    /// Per kind: units reserved but idle in buffer caches (they count
    /// against the quota until given back).
    pub cached: Vec<(ResourceKind, u64)>,
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

/// Units a closed channel still has reserved in buffer caches: not a leak
/// (nobody holds them), but not back yet: each cache gives them back on its
/// owner's next acquire or release, or when its thread exits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CachedUnits {
    /// The channel's id.
    pub channel: ChannelId,
    /// The channel's name.
    pub channel_name: String,
    /// The kind cached.
    pub kind: ResourceKind,
    /// The units idle in caches.
    pub units: u64,
}

/// Leases still held by closed channels. Empty after an orderly shutdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LeakReport {
    /// The leaked leases, by channel then lease number.
    pub leaks: Vec<LeakedLease>,
    /// Units of closed channels idle in buffer caches (not leaks; listed
    /// so that nothing reserved goes unreported).
    pub cached: Vec<CachedUnits>,
}

impl LeakReport {
    /// Whether nothing leaked (units idle in caches are not leaks).
    pub fn is_empty(&self) -> bool {
        self.leaks.is_empty()
    }

    /// Total units of `kind` idle in caches of closed channels.
    pub fn cached_units(&self, kind: ResourceKind) -> u64 {
        self.cached
            .iter()
            .filter(|cached| cached.kind == kind)
            .map(|cached| cached.units)
            .sum()
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
        self.cached.extend(other.cached);
    }
}

impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.leaks.is_empty() {
            writeln!(f, "leak report: no leases held by closed channels")?;
        } else {
            writeln!(
                f,
                "leak report: {} lease(s) held by closed channels",
                self.leaks.len()
            )?;
        }
        for leak in &self.leaks {
            writeln!(
                f,
                "  channel `{}` lease {}: {} {} ({})",
                leak.channel_name, leak.lease, leak.units, leak.kind, leak.purpose
            )?;
        }
        for cached in &self.cached {
            writeln!(
                f,
                "  channel `{}`: {} {} idle in buffer caches (not a leak)",
                cached.channel_name, cached.units, cached.kind
            )?;
        }
        Ok(())
    }
}
