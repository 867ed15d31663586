//! Moves with outside effects: intents, and how a crash's open intent is
//! resolved.

use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;
use typestep_core::Component;

/// A component that can be stored: its data is (de)serialized with serde,
/// and it says which of its moves have effects outside its data and how to
/// finish such a move when a crash interrupted it.
///
/// The defaults declare no outside effects, so `impl Durable for X {}` is
/// enough for a component whose actions only change its own data.
///
/// Before the action of an event with [`outside_effect`](Durable::outside_effect)
/// runs, the store records an **intent** (one transaction); the move then
/// commits and closes the intent in one more. A crash in between leaves the
/// intent open: the next load that finds it (older than the store's
/// [`intent_lease`](crate::Options::intent_lease)) resolves it exactly once,
/// as [`recover`](Durable::recover) says, in one transaction that appends the
/// resolving move and closes the intent.
pub trait Durable: Component + Serialize + DeserializeOwned {
    /// Whether the action of `event` has effects outside the component's
    /// data (a payment, a message, a file) and so needs an intent.
    fn outside_effect(event: Self::Event) -> bool {
        let _ = event;
        false
    }

    /// How to resolve `intent`, left open by a crash: it is not known whether
    /// the outside effect happened, so this may ask the outside world (the
    /// data is the committed data before the interrupted move).
    fn recover(&self, intent: &OpenIntent<Self>) -> Recovery<Self::Event> {
        let _ = intent;
        Recovery::Manual
    }
}

/// How an open intent is resolved on load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery<E> {
    /// Fire this event from the intent's state (for example a `Reconcile`
    /// that checks with the outside world what happened).
    Fire(E),
    /// Run the interrupted move again: its action is idempotent.
    Rerun,
    /// Do not resolve it automatically: loading the machine fails with
    /// [`StoreError::Unresolved`](crate::StoreError::Unresolved).
    Manual,
}

/// An intent that is still open: a move with outside effects was started
/// and neither committed nor refused.
pub struct OpenIntent<C: Component> {
    /// The move count when it was opened (its move would be `seq + 1`).
    pub seq: u64,
    /// The event whose action was started.
    pub event: C::Event,
    /// The state the machine was (and still is) in.
    pub from: C::State,
    /// When it was opened.
    pub opened_at: SystemTime,
}

impl<C: Component> Clone for OpenIntent<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Component> Copy for OpenIntent<C> {}

impl<C: Component> std::fmt::Debug for OpenIntent<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenIntent")
            .field("component", &C::NAME)
            .field("seq", &self.seq)
            .field("event", &self.event)
            .field("from", &self.from)
            .field("opened_at", &self.opened_at)
            .finish()
    }
}
