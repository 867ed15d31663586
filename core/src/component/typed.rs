//! Typestate handles: a component whose current state is part of its type.

use core::fmt;
use core::marker::PhantomData;

use super::refusal::Refusal;
use super::table::{perform, Component, Edge, StateMarker};

/// A component `C` known, at compile time, to be in state `S`.
///
/// Firing an event consumes the handle and returns the handle of the next
/// state; firing an event that `S` does not accept does not compile. The
/// handle is exactly as large as the component: the state lives only in the
/// type.
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// #[transition(On -> Off on Press)]
/// struct Lamp;
///
/// let lamp = Typed::new(Lamp);
/// let lamp: Typed<Lamp, lamp::On> = lamp.fire(lamp::Press);
/// assert_eq!(lamp.state(), lamp::State::On);
/// ```
#[repr(transparent)]
pub struct Typed<C, S> {
    data: C,
    state: PhantomData<fn() -> S>,
}

impl<C: Component, S: StateMarker<C>> Typed<C, S> {
    /// The run-time value of the state `S`.
    #[inline]
    pub fn state(&self) -> C::State {
        S::STATE
    }
}

impl<C: Component> Typed<C, C::Initial> {
    /// Starts `data` in the component's initial state.
    #[inline]
    pub fn new(data: C) -> Self {
        Typed::from_checked(data)
    }
}

impl<C, S> Typed<C, S> {
    /// Fires `event`: the handle of the next state, or (for a guarded or
    /// acting transition) a `Result` whose error hands this handle back.
    #[inline]
    pub fn fire<E>(self, event: E) -> E::Output
    where
        E: Transition<C, S>,
        E::Output: TypedOutcome,
    {
        event.apply(self)
    }

    /// Borrows the component's data.
    #[inline]
    pub fn data(&self) -> &C {
        &self.data
    }

    /// Borrows the component's data mutably. Only the data changes; the state
    /// stays `S`.
    #[inline]
    pub fn data_mut(&mut self) -> &mut C {
        &mut self.data
    }

    /// Gives up the typestate and returns the data.
    #[inline]
    pub fn into_inner(self) -> C {
        self.data
    }

    /// Wraps `data` as being in state `S`. Callers guarantee that it is.
    #[inline]
    pub(crate) fn from_checked(data: C) -> Self {
        Typed {
            data,
            state: PhantomData,
        }
    }

    /// The same data in state `N`: used only after a checked move.
    #[inline]
    pub(crate) fn retag<N>(self) -> Typed<C, N> {
        Typed::from_checked(self.data)
    }
}

impl<C: Clone, S> Clone for Typed<C, S> {
    fn clone(&self) -> Self {
        Typed::from_checked(self.data.clone())
    }
}

impl<C: Component + fmt::Debug, S: StateMarker<C>> fmt::Debug for Typed<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Typed")
            .field("state", &S::STATE)
            .field("data", &self.data)
            .finish()
    }
}

/// An event type `Self` that moves component `C` out of state `S`.
///
/// `#[derive(Component)]` implements it once per declared `(state, event)`
/// pair; calling [`Typed::fire`] with any other pair is a compile error that
/// names the component, the state and the event.
#[diagnostic::on_unimplemented(
    message = "`{C}` in state `{S}` has no transition on `{Self}`",
    label = "`{S}` does not accept `{Self}`",
    note = "the design of `{C}` declares no `#[transition({S} -> ... on {Self})]`; fire an event that `{S}` accepts, or declare the transition"
)]
pub trait Transition<C, S>: Sized {
    /// What firing returns: the next handle, or a `Result` for fallible moves.
    type Output;

    /// Performs the move.
    fn apply(self, from: Typed<C, S>) -> Self::Output;
}

/// What a typed move gives: the next handle, a `Result` of it, or a future
/// of it. Not implemented for a move whose target leaf is decided at run
/// time (into a superstate with `history`), so that firing one on a typed
/// handle is a compile error that says so.
#[diagnostic::on_unimplemented(
    message = "a typed handle cannot make this move: it enters a superstate with `history` ({Self})",
    label = "the leaf this move enters is decided at run time",
    note = "a superstate with `history` resumes the child it was last left from; a typed handle does not carry that memory, so its next state is not known at compile time",
    note = "fire this event on a `StateMachine` (`StateMachine::from(handle)`), which keeps the memory"
)]
pub trait TypedOutcome {}

#[diagnostic::do_not_recommend]
impl<C, S> TypedOutcome for Typed<C, S> {}

#[diagnostic::do_not_recommend]
impl<T: TypedOutcome, E> TypedOutcome for Result<T, E> {}

/// What [`Transition::apply`] gives for a move into a superstate `R` with
/// `history`: the data, in no state. [`Typed::fire`] refuses such a move at
/// compile time (see [`TypedOutcome`]); this type names the superstate in
/// that error.
pub struct EntersHistory<C, R> {
    data: C,
    superstate: PhantomData<fn() -> R>,
}

impl<C, R> EntersHistory<C, R> {
    /// Gives up the move and returns the data.
    pub fn into_inner(self) -> C {
        self.data
    }
}

/// The output of a typed move into a superstate with `history` (generated
/// code only).
#[doc(hidden)]
#[inline]
pub fn enters_history<C, S, R>(from: Typed<C, S>) -> EntersHistory<C, R> {
    EntersHistory {
        data: from.data,
        superstate: PhantomData,
    }
}

/// A fallible typed move that did not happen: the unchanged handle and why.
pub struct Rejected<C, S> {
    /// The handle, still in state `S`, with its data as before the move.
    pub handle: Typed<C, S>,
    /// Why the move did not happen.
    pub reason: Refusal,
}

impl<C, S> Rejected<C, S> {
    /// Takes the handle back to try something else.
    pub fn into_handle(self) -> Typed<C, S> {
        self.handle
    }
}

impl<C: Component, S: StateMarker<C>> fmt::Debug for Rejected<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("component", &C::NAME)
            .field("state", &S::STATE)
            .field("reason", &self.reason)
            .finish()
    }
}

impl<C: Component, S: StateMarker<C>> fmt::Display for Rejected<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` stayed in state `{}`: {}",
            C::NAME,
            S::STATE,
            self.reason
        )
    }
}

impl<C: Component, S: StateMarker<C>> std::error::Error for Rejected<C, S> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

/// Moves `from` along an infallible edge (no guard, no action).
#[inline]
pub(crate) fn advance<C, S, N>(from: Typed<C, S>) -> Typed<C, N> {
    from.retag()
}

/// Moves `from` along a guarded or acting edge.
#[inline]
pub(crate) fn try_advance<C: Component, S, N>(
    mut from: Typed<C, S>,
    edge: &Edge<C>,
) -> Result<Typed<C, N>, Rejected<C, S>> {
    match perform(&mut from.data, edge) {
        Ok(()) => Ok(from.retag()),
        Err(reason) => Err(reject(from, reason)),
    }
}

/// Builds the rejection out of line: keeping the failure path cold lets the
/// optimiser keep the successful move in registers (measured in
/// `benches/typed_move.rs`: the guarded lifecycle went from about 2x to about
/// 1.1x the hand-written one).
#[cold]
#[inline(never)]
fn reject<C, S>(handle: Typed<C, S>, reason: Refusal) -> Rejected<C, S> {
    Rejected { handle, reason }
}
