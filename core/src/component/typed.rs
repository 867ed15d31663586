//! Typestate handles: a component whose current state is part of its type.

use core::fmt;
use core::marker::PhantomData;

use super::memory::remember_left;
use super::nested::Region;
use super::refusal::Refusal;
use super::slots::MemorySlots;
use super::table::{perform, Component, Edge, StateMarker};

/// A component `C` known, at compile time, to be in state `S`.
///
/// Firing an event consumes the handle and returns the handle of the next
/// state; firing an event that `S` does not accept does not compile. The
/// state lives only in the type: for a component without `history` the
/// handle is exactly as large as the component. With `history`, it also
/// carries the remembered leaves ([`Component::Memory`], a few bytes
/// inline), so that a move into such a superstate resumes the right leaf
/// (into a [`Within`](super::Within) handle).
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
pub struct Typed<C: Component, S> {
    data: C,
    memory: C::Memory,
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

impl<C: Component, S> Typed<C, S> {
    /// Fires `event`: the handle of the next state, or (for a guarded or
    /// acting transition) a `Result` whose error hands this handle back.
    #[inline]
    pub fn fire<E>(self, event: E) -> E::Output
    where
        E: Transition<C, S>,
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

    /// The leaf remembered for superstate `R` (declared with `history`):
    /// the leaf this handle's moves last left `R` from, as
    /// [`StateMachine::remembered`](crate::StateMachine::remembered) says.
    pub fn remembered<R: Region<C>>(&self, region: R) -> Option<C::State> {
        remembered_in::<C, R>(self.memory.slots(), region)
    }

    /// Wraps `data` as being in state `S`, with nothing remembered. Callers
    /// guarantee that it is.
    #[inline]
    pub(crate) fn from_checked(data: C) -> Self {
        Typed::from_parts(data, C::Memory::EMPTY)
    }

    /// Wraps `data` and `memory` as being in state `S`. Callers guarantee
    /// that it is.
    #[inline]
    pub(crate) fn from_parts(data: C, memory: C::Memory) -> Self {
        Typed {
            data,
            memory,
            state: PhantomData,
        }
    }

    /// The data and the memory.
    #[inline]
    pub(crate) fn into_parts(self) -> (C, C::Memory) {
        (self.data, self.memory)
    }
}

impl<C: Component, S: StateMarker<C>> Typed<C, S> {
    /// The same data in state `N` after a checked move from `S`: the
    /// superstates with `history` the move left remember `S`.
    #[inline]
    pub(crate) fn moved<N: StateMarker<C>>(mut self) -> Typed<C, N> {
        if !C::HISTORY.is_empty() {
            remember_left::<C>(self.memory.slots_mut(), S::STATE, N::STATE);
        }
        Typed::from_parts(self.data, self.memory)
    }
}

impl<C: Component + Clone, S> Clone for Typed<C, S> {
    fn clone(&self) -> Self {
        Typed::from_parts(self.data.clone(), self.memory)
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
pub trait Transition<C: Component, S>: Sized {
    /// What firing returns: the next handle, or a `Result` for fallible moves.
    type Output;

    /// Performs the move.
    fn apply(self, from: Typed<C, S>) -> Self::Output;
}

/// A fallible typed move that did not happen: the unchanged handle and why.
pub struct Rejected<C: Component, S> {
    /// The handle, still in state `S`, with its data as before the move.
    pub handle: Typed<C, S>,
    /// Why the move did not happen.
    pub reason: Refusal,
}

impl<C: Component, S> Rejected<C, S> {
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
pub(crate) fn advance<C: Component, S: StateMarker<C>, N: StateMarker<C>>(
    from: Typed<C, S>,
) -> Typed<C, N> {
    from.moved()
}

/// Moves `from` along a guarded or acting edge.
#[inline]
pub(crate) fn try_advance<C: Component, S: StateMarker<C>, N: StateMarker<C>>(
    mut from: Typed<C, S>,
    edge: &Edge<C>,
) -> Result<Typed<C, N>, Rejected<C, S>> {
    match perform(&mut from.data, edge) {
        Ok(()) => Ok(from.moved()),
        Err(reason) => Err(reject(from, reason)),
    }
}

/// Builds the rejection out of line: keeping the failure path cold lets the
/// optimiser keep the successful move in registers (measured in
/// `benches/typed_move.rs`: the guarded lifecycle went from about 2x to about
/// 1.1x the hand-written one).
#[cold]
#[inline(never)]
pub(crate) fn reject<C: Component, S>(handle: Typed<C, S>, reason: Refusal) -> Rejected<C, S> {
    Rejected { handle, reason }
}

/// The leaf `slots` (one per [`Component::HISTORY`] entry) remember for
/// superstate `R`, as `remembered` says.
pub(crate) fn remembered_in<C: Component, R: Region<C>>(
    slots: &[Option<C::State>],
    region: R,
) -> Option<C::State> {
    let _ = region;
    let slot = C::HISTORY.iter().position(|&s| Some(s) == R::SUPERSTATE)?;
    slots.get(slot).copied().flatten()
}
