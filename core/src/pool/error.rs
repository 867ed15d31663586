//! What can go wrong when asking the pool for resources.

use super::id::ChannelId;
use super::kind::ResourceKind;

/// Why the [`ResourcePool`](crate::pool::ResourcePool) refused a request. Nothing
/// was reserved when any of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// The pool was built without a capacity for this kind.
    #[error("the pool has no capacity for resource kind `{kind}`")]
    UnknownKind {
        /// The kind asked for.
        kind: ResourceKind,
    },
    /// The same kind was given two capacities while building the pool.
    #[error("resource kind `{kind}` was given a capacity twice")]
    DuplicateKind {
        /// The kind declared twice.
        kind: ResourceKind,
    },
    /// No channel with this id was ever opened on this pool.
    #[error("no channel {channel} on this pool")]
    UnknownChannel {
        /// The id asked for.
        channel: ChannelId,
    },
    /// The id was handed out by another pool.
    #[error("channel {channel} belongs to another pool")]
    ForeignChannel {
        /// The id given.
        channel: ChannelId,
    },
    /// A channel with this name is already open.
    #[error("a channel named `{name}` is already open")]
    DuplicateChannel {
        /// The name in use.
        name: String,
    },
    /// The channel was closed; it hands out nothing more.
    #[error("channel `{name}` is closed")]
    ChannelClosed {
        /// The channel's name.
        name: String,
    },
    /// A request for zero units (a lease must hold something).
    #[error("a request for zero units of `{kind}`")]
    ZeroUnits {
        /// The kind asked for.
        kind: ResourceKind,
    },
    /// The pool does not have enough free units of this kind.
    #[error("resource `{kind}` exhausted: {requested} requested, {available} of {capacity} free")]
    Exhausted {
        /// The kind asked for.
        kind: ResourceKind,
        /// Units requested.
        requested: u64,
        /// Units free when the request was made.
        available: u64,
        /// The pool's capacity for this kind.
        capacity: u64,
    },
    /// The channel would go over its quota for this kind.
    #[error("channel `{channel}` over quota for `{kind}`: {requested} requested, {used} of {quota} in use")]
    OverQuota {
        /// The channel's name.
        channel: String,
        /// The kind asked for.
        kind: ResourceKind,
        /// Units requested.
        requested: u64,
        /// Units the channel already holds.
        used: u64,
        /// The channel's quota.
        quota: u64,
    },
}
