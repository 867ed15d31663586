//! Centralized resource allocation: [`ResourcePool`], with capacities per
//! [`ResourceKind`], quotas per channel, [`Lease`]s that give their units back
//! when dropped, and a [`LeakReport`].
//!
//! Components never share a resource except through the pool: every unit in use
//! is held by a lease of one channel, and the pool's count of units in use is
//! always the sum of the live leases (the stress test in `tests/pool_stress.rs`
//! checks this under 8 threads).
//!
//! ```
//! use typestep::pool::{PoolError, Quotas, ResourceKind, ResourcePool};
//!
//! let pool = ResourcePool::builder().capacity(ResourceKind::HANDLES, 4).build()?;
//! let sensor = pool.open_channel("sensor", Quotas::new().limit(ResourceKind::HANDLES, 3))?;
//! let lease = pool.acquire(sensor, ResourceKind::HANDLES, 3, "device files")?;
//! assert!(matches!(
//!     pool.acquire(sensor, ResourceKind::HANDLES, 1, "one more"),
//!     Err(PoolError::OverQuota { .. })
//! ));
//! drop(lease); // the units come back
//! assert_eq!(pool.in_use(ResourceKind::HANDLES)?, 0);
//! # Ok::<(), PoolError>(())
//! ```
//!
//! # Units idle in caches
//!
//! The [`BufferManager`](crate::buffer::BufferManager) keeps released buffers
//! in per-thread caches *with* their reservation, so that reusing one takes
//! no lock. Those units are reserved but not in use: [`ResourcePool::in_use`],
//! [`ResourcePool::channel_in_use`], [`PoolMetrics`] and the [`LeakReport`]
//! leave them out and report them apart as cached
//! ([`ResourcePool::cached`], [`KindUsage::cached`], [`LeakReport::cached`]);
//! they still count against the capacity and the channel's quota.
//!
//! A request refused for capacity or quota while caches keep units of that
//! kind first empties the calling thread's caches, asks every other cache
//! to give back, and retries once. Another thread's cache answers on its
//! owner's next acquire or release (nothing on the hot path can be
//! interrupted without a lock), so the units an idle thread can strand are
//! bounded by its cache bound per channel
//! ([`BufferManager::with_thread_cache`](crate::buffer::BufferManager::with_thread_cache)),
//! and come back when that thread uses the channel again, trims its cache
//! ([`BufferManager::trim_thread_cache`](crate::buffer::BufferManager::trim_thread_cache))
//! or exits (its thread-local cache gives everything back when dropped).
//! Closing a channel makes every cache of it give back on its next use,
//! and cache nothing more.
//!
//! # Errors
//!
//! [`PoolError`]: the pool's capacity exhausted or the channel's quota
//! exceeded, an unknown or duplicate kind or channel, a closed channel, or a
//! request for zero units.

mod books;
mod cache;
mod cell;
mod channel;
mod error;
mod id;
mod kind;
mod lease;
mod report;
mod slot;

use crate::loom::{shared_slice, Arc, AtomicU64, Mutex, RwLock};

pub(crate) use cache::CachedAccount;
pub(crate) use cell::{set_local_reclaim, SharedCell};
pub use channel::{PoolChannel, Quotas};
pub use error::PoolError;
pub use id::ChannelId;
pub use kind::ResourceKind;
pub use lease::Lease;
pub use report::{CachedUnits, ChannelUsage, KindUsage, LeakReport, LeakedLease, PoolMetrics};

use books::ChannelSlot;
use slot::{kind_index, KindSlot, Kinds};

/// Centralized allocation of every shared resource of a system.
///
/// A pool is built with a capacity per [`ResourceKind`]; resources are drawn
/// through channels (one per component or data stream), each with optional
/// per-kind [`Quotas`]. A request that would exceed the capacity or the
/// channel's quota is an `Err` and reserves nothing. A [`Lease`] gives its
/// units back when dropped. Closing a channel stops new requests on it; leases
/// it still holds appear in the [`LeakReport`] until they are dropped.
///
/// Cloning a `ResourcePool` gives another handle to the same accounting (this
/// is how the coordinators receive it by injection).
///
/// ```
/// use typestep::pool::{PoolError, Quotas, ResourceKind, ResourcePool};
///
/// let pool = ResourcePool::builder()
///     .capacity(ResourceKind::HANDLES, 4)
///     .build()?;
/// let sensor = pool.open_channel("sensor", Quotas::new().limit(ResourceKind::HANDLES, 3))?;
///
/// let lease = pool.acquire(sensor, ResourceKind::HANDLES, 3, "device files")?;
/// assert_eq!(pool.in_use(ResourceKind::HANDLES)?, 3);
/// assert!(matches!(
///     pool.acquire(sensor, ResourceKind::HANDLES, 1, "one more"),
///     Err(PoolError::OverQuota { .. })
/// ));
///
/// drop(lease); // the units come back
/// assert_eq!(pool.in_use(ResourceKind::HANDLES)?, 0);
/// assert!(pool.close_all().is_empty()); // nothing leaked
/// # Ok::<(), PoolError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ResourcePool {
    /// This pool's tag in its [`ChannelId`]s.
    owner: u64,
    kinds: Kinds,
    channels: Arc<RwLock<Vec<Arc<ChannelSlot>>>>,
}

/// Builds a [`ResourcePool`] from one capacity per kind.
#[derive(Debug, Default)]
#[must_use]
pub struct ResourcePoolBuilder {
    capacities: Vec<(ResourceKind, u64)>,
}

impl ResourcePoolBuilder {
    /// Gives the pool `units` of `kind` to hand out.
    pub fn capacity(mut self, kind: ResourceKind, units: u64) -> Self {
        self.capacities.push((kind, units));
        self
    }

