//! Names of the kinds of resource a pool hands out.

use core::fmt;

/// A kind of resource the [`ResourcePool`](crate::pool::ResourcePool) accounts for,
/// named by a static string (`"buffer_bytes"`, `"worker_threads"`, ...).
///
/// Two kinds are the same when their names are equal. The common kinds of the
/// monitoring runtime are provided as constants; any other name works too.
///
/// ```
/// use typestep::pool::ResourceKind;
///
/// const GPU_SLOTS: ResourceKind = ResourceKind::new("gpu_slots");
/// assert_eq!(GPU_SLOTS.name(), "gpu_slots");
/// assert_ne!(GPU_SLOTS, ResourceKind::BUFFER_BYTES);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResourceKind(&'static str);

impl ResourceKind {
    /// Bytes of buffer memory, drawn by the [`BufferManager`](crate::buffer::BufferManager).
    pub const BUFFER_BYTES: ResourceKind = ResourceKind("buffer_bytes");
    /// Worker threads, drawn by the [`ComponentCoordinator`](crate::coordinator::ComponentCoordinator).
    pub const WORKER_THREADS: ResourceKind = ResourceKind("worker_threads");
    /// Open handles (files, sockets, devices).
    pub const HANDLES: ResourceKind = ResourceKind("handles");

    /// A kind named `name`.
    pub const fn new(name: &'static str) -> Self {
        ResourceKind(name)
    }

    /// The kind's name.
    pub const fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
