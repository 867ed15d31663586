//! A machine shared between threads, whose moves are atomic.

use core::fmt;
use std::sync::mpsc::Receiver;

use super::error::FireError;
use super::observer::{NoObserver, Observer};
use super::record::MoveRecord;
use super::StateMachine;
use crate::component::Component;
use crate::loom::Mutex;

/// A [`StateMachine`] that several threads fire at (put it in an `Arc`).
///
/// Each move runs entirely under one lock: check, guard, action and commit
/// happen as one step, so two threads never both move from the same state
/// when only one may, and no reader sees a half-done move. It is
/// `Send + Sync` when the component (and observer) are `Send`.
///
/// ```
/// use std::sync::Arc;
/// use typestep::prelude::*;
///
/// #[derive(Component)]
/// #[component(states(Idle, Claimed), initial = Idle)]
/// #[transition(Idle -> Claimed on Claim)]
/// #[transition(Claimed -> Idle on Release)]
/// struct Slot;
///
/// let slot = Arc::new(SharedMachine::new(StateMachine::new(Slot)));
/// let winners: usize = (0..4)
///     .map(|_| {
///         let slot = Arc::clone(&slot);
///         std::thread::spawn(move || slot.fire(slot::Claim).is_ok())
///     })
///     .collect::<Vec<_>>()
///     .into_iter()
///     .map(|t| t.join().unwrap() as usize)
///     .sum();
/// assert_eq!(winners, 1);
/// assert_eq!(slot.state(), slot::State::Claimed);
/// ```
pub struct SharedMachine<C: Component, O = NoObserver> {
    inner: Mutex<StateMachine<C, O>>,
}

impl<C: Component, O: Observer<C>> SharedMachine<C, O> {
    /// Shares `machine`.
    pub fn new(machine: StateMachine<C, O>) -> Self {
        SharedMachine {
            inner: Mutex::new(machine),
        }
    }

    /// Fires `event` as one atomic, checked move (see [`StateMachine::fire`]).
    pub fn fire(&self, event: impl Into<C::Event>) -> Result<MoveRecord<C>, FireError<C>> {
        self.inner.lock().fire(event)
    }

    /// Fires `event` only if the machine is in `expected` (compare and move):
    /// when another thread moved it first, the result is
    /// [`FireError::StateChanged`] and nothing changes.
    pub fn fire_from(
        &self,
        expected: C::State,
        event: impl Into<C::Event>,
    ) -> Result<MoveRecord<C>, FireError<C>> {
        let event = event.into();
        let mut machine = self.inner.lock();
        let state = machine.state();
        if state != expected {
            return Err(FireError::StateChanged {
                component: C::NAME,
                expected,
                state,
                event,
            });
        }
        machine.fire(event)
    }

    /// The current state (a committed one: never the middle of a move).
    pub fn state(&self) -> C::State {
        self.inner.lock().state()
    }

    /// Runs `f` with the machine locked, to read state, data and history together.
    pub fn with<R>(&self, f: impl FnOnce(&StateMachine<C, O>) -> R) -> R {
        f(&self.inner.lock())
    }

    /// Runs `f` with the machine locked for several operations as one atomic
    /// step (several moves, a checkpoint and rollback, a data change).
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut StateMachine<C, O>) -> R) -> R {
        f(&mut self.inner.lock())
    }

    /// A receiver of every later completed move (see [`StateMachine::subscribe`]).
    pub fn subscribe(&self) -> Receiver<MoveRecord<C>> {
        self.inner.lock().subscribe()
    }

    /// Takes the machine back.
    pub fn into_inner(self) -> StateMachine<C, O> {
        self.inner.into_inner()
    }
}

impl<C: Component, O: Observer<C>> From<StateMachine<C, O>> for SharedMachine<C, O> {
    fn from(machine: StateMachine<C, O>) -> Self {
        SharedMachine::new(machine)
    }
}

impl<C: Component, O> fmt::Debug for SharedMachine<C, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedMachine")
            .field("component", &C::NAME)
            .finish_non_exhaustive()
    }
}
