//! The form an event takes inside the ring: at most 128 bytes, so that moving
//! it in and out of a slot is a few vector moves rather than a `memcpy` call
//! (measured: pushing a 136-byte value costs twice a 128-byte one).

use std::time::Duration;

use super::event::{nanos, EventKind, Name, RecoveryEvent};
use super::merge::current_order;

/// Rarely present text: a stable static reason, or shared strings (cleanup
/// step names, error messages) in one box.
enum Extra {
    None,
    Context(&'static str),
    Boxed(Box<(Option<Name>, Option<Name>)>),
}

/// A [`RecoveryEvent`] packed for the ring.
pub(crate) struct Packed {
    /// The recording thread's own counter, breaking ties between equal time
    /// stamps when sources are merged (see `merge.rs`). (The ring's ticket,
    /// its own order, is kept in the slot's state, not here.)
    order: u64,
    /// A raw clock reading (see `clock.rs`).
    at_raw: u64,
    duration_ns: u64,
    component: Name,
    from: Option<&'static str>,
    event: Option<&'static str>,
    to: Option<&'static str>,
    kind: EventKind,
    extra: Extra,
}

const _: () = assert!(core::mem::size_of::<Packed>() <= 128);

impl Packed {
    /// Packs `event`; allocates only when it carries a shared step name or
    /// context (cleanup steps, failure messages), never for moves,
    /// rejections and rollbacks.
    #[inline(always)]
    pub(crate) fn new(event: RecoveryEvent, at_raw: u64) -> Self {
        let order = current_order();
        let extra = match (event.step, event.context) {
            (None, None) => Extra::None,
            (None, Some(Name::Static(context))) => Extra::Context(context),
            (step, context) => Extra::Boxed(Box::new((step, context))),
        };
        Packed {
            order,
            at_raw,
            duration_ns: nanos(event.duration),
            // Rebuilt from its variant, not moved whole: the whole move was
            // one 16-byte load of the tag and pointer the caller had just
            // stored as two 8-byte pieces, which cannot be forwarded and
            // waited for the store buffer (full of the previous slot's
            // stores) to drain: 19.3 -> 18.2 ns a `record`.
            component: match event.component {
                Name::Static(text) => Name::Static(text),
                Name::Shared(text) => Name::Shared(text),
            },
            from: event.from,
            event: event.event,
            to: event.to,
            kind: event.kind,
            extra,
        }
    }

    /// [`new`](Self::new) with the thread counter given (an event moved
    /// here from a dropped `MoveLogger`'s ring keeps the one it had). Out
    /// of line: `new` is the hot path and stays as it is.
    #[inline(never)]
    pub(crate) fn with_order(event: RecoveryEvent, at_raw: u64, order: u64) -> Self {
        let mut packed = Self::new(event, at_raw);
        packed.order = order;
        packed
    }

    /// Replaces `self` field by field: a whole-struct move is compiled
    /// into 16-byte copies of a value just stored in 8-byte pieces, which
    /// stall (no store forwarding) on the hot path.
    #[inline(always)]
    pub(crate) fn assign(&mut self, other: Packed) {
        let Packed {
            order,
            at_raw,
            duration_ns,
            component,
            from,
            event,
            to,
            kind,
            extra,
        } = other;
        self.order = order;
        self.at_raw = at_raw;
        self.duration_ns = duration_ns;
        self.component = component;
        self.from = from;
        self.event = event;
        self.to = to;
        self.kind = kind;
        self.extra = extra;
    }

    /// The raw clock reading taken when it was recorded, and the recording
    /// thread's counter: the key sources are merged by.
    pub(crate) fn key(&self) -> (u64, u64) {
        (self.at_raw, self.order)
    }

    /// The event back, numbered `seq` (its place in the collection order),
    /// recorded `at` after the logger's creation.
    pub(crate) fn unpack(self, seq: u64, at: Duration) -> RecoveryEvent {
        let (step, context) = match self.extra {
            Extra::None => (None, None),
            Extra::Context(context) => (None, Some(Name::Static(context))),
            Extra::Boxed(boxed) => *boxed,
        };
        RecoveryEvent {
            seq,
            at,
            component: self.component,
            kind: self.kind,
            from: self.from,
            event: self.event,
            to: self.to,
            step,
            duration: Duration::from_nanos(self.duration_ns),
            context,
        }
    }
}
