//! The typed handle of a move whose leaf is decided at run time: into a
//! superstate with `history`, the leaf it resumes.
//!
//! `Typed<Led, led::Idle>` firing `Start` into `Blinking` (declared with
//! `history`) gives a [`Within<Led, led::Blinking>`](Within): "somewhere in
//! `Blinking`". It accepts the transitions declared on `Blinking` (their
//! target does not depend on the leaf), says which leaf it is in
//! ([`state`](Within::state)), and splits into the leaf's own handle
//! ([`into_leaf`](Within::into_leaf), an enum the derive generates per such
//! superstate, `led::InBlinking`).
//!
//! Async moves work the same way: an async move into such a superstate is
//! an [`AsyncResume`](super::AsyncResume) that gives the `Within` handle, and
//! an async transition declared on it is an
//! [`AsyncWithinMove`](super::AsyncWithinMove) of the `Within` handle.
//!
//! ```
//! use typestep::prelude::*;
//!
//! #[derive(Component, Clone)]
//! #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
//! #[state(Blinking, initial = LedOn, history)]
//! #[transition(Idle -> Blinking on Start)]
//! #[transition(LedOn -> LedOff on Tick)]
//! #[transition(LedOff -> LedOn on Tick)]
//! #[transition(Blinking -> Idle on Stop)]
//! struct Led;
//!
//! let blinking: Within<Led, led::Blinking> = Typed::new(Led).fire(led::Start);
//! assert_eq!(blinking.state(), led::State::LedOn); // first entry: `initial`
//! let off = match blinking.into_leaf() {
//!     led::InBlinking::LedOn(on) => on.fire(led::Tick),
//!     led::InBlinking::LedOff(off) => off,
//! };
//! let idle: Typed<Led, led::Idle> = off.fire(led::Stop);
//! let again = idle.fire(led::Start); // resumes where it left
//! assert_eq!(again.state(), led::State::LedOff);
//! let idle: Typed<Led, led::Idle> = again.fire(led::Stop); // declared on `Blinking`
//! # let _ = idle;
//! ```

use core::fmt;
use core::marker::PhantomData;

use super::memory::remember_left;
use super::nested::Region;
use super::refusal::Refusal;
use super::slots::MemorySlots;
use super::table::{Component, StateMarker, Step};
use super::typed::{reject, remembered_in, Rejected, Typed};

/// A component `C` known to be in some leaf of superstate `R`, the leaf
/// known at run time (after a move into `R` that resumed its history).
///
/// Carries the data, the history memory and the leaf. Firing an event that
/// `R` declares gives the next typed handle; [`into_leaf`](Within::into_leaf)
/// gives the leaf's own handle.
pub struct Within<C: Component, R> {
    data: C,
    memory: C::Memory,
    leaf: C::State,
    region: PhantomData<fn() -> R>,
}

impl<C: Component, R> Within<C, R> {
    /// The leaf it is in.
    #[inline]
    pub fn state(&self) -> C::State {
        self.leaf
    }

    /// Fires `event`, declared on `R` (so accepted in every leaf of `R`,
    /// with one target): the handle of the next state, or a `Result` whose
    /// error hands this handle back.
    #[inline]
    pub fn fire<E>(self, event: E) -> E::Output
    where
        E: SuperTransition<C, R>,
    {
        event.apply(self)
    }

    /// The leaf's own handle, as the enum the derive generates for `R`
    /// (`led::InBlinking::LedOn(handle)`, ...).
    #[inline]
    pub fn into_leaf(self) -> R::Leaf
    where
        R: Leaves<C>,
    {
        R::split(self)
    }

    /// The leaf remembered for superstate `Q` (declared with `history`), as
    /// [`Typed::remembered`] says.
    pub fn remembered<Q: Region<C>>(&self, region: Q) -> Option<C::State> {
        remembered_in::<C, Q>(self.memory.slots(), region)
    }

    /// Borrows the component's data.
    #[inline]
    pub fn data(&self) -> &C {
        &self.data
    }

    /// Borrows the component's data mutably. Only the data changes.
    #[inline]
    pub fn data_mut(&mut self) -> &mut C {
        &mut self.data
    }

    /// Gives up the typestate and returns the data.
    #[inline]
    pub fn into_inner(self) -> C {
        self.data
    }

    /// The data, the memory and the leaf.
    #[inline]
    pub(crate) fn into_parts(self) -> (C, C::Memory, C::State) {
        (self.data, self.memory, self.leaf)
    }

