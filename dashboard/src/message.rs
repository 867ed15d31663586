//! What the stream sends: recovery events and snapshots.

use std::sync::Arc;

use typestep_core::recovery::RecoveryEvent;

/// One message to stream clients.
#[derive(Debug)]
// Every message lives in an `Arc` and snapshots are few: boxing the event
// would cost an allocation per event to save bytes on a handful.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Message {
    /// A recovery event (serialized only when sent: nobody watching, no
    /// formatting), with its component and kind for filters.
    Event {
        /// Position in the order the dashboard read events (dense, from 1).
        order: u64,
        seq: u64,
        component: String,
        kind: &'static str,
        event: RecoveryEvent,
    },
    /// A whole snapshot, JSON.
    Snapshot(Arc<str>),
}
