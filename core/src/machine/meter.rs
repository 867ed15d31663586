//! The machine's `metrics` counter (`typestep_moves_total`), keyed with
//! static labels: the `counter!` macro builds a key with run-time labels
//! (the component's name) on every call, which allocates on every move.

use core::marker::PhantomData;

use metrics::{Key, Label, Level, Metadata};

use super::error::FireError;
use crate::component::Component;

/// Where the counts come from, as `counter!` would say.
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The label sets of one component, one per outcome: constants, so a move
/// builds no key at run time.
struct Labels<C>(PhantomData<C>);

macro_rules! outcomes {
    ($($name:ident => $outcome:literal,)*) => {
        impl<C: Component> Labels<C> {
            $(
                const $name: &'static [Label] = &[
                    Label::from_static_parts("component", C::NAME),
                    Label::from_static_parts("outcome", $outcome),
                ];
            )*
        }
    };
}

outcomes! {
    MOVED => "moved",
    CANCELLED => "cancelled",
    NOT_ALLOWED => "not_allowed",
    GUARD_REFUSED => "guard_refused",
    GUARD_PANICKED => "guard_panicked",
    ACTION_FAILED => "action_failed",
    ACTION_PANICKED => "action_panicked",
    STATE_CHANGED => "state_changed",
    NEEDS_ASYNC => "needs_async",
    BUSY => "busy",
}

/// Counts one committed move of a `C`.
#[inline]
pub(super) fn moved<C: Component>() {
    count(Labels::<C>::MOVED);
}

/// Counts one cancelled async move of a `C`.
#[inline]
pub(super) fn cancelled<C: Component>() {
    count(Labels::<C>::CANCELLED);
}

/// Counts one rejected move of a `C`, by why it was rejected (the labels
/// of [`FireError::kind`]).
#[inline]
pub(super) fn rejected<C: Component>(error: &FireError<C>) {
    count(match error {
        FireError::NotAllowed { .. } => Labels::<C>::NOT_ALLOWED,
        FireError::GuardRefused { .. } => Labels::<C>::GUARD_REFUSED,
        FireError::GuardPanicked { .. } => Labels::<C>::GUARD_PANICKED,
        FireError::ActionFailed { .. } => Labels::<C>::ACTION_FAILED,
        FireError::ActionPanicked { .. } => Labels::<C>::ACTION_PANICKED,
        FireError::StateChanged { .. } => Labels::<C>::STATE_CHANGED,
        FireError::NeedsAsync { .. } => Labels::<C>::NEEDS_ASYNC,
        FireError::Busy { .. } => Labels::<C>::BUSY,
        FireError::Cancelled { .. } => Labels::<C>::CANCELLED,
    });
}

fn count(labels: &'static [Label]) {
    let key = Key::from_static_parts("typestep_moves_total", labels);
    metrics::with_recorder(|recorder| recorder.register_counter(&key, &METADATA)).increment(1);
}