    /// The leaf, the data and the memory, for a machine made from it.
    #[inline]
    pub(crate) fn into_machine_parts(self) -> (C::State, C, C::Memory) {
        (self.leaf, self.data, self.memory)
    }
}

impl<C: Component + Clone, R> Clone for Within<C, R> {
    fn clone(&self) -> Self {
        Within {
            data: self.data.clone(),
            memory: self.memory,
            leaf: self.leaf,
            region: PhantomData,
        }
    }
}

impl<C: Component + fmt::Debug, R> fmt::Debug for Within<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Within")
            .field("state", &self.leaf)
            .field("data", &self.data)
            .finish()
    }
}

/// An event type `Self` declared on superstate `R` of component `C`: fired
/// on a [`Within<C, R>`], it leads to one state whichever leaf of `R` it is
/// in: a leaf (a [`Typed`] handle), or a superstate whose leaf is decided at
/// run time (another `Within`, as for a self-transition on a superstate
/// with `history`, which resumes the leaf it was in).
/// `#[derive(Component)]` implements it for every such event of a
/// superstate a move may resume.
#[diagnostic::on_unimplemented(
    message = "`{C}` somewhere in `{R}` has no transition on `{Self}` declared on `{R}`",
    label = "not declared on `{R}` for every leaf",
    note = "a handle that is somewhere in `{R}` accepts the transitions declared on `{R}` itself, whose target does not depend on the leaf",
    note = "to fire an event of one leaf, split the handle first: `match handle.into_leaf() {{ ... }}`"
)]
pub trait SuperTransition<C: Component, R>: Sized {
    /// What firing returns: the next handle, a `Result` for fallible moves,
    /// or an [`AsyncWithinMove`](super::AsyncWithinMove) for async ones.
    type Output;

    /// Performs the move.
    fn apply(self, from: Within<C, R>) -> Self::Output;
}

/// A superstate `Self` of component `C` that a move may resume (it has
/// `history`, or its `initial` child does): the enum of its
/// leaves' handles that [`Within::into_leaf`] gives. Implemented by the
/// derive.
pub trait Leaves<C: Component>: Sized {
    /// The generated enum, one variant per leaf of `Self`.
    type Leaf;

    /// Splits `within` into its leaf's handle.
    fn split(within: Within<C, Self>) -> Self::Leaf;
}

/// A move from a [`Within`] handle that did not happen: the unchanged
/// handle and why.
pub struct RejectedWithin<C: Component, R> {
    /// The handle, still in the same leaf, with its data as before.
    pub handle: Within<C, R>,
    /// Why the move did not happen.
    pub reason: Refusal,
}

impl<C: Component, R> RejectedWithin<C, R> {
    /// Takes the handle back to try something else.
    pub fn into_handle(self) -> Within<C, R> {
        self.handle
    }
}

impl<C: Component, R> fmt::Debug for RejectedWithin<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RejectedWithin")
            .field("component", &C::NAME)
            .field("state", &self.handle.leaf)
            .field("reason", &self.reason)
            .finish()
    }
}