    /// Builds the pool; a kind given twice is an error.
    pub fn build(self) -> Result<ResourcePool, PoolError> {
        for (i, (kind, _)) in self.capacities.iter().enumerate() {
            if self.capacities[..i].iter().any(|(seen, _)| seen == kind) {
                return Err(PoolError::DuplicateKind { kind: *kind });
            }
        }
        let kinds: Kinds = shared_slice(
            self.capacities
                .into_iter()
                .map(|(kind, capacity)| KindSlot {
                    kind,
                    capacity,
                    in_use: AtomicU64::new(0),
                    peak: AtomicU64::new(0),
                    refused: AtomicU64::new(0),
                    caches: Mutex::new(Vec::new()),
                })
                .collect(),
        );
        Ok(ResourcePool {
            owner: crate::owner::next_owner(),
            kinds,
            channels: Arc::new(RwLock::new(Vec::new())),
        })
    }
}

impl ResourcePool {
    /// Starts building a pool.
    pub fn builder() -> ResourcePoolBuilder {
        ResourcePoolBuilder::default()
    }

    /// Whether `other` is a handle on this same pool (not merely an equal one).
    pub fn is_same_pool(&self, other: &ResourcePool) -> bool {
        Arc::ptr_eq(&self.channels, &other.channels)
    }

    /// Opens a channel named `name` with `quotas`. The name must not belong
    /// to another open channel; every kind in `quotas` must have a capacity.
    pub fn open_channel(
        &self,
        name: impl Into<String>,
        quotas: Quotas,
    ) -> Result<ChannelId, PoolError> {
        let name = name.into();
        let quotas = quotas.resolve(&self.kinds)?;
        let mut channels = self.channels.write();
        if channels.iter().any(|c| c.is_open() && c.name() == name) {
            return Err(PoolError::DuplicateChannel { name });
        }
        let id = ChannelId::new(self.owner, channels.len());
        channels.push(Arc::new(ChannelSlot::new(
            id,
            name,
            quotas,
            Arc::clone(&self.kinds),
        )));
        Ok(id)
    }

    /// A handle on channel `id` that requests resources without looking the
    /// channel up again (what the [`BufferManager`](crate::buffer::BufferManager) keeps).
    pub fn channel(&self, id: ChannelId) -> Result<PoolChannel, PoolError> {
        if id.owner() != self.owner {
            return Err(PoolError::ForeignChannel { channel: id });
        }
        self.channels
            .read()
            .get(id.index())
            .map(|slot| PoolChannel::new(Arc::clone(slot)))
            .ok_or(PoolError::UnknownChannel { channel: id })
    }

    /// The id of the open channel named `name`, if there is one.
    pub fn channel_named(&self, name: &str) -> Option<ChannelId> {
        self.channels
            .read()
            .iter()
            .find(|c| c.is_open() && c.name() == name)
            .map(|c| c.id())
    }

    /// Leases `units` of `kind` to `channel`; `purpose` names the lease in
    /// the leak report.
    pub fn acquire(
        &self,
        channel: ChannelId,
        kind: ResourceKind,
        units: u64,
        purpose: &'static str,
    ) -> Result<Lease, PoolError> {
        self.channel(channel)?.acquire(kind, units, purpose)
    }

    /// Closes `channel`: it hands out nothing more. Returns the leases it
    /// still holds (empty when it cleaned up after itself). Closing twice is
    /// harmless.
    pub fn close_channel(&self, channel: ChannelId) -> Result<LeakReport, PoolError> {
        Ok(self.channel(channel)?.close())
    }

    /// Closes every channel and reports the leases still held: the pool's
    /// part of an orderly shutdown.
    pub fn close_all(&self) -> LeakReport {
        let channels = self.channels.read().clone();
        let mut report = LeakReport::default();
        for channel in channels {
            report.extend(PoolChannel::new(channel).close());
        }
        report
    }

    /// The leases held by channels that were closed (each one is a leak: its
    /// owner is gone). Empty after an orderly shutdown.
    pub fn leak_report(&self) -> LeakReport {
        let mut report = LeakReport::default();
        for channel in self.channels.read().iter() {
            if !channel.is_open() {
                report.extend(channel.outstanding());
            }
        }
        report
    }

    /// Units of `kind` in use across all channels.
    pub fn in_use(&self, kind: ResourceKind) -> Result<u64, PoolError> {
        let index = kind_index(&self.kinds, kind)?;
        Ok(self.kinds[index].in_use())
    }

    /// Units of `kind` reserved but idle in buffer caches (not in use: see
    /// [`cached`](crate::pool#units-idle-in-caches)).
    pub fn cached(&self, kind: ResourceKind) -> Result<u64, PoolError> {
        let index = kind_index(&self.kinds, kind)?;
        Ok(self.kinds[index].cached())
    }

    /// The pool's capacity for `kind`.
    pub fn capacity(&self, kind: ResourceKind) -> Result<u64, PoolError> {
        let index = kind_index(&self.kinds, kind)?;
        Ok(self.kinds[index].capacity)
    }

    /// Units of `kind` held by `channel`.
    pub fn channel_in_use(&self, channel: ChannelId, kind: ResourceKind) -> Result<u64, PoolError> {
        let channel = self.channel(channel)?;
        let index = kind_index(&self.kinds, kind)?;
        Ok(channel.slot().used(index))
    }

    /// A snapshot of every kind and channel.
    pub fn metrics(&self) -> PoolMetrics {
        PoolMetrics {
            kinds: self.kinds.iter().map(KindSlot::usage).collect(),
            channels: self.channels.read().iter().map(|c| c.usage()).collect(),
        }
    }
}
