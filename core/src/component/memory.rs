//! Shallow history: what a superstate declared with `history` remembers.
//!
//! `#[state(Blinking, initial = LedOn, history)]` makes a transition that
//! targets `Blinking` itself resume the child the machine was in when it
//! last left `Blinking` (the first time, `initial`). The memory is one
//! remembered leaf per such superstate ([`Component::HISTORY`]), kept by the
//! [`StateMachine`](crate::StateMachine) and updated only when a move
//! commits, so a refused, failed, panicking or cancelled move leaves it as
//! it was, like the state and the data.
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
//! let mut machine = StateMachine::new(Led);
//! machine.fire(led::Start)?; // first entry: `initial`
//! machine.fire(led::Tick)?;
//! machine.fire(led::Stop)?;
//! assert_eq!(machine.remembered(led::Blinking), Some(led::State::LedOff));
//! machine.fire(led::Start)?; // resumes where it left
//! assert_eq!(machine.state(), led::State::LedOff);
//! # Ok::<(), typestep::machine::FireError<Led>>(())
//! ```

use core::fmt;

use super::nested::inside;
use super::table::{Component, Label};

/// The remembered leaves of a component's superstates with `history`: one
/// slot per entry of [`Component::HISTORY`], in that order.
///
/// Holds nothing, and allocates nothing, for a component without
/// `history`. Every leaf it holds lies inside its superstate: the only ways
/// in are a committed move ([`left`](Self::left)) and the checked
/// [`remember`](Self::remember).
pub struct HistoryMemory<C: Component> {
    slots: Box<[Option<C::State>]>,
}

/// A leaf that cannot be remembered for a superstate: the superstate is not
/// declared with `history`, or the leaf is not nested in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{component}` cannot remember `{leaf}` for `{superstate}`: {why}")]
pub struct MemoryRefused {
    /// The component's name.
    pub component: &'static str,
    /// The superstate, as named.
    pub superstate: String,
    /// The leaf, as named.
    pub leaf: String,
    /// Why not.
    pub why: &'static str,
}

impl<C: Component> HistoryMemory<C> {
    /// Nothing remembered: every superstate with `history` is entered by its
    /// `initial` the next time.
    #[inline]
    pub fn new() -> Self {
        HistoryMemory {
            slots: vec![None; C::HISTORY.len()].into_boxed_slice(),
        }
    }

    /// The slots, one per [`Component::HISTORY`] entry, as
    /// [`Component::step_with_memory`] reads them.
    #[inline]
    pub fn slots(&self) -> &[Option<C::State>] {
        &self.slots
    }

    /// The leaf remembered for superstate `superstate` (an index into
    /// [`Component::NESTING`]): the leaf the machine was in when it last
    /// left it; `None` if it never left it or it has no `history`.
    pub fn get(&self, superstate: usize) -> Option<C::State> {
        let slot = C::HISTORY.iter().position(|&s| s == superstate)?;
        self.slots.get(slot).copied().flatten()
    }

    /// Every remembered leaf, with its superstate's name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, C::State)> + '_ {
        C::HISTORY
            .iter()
            .zip(self.slots.iter())
            .filter_map(|(&s, leaf)| Some((C::NESTING.get(s)?.name, (*leaf)?)))
    }

    /// Remembers `leaf` for the superstate named `superstate`, as if the
    /// machine had left it from `leaf` (used to restore stored memory).
    ///
    /// # Errors
    ///
    /// [`MemoryRefused`] when `superstate` is not a superstate of `C`
    /// declared with `history`, or `leaf` is not nested in it.
    pub fn remember(&mut self, superstate: &str, leaf: C::State) -> Result<(), MemoryRefused> {
        let refused = |why| MemoryRefused {
            component: C::NAME,
            superstate: superstate.to_owned(),
            leaf: leaf.name().to_owned(),
            why,
        };
        let slot = C::HISTORY
            .iter()
            .position(|&s| C::NESTING.get(s).is_some_and(|n| n.name == superstate))
            .ok_or_else(|| refused("it is not a superstate declared with `history`"))?;
        if !inside::<C>(C::HISTORY[slot], leaf) {
            return Err(refused("the leaf is not nested in it"));
        }
        self.slots[slot] = Some(leaf);
        Ok(())
    }

    /// Updates the memory after a committed move from leaf `from` to leaf
    /// `to`: each superstate with `history` that the move left (`from` is
    /// inside it, `to` is not) remembers `from`. A move that leaves and
    /// re-enters a superstate resumes the leaf it left (the step reads the
    /// current leaf as the memory of a superstate it is in), so only a move
    /// that ends outside needs to write.
    #[inline]
    pub fn left(&mut self, from: C::State, to: C::State) {
        remember_left::<C>(&mut self.slots, from, to);
    }

    /// The memory a typed handle carried, for a machine made from it.
    pub(crate) fn from_slots(slots: &[Option<C::State>]) -> Self {
        let mut memory = Self::new();
        for (mine, &theirs) in memory.slots.iter_mut().zip(slots) {
            *mine = theirs;
        }
        memory
    }
}

/// After a committed move from leaf `from` to leaf `to`: each superstate with
/// `history` that the move left remembers `from` (`slots` holds one entry per
/// [`Component::HISTORY`] entry). The one rule behind
/// [`HistoryMemory::left`] and the memory of typed handles.
#[inline]
pub(crate) fn remember_left<C: Component>(
    slots: &mut [Option<C::State>],
    from: C::State,
    to: C::State,
) {
    for (slot, &superstate) in slots.iter_mut().zip(C::HISTORY) {
        if inside::<C>(superstate, from) && !inside::<C>(superstate, to) {
            *slot = Some(from);
        }
    }
}

impl<C: Component> Default for HistoryMemory<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: Component> Clone for HistoryMemory<C> {
    fn clone(&self) -> Self {
        HistoryMemory {
            slots: self.slots.clone(),
        }
    }
}

impl<C: Component> PartialEq for HistoryMemory<C> {
    fn eq(&self, other: &Self) -> bool {
        self.slots == other.slots
    }
}

impl<C: Component> Eq for HistoryMemory<C> {}

impl<C: Component> fmt::Debug for HistoryMemory<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
