//! A machine shared between threads and tasks, whose moves never interleave.

use core::fmt;
use std::sync::mpsc::Receiver;

use super::error::FireError;
use super::observer::{NoObserver, Observer};
use super::record::MoveRecord;
use super::StateMachine;
use crate::component::Component;
use crate::loom::{Mutex, MutexGuard};

/// A [`StateMachine`] that several threads fire at (put it in an `Arc`).
///
/// Each move runs entirely under one lock: check, guard, action and commit
/// happen as one step, so two threads never both move from the same state
/// when only one may, and no reader sees a half-done move. It is
/// `Send + Sync` when the component (and observer) are `Send`.
///
/// With the `async` feature, `fire_async` runs
/// an async move: the machine is lent to that move until it lands (or is
/// cancelled and rolled back). Meanwhile a blocking [`fire`](Self::fire)
/// returns [`FireError::Busy`] at once and changes nothing, and other
/// `fire_async` calls wait their turn in FIFO order.
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
    inner: Mutex<Slot<C, O>>,
    /// Wakes readers waiting for a machine lent to an async move.
    #[cfg(not(loom))]
    returned: parking_lot::Condvar,
    /// Async moves take turns here, first come first served.
    #[cfg(feature = "async")]
    turn: tokio::sync::Mutex<()>,
}

/// Where the machine is: here, or lent to an async move that started in
/// `State` (the committed state until that move lands).
enum Slot<C: Component, O> {
    Here(StateMachine<C, O>),
    #[cfg_attr(not(feature = "async"), allow(dead_code))]
    Away(C::State),
}

impl<C: Component, O: Observer<C>> SharedMachine<C, O> {
    /// Shares `machine`.
    pub fn new(machine: StateMachine<C, O>) -> Self {
        SharedMachine {
            inner: Mutex::new(Slot::Here(machine)),
            #[cfg(not(loom))]
            returned: parking_lot::Condvar::new(),
            #[cfg(feature = "async")]
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Fires `event` as one atomic, checked move (see [`StateMachine::fire`]).
    /// While an async move is in flight the result is [`FireError::Busy`], at
    /// once, and nothing changes.
    pub fn fire(&self, event: impl Into<C::Event>) -> Result<MoveRecord<C>, FireError<C>> {
        let event = event.into();
        match &mut *self.inner.lock() {
            Slot::Here(machine) => machine.fire(event),
            Slot::Away(state) => Err(busy(*state, event)),
        }
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
        let mut slot = self.inner.lock();
        let machine = match &mut *slot {
            Slot::Here(machine) => machine,
            Slot::Away(state) => return Err(busy(*state, event)),
        };
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

    /// The current state (a committed one: never the middle of a move; while
    /// an async move is in flight, the state it started from).
    pub fn state(&self) -> C::State {
        match &*self.inner.lock() {
            Slot::Here(machine) => machine.state(),
            Slot::Away(state) => *state,
        }
    }

    /// Runs `f` with the machine locked, to read state, data and history
    /// together. While an async move is in flight this waits for it to land
    /// (do not call it from the task that awaits that move).
    pub fn with<R>(&self, f: impl FnOnce(&StateMachine<C, O>) -> R) -> R {
        loop {
            if let Slot::Here(machine) = &*self.lock_here() {
                return f(machine);
            }
        }
    }

    /// Runs `f` with the machine locked for several operations as one atomic
    /// step (several moves, a checkpoint and rollback, a data change). Waits
    /// for an async move in flight, as [`with`](Self::with) does.
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut StateMachine<C, O>) -> R) -> R {
        loop {
            if let Slot::Here(machine) = &mut *self.lock_here() {
                return f(machine);
            }
        }
    }

    /// A receiver of every later completed move (see [`StateMachine::subscribe`]).
    pub fn subscribe(&self) -> Receiver<MoveRecord<C>> {
        self.with_mut(StateMachine::subscribe)
    }

    /// Takes the machine back; `None` only if the future of an async move
    /// was leaked (`std::mem::forget`) while it held the machine.
    pub fn into_inner(self) -> Option<StateMachine<C, O>> {
        match self.inner.into_inner() {
            Slot::Here(machine) => Some(machine),
            Slot::Away(_) => None,
        }
    }

    /// The slot, once the machine is here.
    fn lock_here(&self) -> MutexGuard<'_, Slot<C, O>> {
        let mut slot = self.inner.lock();
        while matches!(*slot, Slot::Away(_)) {
            #[cfg(not(loom))]
            self.returned.wait(&mut slot);
            #[cfg(loom)]
            {
                drop(slot);
                loom::thread::yield_now();
                slot = self.inner.lock();
            }
        }
        slot
    }
}

