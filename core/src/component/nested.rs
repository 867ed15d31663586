//! Nested states at run time: the regions a leaf state lies in, and the
//! exit, action and entry chain of a move between them, run as one move.
//!
//! A move out of a nested state runs the exit actions of the states it
//! leaves (innermost first), the transition's action, then the entry actions
//! of the states it enters (outermost first). `#[derive(Component)]` wraps
//! that chain in [`run_chain`]: one snapshot before the first step, restored
//! when any step fails or panics, so that the data is what it was before and
//! the machine stays where it was. The refusal names the failing step
//! (`"entry of Idle"`). An `async` exit or entry action (`entry = async
//! Self::power_on`) makes the move async: `step_async` awaits the steps in
//! order under one [`ActionGuard`](super::ActionGuard), so dropping the move
//! at any await point restores the data too.
//!
//! A superstate declared with `history` (`#[state(Blinking, initial = LedOn,
//! history)]`) is entered, by a transition that targets it, at the child the
//! machine was in when it last left it (the first time, at `initial`); a
//! child that is itself a superstate is entered by its own history or its
//! `initial`. The machine keeps that memory
//! ([`HistoryMemory`](super::HistoryMemory), [`Component::HISTORY`]) and
//! updates it only when a move commits; the derive gives such a move one
//! edge per leaf it may resume and picks one from the memory
//! ([`Component::step_with_memory`]).
//!
//! ```
//! use typestep::prelude::*;
//!
//! #[derive(Component, Clone, Default)]
//! #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
//! #[state(Blinking, initial = LedOn, exit = Self::power_off)]
//! #[transition(Idle -> Blinking on Start)]
//! #[transition(LedOn -> LedOff on Tick)]
//! #[transition(LedOff -> LedOn on Tick)]
//! #[transition(Blinking -> Idle on Stop)]
//! struct Led { powered_off: u32 }
//!
//! impl Led {
//!     fn power_off(&mut self) -> Result<(), std::convert::Infallible> {
//!         self.powered_off += 1;
//!         Ok(())
//!     }
//! }
//!
//! let mut machine = StateMachine::new(Led::default());
//! machine.fire(led::Start)?;
//! assert_eq!(machine.state(), led::State::LedOn);
//! assert!(machine.is_in(led::Blinking));
//! machine.fire(led::Tick)?;
//! machine.fire(led::Stop)?; // declared on `Blinking`, accepted in `LedOff`
//! assert_eq!(machine.state(), led::State::Idle);
//! assert_eq!(machine.data().powered_off, 1);
//! machine.fire(led::Start)?; // no `history`: `initial` again
//! assert_eq!(machine.state(), led::State::LedOn);
//! # Ok::<(), typestep::machine::FireError<Led>>(())
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::refusal::Refusal;
use super::snapshot::Snapshot;
use super::table::{Component, Label, StateMarker, Superstate};
use crate::fault::{panic_message, BoxError};

/// A state type of component `C` (a leaf like `led::LedOn` or a superstate
/// like `led::Blinking`) as the set of leaves it stands for.
///
/// Every leaf's state type has it through the one impl below (a leaf is the
/// region of itself alone); `#[derive(Component)]` implements it for each
/// superstate. It is what [`StateMachine::is_in`](crate::StateMachine::is_in)
/// asks.
pub trait Region<C: Component> {
    /// Whether the leaf `state` is this state or nested in it.
    fn contains(state: C::State) -> bool;

    /// For a superstate, its index in [`Component::NESTING`]; `None` for a
    /// leaf.
    const SUPERSTATE: Option<usize> = None;
}

/// A leaf state type stands for its own state: one impl for all of them,
/// instead of one generated per leaf (fewer items for rustc to build).
impl<C: Component, S: StateMarker<C>> Region<C> for S {
    #[inline]
    fn contains(state: C::State) -> bool {
        state == S::STATE
    }
}

/// The innermost superstate (index into [`Component::NESTING`]) that holds
/// the leaf `state`, if any.
pub fn parent_of<C: Component>(state: C::State) -> Option<usize> {
    C::NESTING
        .iter()
        .position(|s| s.leaves.iter().any(|&leaf| leaf.index() == state.index()))
}

/// Whether the leaf `state` is nested (at any depth) in superstate
/// `superstate` (an index into [`Component::NESTING`]).
#[inline]
pub fn inside<C: Component>(superstate: usize, state: C::State) -> bool {
    let mut at = parent_of::<C>(state);
    // Bounded, so that a hand-written `NESTING` with a loop ends.
    for _ in 0..C::NESTING.len() {
        match at {
            Some(s) if s == superstate => return true,
            Some(s) => at = C::NESTING.get(s).and_then(|n| n.parent),
            None => return false,
        }
    }
    false
}