impl<C: Component, R> fmt::Display for RejectedWithin<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` stayed in state `{}`: {}",
            C::NAME,
            self.handle.leaf,
            self.reason
        )
    }
}

impl<C: Component, R> std::error::Error for RejectedWithin<C, R> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

/// One move of a handle's parts from leaf `from` on `event`, as a
/// `StateMachine` makes it (the leaf a resuming move enters is picked from
/// `memory`): the leaf it led to, with the memory updated, or why not (data
/// and memory as they were). The one step behind every move below.
#[inline]
fn step_parts<C: Component>(
    data: &mut C,
    memory: &mut C::Memory,
    from: C::State,
    event: C::Event,
) -> Result<C::State, Refusal> {
    let step = C::step_with_memory(data, from, event, memory.slots());
    landed_in(memory, from, step)
}

/// Where a tried move of a handle's parts from leaf `from` landed: the leaf
/// it entered, with `memory` updated, or why it did not (`memory` as it
/// was). Blocking and async moves alike end here.
#[inline]
pub(crate) fn landed_in<C: Component>(
    memory: &mut C::Memory,
    from: C::State,
    step: Step<C>,
) -> Result<C::State, Refusal> {
    let to = step.landed()?;
    remember_left::<C>(memory.slots_mut(), from, to);
    Ok(to)
}

/// A `Within` handle of `R` in `leaf`.
#[inline]
pub(crate) fn within<C: Component, R>(data: C, memory: C::Memory, leaf: C::State) -> Within<C, R> {
    Within {
        data,
        memory,
        leaf,
        region: PhantomData,
    }
}

/// The move of `from` on `event` into a superstate `R` with `history`: the
/// leaf it resumes is picked from the handle's memory, its chain run as a
/// `StateMachine` would (generated code only).
#[doc(hidden)]
#[inline]
pub fn resume<C: Component, S: StateMarker<C>, R>(
    from: Typed<C, S>,
    event: C::Event,
) -> Result<Within<C, R>, Rejected<C, S>> {
    let (mut data, mut memory) = from.into_parts();
    match step_parts(&mut data, &mut memory, S::STATE, event) {
        Ok(leaf) => Ok(within(data, memory, leaf)),
        Err(refusal) => Err(reject(Typed::from_parts(data, memory), refusal)),
    }
}

/// [`resume`] for a move that cannot be refused (no guard, action, exit or
/// entry action on any leaf it may enter): the handle of where it went.
#[doc(hidden)]
#[inline]
pub fn resume_infallible<C: Component, S: StateMarker<C>, R>(
    from: Typed<C, S>,
    event: C::Event,
) -> Within<C, R> {
    let (mut data, mut memory) = from.into_parts();
    // Not refused: such a move only moves. Staying would keep the handle true.
    let leaf = step_parts(&mut data, &mut memory, S::STATE, event).unwrap_or(S::STATE);
    within(data, memory, leaf)
}

/// The move of a [`Within`] handle on `event`, declared on `R` with target
/// `N` (generated code only).
#[doc(hidden)]
#[inline]
pub fn leave_within<C: Component, R, N: StateMarker<C>>(
    from: Within<C, R>,
    event: C::Event,
) -> Result<Typed<C, N>, RejectedWithin<C, R>> {
    let (mut data, mut memory, leaf) = from.into_parts();
    match step_parts(&mut data, &mut memory, leaf, event) {
        Ok(_) => Ok(Typed::from_parts(data, memory)),
        Err(refusal) => Err(rejected_within(data, memory, leaf, refusal)),
    }
}

/// [`leave_within`] for a move that cannot be refused (no step runs, so
/// only the memory changes).
#[doc(hidden)]
#[inline]
pub fn leave_within_infallible<C: Component, R, N: StateMarker<C>>(
    from: Within<C, R>,
) -> Typed<C, N> {
    let (data, mut memory, leaf) = from.into_parts();
    remember_left::<C>(memory.slots_mut(), leaf, N::STATE);
    Typed::from_parts(data, memory)
}

/// The move of a [`Within`] handle on `event`, declared on `R`, into a
/// superstate `Q` whose leaf is decided at run time (a self-transition on a
/// superstate with `history` resumes the leaf it was in; generated code
/// only).
#[doc(hidden)]
#[inline]
pub fn move_within<C: Component, R, Q>(
    from: Within<C, R>,
    event: C::Event,
) -> Result<Within<C, Q>, RejectedWithin<C, R>> {
    let (mut data, mut memory, leaf) = from.into_parts();
    match step_parts(&mut data, &mut memory, leaf, event) {
        Ok(to) => Ok(within(data, memory, to)),
        Err(refusal) => Err(rejected_within(data, memory, leaf, refusal)),
    }
}

/// [`move_within`] for a move that cannot be refused.
#[doc(hidden)]
#[inline]
pub fn move_within_infallible<C: Component, R, Q>(
    from: Within<C, R>,
    event: C::Event,
) -> Within<C, Q> {
    let (mut data, mut memory, leaf) = from.into_parts();
    // Not refused: such a move only moves. Staying would keep the handle true.
    let to = step_parts(&mut data, &mut memory, leaf, event).unwrap_or(leaf);
    within(data, memory, to)
}

/// The handle of leaf `S` split from a [`Within`] handle; the derive calls
/// it only for the leaf the handle is in.
#[doc(hidden)]
#[inline]
pub fn within_leaf<C: Component, R, S>(from: Within<C, R>) -> Typed<C, S> {
    let (data, memory, _) = from.into_parts();
    Typed::from_parts(data, memory)
}

#[cold]
#[inline(never)]
pub(crate) fn rejected_within<C: Component, R>(
    data: C,
    memory: C::Memory,
    leaf: C::State,
    reason: Refusal,
) -> RejectedWithin<C, R> {
    RejectedWithin {
        handle: within(data, memory, leaf),
        reason,
    }
}