fn busy<C: Component>(state: C::State, event: C::Event) -> FireError<C> {
    FireError::Busy {
        component: C::NAME,
        state,
        event,
    }
}

#[cfg(feature = "async")]
impl<C: Component, O: Observer<C>> SharedMachine<C, O> {
    /// Fires `event` on any edge, sync or async (see
    /// [`StateMachine::fire_async`]): no two moves ever interleave.
    ///
    /// Waits its turn behind earlier `fire_async` calls (first come, first
    /// served), then lends the machine to the move until it lands. While it
    /// is lent, blocking moves return [`FireError::Busy`] and
    /// [`state`](Self::state) reads the state the move started from. If
    /// this future is dropped mid-way, the move is rolled back and recorded
    /// as cancelled, and the machine comes back.
    ///
    /// ```
    /// use typestep::prelude::*;
    ///
    /// #[derive(Component, Clone)]
    /// #[component(states(Idle, Busy), initial = Idle)]
    /// #[transition(Idle -> Busy on Start, action = async Self::start)]
    /// #[transition(Busy -> Idle on Stop)]
    /// struct Job;
    ///
    /// impl Job {
    ///     async fn start(&mut self) -> Result<(), std::io::Error> { Ok(()) }
    /// }
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
    /// # }
    /// let job = SharedMachine::new(StateMachine::new(Job));
    /// block_on(job.fire_async(job::Start))?;
    /// assert_eq!(job.state(), job::State::Busy);
    /// # Ok::<(), FireError<Job>>(())
    /// ```
    pub async fn fire_async(
        &self,
        event: impl Into<C::Event>,
    ) -> Result<MoveRecord<C>, FireError<C>> {
        let event = event.into();
        let _turn = self.turn.lock().await;
        let machine = {
            let mut slot = self.inner.lock();
            let state = match &*slot {
                Slot::Here(machine) => machine.state(),
                // Only after a leaked move future: the machine is gone.
                Slot::Away(state) => return Err(busy(*state, event)),
            };
            match core::mem::replace(&mut *slot, Slot::Away(state)) {
                Slot::Here(machine) => machine,
                Slot::Away(state) => return Err(busy(state, event)),
            }
        };
        let mut lent = Lent {
            shared: self,
            machine: Some(machine),
        };
        match lent.machine.as_mut() {
            // Dropped mid-way, the move's future goes first (rolling back
            // and recording the cancellation), then `lent` brings the
            // machine back.
            Some(machine) => machine.fire_async(event).await,
            None => Err(busy(C::INITIAL, event)),
        }
    }
}

/// A machine lent to an async move: brought back when the move ends.
#[cfg(feature = "async")]
struct Lent<'a, C: Component, O: Observer<C>> {
    shared: &'a SharedMachine<C, O>,
    machine: Option<StateMachine<C, O>>,
}

#[cfg(feature = "async")]
impl<C: Component, O: Observer<C>> Drop for Lent<'_, C, O> {
    fn drop(&mut self) {
        if let Some(machine) = self.machine.take() {
            *self.shared.inner.lock() = Slot::Here(machine);
            #[cfg(not(loom))]
            self.shared.returned.notify_all();
        }
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