/// An exit or entry action that returned an error: which one, and the error.
/// A refused move reports it as [`FireError::ActionFailed`] holding this
/// error (the data was restored); a typed move's refusal is
/// [`Refusal::HookFailed`], with the same two fields.
///
/// [`FireError::ActionFailed`]: crate::machine::FireError::ActionFailed
#[derive(Debug, thiserror::Error)]
#[error("the {step} failed: {source}")]
pub struct HookFailed {
    /// The step, as in `"entry of Idle"` or `"exit of LedOn"`.
    pub step: &'static str,
    /// The action's error.
    #[source]
    pub source: BoxError,
}

/// Runs the steps of a nested move under one snapshot of `data`: on `Err`
/// the data is restored and the refusal returned.
#[inline]
pub fn run_chain<C>(data: &mut C, chain: fn(&mut C) -> Result<(), Refusal>) -> Result<(), Refusal>
where
    C: Component,
    C::Snapshot: Snapshot<C>,
{
    let saved = <C::Snapshot as Snapshot<C>>::save(data);
    match chain(data) {
        Ok(()) => Ok(()),
        Err(refusal) => {
            <C::Snapshot as Snapshot<C>>::restore(data, saved);
            Err(refusal)
        }
    }
}

/// Runs one exit or entry action of a chain (no snapshot: [`run_chain`]
/// holds it); an error or a panic becomes a refusal naming `step`.
#[inline]
pub fn run_hook<C, E>(
    data: &mut C,
    step: &'static str,
    hook: fn(&mut C) -> Result<(), E>,
) -> Result<(), Refusal>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match catch_unwind(AssertUnwindSafe(|| hook(data))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(hook_failed(step, error)),
        Err(payload) => Err(Refusal::ActionPanicked(format!(
            "{step}: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

/// The refusal of a failed exit or entry action.
pub(crate) fn hook_failed<E>(step: &'static str, error: E) -> Refusal
where
    E: std::error::Error + Send + Sync + 'static,
{
    Refusal::HookFailed {
        step,
        source: Box::new(error),
    }
}

/// Runs the transition's own action inside a chain (no snapshot:
/// [`run_chain`] holds it); refused as a plain action would be.
#[inline]
pub fn run_chained_action<C, E>(
    data: &mut C,
    action: fn(&mut C) -> Result<(), E>,
) -> Result<(), Refusal>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match catch_unwind(AssertUnwindSafe(|| action(data))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(Refusal::ActionFailed(Box::new(error))),
        Err(payload) => Err(Refusal::ActionPanicked(panic_message(payload.as_ref()))),
    }
}

/// Writes `C`'s superstates as Mermaid composite states (nothing for a
/// machine without nesting), for diagrams drawn from the table.
pub(crate) fn mermaid_nesting<C: Component>(out: &mut String) {
    fn block<S: Label>(all: &[Superstate<S>], at: usize, depth: usize, out: &mut String) {
        let pad = "    ".repeat(depth);
        out.push_str(&format!("{pad}state {} {{\n", all[at].name));
        for leaf in all[at].leaves {
            out.push_str(&format!("{pad}    {}\n", leaf.name()));
        }
        for inner in (0..all.len()).filter(|&i| all[i].parent == Some(at)) {
            block(all, inner, depth + 1, out);
        }
        out.push_str(&format!("{pad}}}\n"));
    }
    for root in (0..C::NESTING.len()).filter(|&i| C::NESTING[i].parent.is_none()) {
        block(C::NESTING, root, 1, out);
    }
}

/// Writes `C`'s superstates as Graphviz clusters (nothing for a machine
/// without nesting).
pub(crate) fn dot_clusters<C: Component>(out: &mut String) {
    fn cluster<S: Label>(all: &[Superstate<S>], at: usize, depth: usize, out: &mut String) {
        let pad = "    ".repeat(depth);
        let name = all[at].name;
        out.push_str(&format!(
            "{pad}subgraph \"cluster_{name}\" {{\n{pad}    label=\"{name}\";\n"
        ));
        for leaf in all[at].leaves {
            out.push_str(&format!("{pad}    \"{}\";\n", leaf.name()));
        }
        for inner in (0..all.len()).filter(|&i| all[i].parent == Some(at)) {
            cluster(all, inner, depth + 1, out);
        }
        out.push_str(&format!("{pad}}}\n"));
    }
    for root in (0..C::NESTING.len()).filter(|&i| C::NESTING[i].parent.is_none()) {
        cluster(C::NESTING, root, 1, out);
    }
}
