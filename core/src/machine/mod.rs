//! The run-time state machine: checked moves on a state known only at run time,
//! with rollback snapshots, history and notifications.
//!
//! A move is check → guard → snapshot → action → commit, or restore: the same
//! guard and action that typed handles run, from the same table, tried by
//! [`Component::step`]. [`StateMachine`] owns one component;
//! [`SharedMachine`] puts one behind a lock so that threads can fire it.
//! With [`with_history`](StateMachine::with_history) the latest moves are kept
//! in a bounded [`History`] ring; [`Observer`]s and
//! [`subscribe`](StateMachine::subscribe)rs hear of each [`MoveRecord`].
//!
//! ```
//! use typestep::prelude::*;
//! use typestep::machine::FireError;
//!
//! #[derive(Component, Clone)]
//! #[component(states(Created, Ready, Stopped), initial = Created, terminal(Stopped))]
//! #[transition(Created -> Ready on Init)]
//! #[transition(Ready -> Stopped on Stop)]
//! struct Worker;
//!
//! let mut machine = StateMachine::new(Worker).with_history(16);
//! // Not accepted in `Created`: an error, and nothing changed.
//! assert!(matches!(machine.fire(worker::Stop), Err(FireError::NotAllowed { .. })));
//! machine.fire(worker::Init)?;
//! assert_eq!(machine.state(), worker::State::Ready);
//! assert_eq!(machine.history().len(), 1);
//! # Ok::<(), FireError<Worker>>(())
//! ```
//!
//! # Errors
//!
//! [`FireError`] says why a move did not happen: the state does not accept the
//! event, or the transition was refused (guard, failed or panicking action; the
//! data was restored). In every case state and data are what they were before.
//! [`RehydrateError`] refuses a stored state or machine that is not valid for
//! the component; [`WrongState`] hands a machine back when it is not in the
//! state a typed handle asks for.
//!
//! This file is a little over 500 lines because it holds one thing whole: the
//! machine and its blocking move (check, guard, snapshot, action, commit,
//! record), which reads best in one place. Everything around the move has a
//! file of its own: `history.rs`, `observer.rs`, `subscribe.rs`,
//! `record.rs`, `error.rs`, `rehydrate.rs`, `serde.rs`, `shared.rs`
//! (`SharedMachine`), `future.rs` (async moves), `start.rs` (entering the
//! initial configuration) and `typed.rs` (to and from typed handles).

mod error;
mod future;
mod history;
#[cfg(feature = "metrics")]
mod meter;
mod observer;
mod record;
mod region;
mod rehydrate;
#[cfg(feature = "serde")]
mod serde;
mod shared;
mod start;
mod subscribe;
mod typed;

use core::fmt;
use std::sync::mpsc::Receiver;

pub use crate::fault::SharedError;
pub use crate::ticks::ClockReading;
pub use error::{FireError, RehydrateError, WrongState};
pub use history::{History, Iter as HistoryIter, MAX_HISTORY_CAPACITY};
pub use observer::{on_move, NoObserver, Observer, Observers, OnMove};
pub use record::{Cause, MoveRecord, MAX_MOVES};
pub use shared::SharedMachine;

use crate::component::Component;
use crate::component::Step;
use crate::component::{HistoryMemory, Snapshot};
use crate::ticks::Started;
use subscribe::Subscribers;

/// A component whose state is a run-time value, moved only by checked moves.
///
/// Every change of state is a move the component declares
/// ([`fire`](StateMachine::fire)), a validated rehydration
/// ([`rehydrate`](StateMachine::rehydrate)), or an explicit, recorded
/// [`rollback_to`](StateMachine::rollback_to). A move that is not allowed,
/// whose guard refuses, or whose action fails or panics changes nothing.
///
/// `O` is the [`Observer`]; the default [`NoObserver`] costs nothing. History
/// and timing are off until turned on with
/// [`with_history`](StateMachine::with_history) and
/// [`with_timing`](StateMachine::with_timing).
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component, Clone, Debug, PartialEq)]
/// #[component(states(Created, Ready, Running, Stopped), initial = Created, terminal(Stopped))]
/// #[transition(Created -> Ready on Init)]
/// #[transition(Ready -> Running on Start, guard = Self::has_workers)]
/// #[transition(Running -> Stopped on Stop)]
/// struct Worker { workers: usize }
///
/// impl Worker {
///     fn has_workers(&self) -> bool { self.workers > 0 }
/// }
///
/// let mut m = StateMachine::new(Worker { workers: 0 }).with_history(16);
/// m.fire(worker::Event::Init)?;
/// assert!(matches!(m.fire(worker::Event::Start), Err(FireError::GuardRefused { .. })));
/// m.data_mut().workers = 2;
/// let record = m.fire(worker::Start)?;
/// assert_eq!((record.from, record.to), (worker::State::Ready, worker::State::Running));
/// assert_eq!(m.history().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StateMachine<C: Component, O = NoObserver> {
    state: C::State,
    data: C,
    seq: u64,
    timing: bool,
    history: History<C>,
    subscribers: Subscribers<C>,
    observer: O,
}

/// A saved state and data to return to with
/// [`StateMachine::rollback_to`]; taken with [`StateMachine::checkpoint`].
///
/// The data is saved with the component's
/// [`Snapshot`] strategy ([`ByClone`](crate::ByClone)
/// unless the component names its own).
pub struct Checkpoint<C: Component>
where
    C::Snapshot: Snapshot<C>,
{
    state: C::State,
    seq: u64,
    saved: <C::Snapshot as Snapshot<C>>::Saved,
    memory: HistoryMemory<C>,
}

impl<C: Component> Checkpoint<C>
where
    C::Snapshot: Snapshot<C>,
{
    /// The state the checkpoint returns to.
    pub fn state(&self) -> C::State {
        self.state
    }

    /// The number of moves the machine had made when the checkpoint was taken.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

impl<C: Component> Clone for Checkpoint<C>
where
    C::Snapshot: Snapshot<C>,
    <C::Snapshot as Snapshot<C>>::Saved: Clone,
{
    fn clone(&self) -> Self {
        Checkpoint {
            state: self.state,
            seq: self.seq,
            saved: self.saved.clone(),
            memory: self.memory.clone(),
        }
    }
}

impl<C: Component> fmt::Debug for Checkpoint<C>
where
    C::Snapshot: Snapshot<C>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checkpoint")
            .field("component", &C::NAME)
            .field("state", &self.state)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl<C: Component> StateMachine<C> {
    /// Starts `data` in the component's initial state, with no observer,
    /// history off and timing off.
    #[inline]
    pub fn new(data: C) -> Self {
        Self::from_parts(C::INITIAL, data)
    }

    /// A machine in `state`; callers guarantee that `state` is one the
    /// machine may be in.
    #[inline]
    pub(crate) fn from_parts(state: C::State, data: C) -> Self {
        StateMachine {
            state,
            data,
            seq: 0,
            timing: false,
            history: History::off(),
            subscribers: Subscribers::new(),
            observer: NoObserver,
        }
    }
}

impl<C: Component, O: Observer<C>> StateMachine<C, O> {
    /// Keeps the latest `capacity` moves in a ring ([`history`](Self::history));
    /// 0 turns history off. Allocates the ring once, here. The capacity is
    /// at most [`MAX_HISTORY_CAPACITY`]; a larger one keeps that many.
    #[inline]
    pub fn with_history(mut self, capacity: usize) -> Self {
        // The ring is one pointer, handed out of line and back in a
        // register: the machine's address is taken by no call, so the
        // compiler keeps its fields in registers through a loop of moves.
        self.history = self.history.take().resized(capacity);
        self.history.continue_after(self.seq);
        self
    }

    /// Reads the clock on every move, to fill [`MoveRecord::at`] and
    /// [`MoveRecord::took`]. Off by default: a plain move reads no clock.
    #[inline]
    pub fn with_timing(mut self, on: bool) -> Self {
        self.timing = on;
        self
    }

    /// Adds `observer`, called after every move and every rejected move.
    pub fn with_observer<P: Observer<C>>(self, observer: P) -> StateMachine<C, (O, P)> {
        StateMachine {
            state: self.state,
            data: self.data,
            seq: self.seq,
            timing: self.timing,
            history: self.history,
            subscribers: self.subscribers,
            observer: (self.observer, observer),
        }
    }

    /// The current state.
    #[inline]
    pub fn state(&self) -> C::State {
        self.state
    }

    /// Borrows the component's data.
    #[inline]
    pub fn data(&self) -> &C {
        &self.data
    }

    /// Borrows the component's data mutably. Only the data changes: the
    /// state is moved only by checked moves.
    #[inline]
    pub fn data_mut(&mut self) -> &mut C {
        &mut self.data
    }

    /// Borrows the observer.
    pub fn observer(&self) -> &O {
        &self.observer
    }

    /// Borrows the observer mutably (for example to register more observers
    /// in an [`Observers`] list).
    pub fn observer_mut(&mut self) -> &mut O {
        &mut self.observer
    }

    /// The latest moves (empty unless history is on).
    pub fn history(&self) -> &History<C> {
        &self.history
    }

    /// How many moves the machine has made (rollbacks included).
    pub fn moves(&self) -> u64 {
        self.seq
    }

    /// Whether the current state ends the lifecycle.
    pub fn is_terminal(&self) -> bool {
        C::is_terminal(self.state)
    }

    /// Whether the current state has a transition on `event` (its guard may
    /// still refuse).
    pub fn accepts(&self, event: impl Into<C::Event>) -> bool {
        C::edge(self.state, event.into()).is_some()
    }

    /// The events the current state has a transition on, in declaration order.
    pub fn accepted_events(&self) -> impl Iterator<Item = C::Event> + '_ {
        C::TRANSITIONS
            .iter()
            .filter(move |t| t.from == self.state)
            .map(|t| t.event)
    }

    /// A receiver of every later completed move, for another thread. A
    /// subscriber that drops its receiver is forgotten at the next move.
    pub fn subscribe(&mut self) -> Receiver<MoveRecord<C>> {
        self.subscribers.subscribe()
    }

    /// How many subscribers are connected (as of the last move).
    pub fn subscribers(&self) -> usize {
        self.subscribers.len()
    }

    /// Fires `event`: one checked move.
    ///
    /// Checks that the current state has a transition on `event`, runs its
    /// guard, then its action under a snapshot, and commits the new state
    /// (a transition into a superstate with `history` resumes the leaf the
    /// machine last left it from; see [`remembered`](Self::remembered)).
    /// On any `Err` the state and data are as before the call. Accepts the
    /// run-time enum (`worker::Event::Start`) or the event type (`worker::Start`).
    #[inline(always)]
    pub fn fire(&mut self, event: impl Into<C::Event>) -> Result<MoveRecord<C>, FireError<C>> {
        let event = event.into();
        // Two copies of the move: the one without a clock keeps no clock
        // value live across the action. (An out-of-line timed move would
        // take `&mut self` and so keep the machine out of registers.)
        match self.start_clock() {
            Some(start) => self.fire_at(event, Some(start)),
            None => self.fire_at(event, None),
        }
    }

    /// The clock's start for a move, when the move is timed (timing on, or
    /// an observer that wants time); its wall-clock start only when someone
    /// reads it.
    #[inline(always)]
    fn start_clock(&self) -> Option<Started> {
        if self.timing || self.observer.wants_time() {
            Some(Started::now(self.timing || self.observer.wants_wall_time()))
        } else {
            None
        }
    }

    /// One checked move; `clock` is its start, when the machine reads the
    /// clock.
    #[inline(always)]
    fn fire_at(
        &mut self,
        event: C::Event,
        clock: Option<Started>,
    ) -> Result<MoveRecord<C>, FireError<C>> {
        let from = self.state;
        let step = if C::HISTORY.is_empty() {
            C::step(&mut self.data, from, event)
        } else {
            C::step_with_memory(&mut self.data, from, event, self.subscribers.slots())
        };
        self.settle(from, event, step, clock)
    }

    /// Commits or rejects a tried move: the shared end of `fire` and
    /// `fire_async`.
    #[inline(always)]
    fn settle(
        &mut self,
        from: C::State,
        event: C::Event,
        step: Step<C>,
        clock: Option<Started>,
    ) -> Result<MoveRecord<C>, FireError<C>> {
        let to = match step {
            Step::Moved(to) => to,
            Step::NotAllowed => {
                let error = FireError::NotAllowed {
                    component: C::NAME,
                    state: from,
                    event,
                };
                self.observer.on_rejected(&error, &self.data);
                return Err(Self::rejected(error));
            }
            Step::Refused { to, refusal } => {
                let error = FireError::refused(from, event, refusal);
                self.observer.on_rejected_toward(&error, to, &self.data);
                return Err(Self::rejected(error));
            }
        };
        self.state = to;
        if !C::HISTORY.is_empty() {
            self.subscribers.left(from, to);
        }
        self.seq += 1;
        let times = clock.map(Started::finish);
        let record = MoveRecord {
            seq: self.seq,
            from,
            cause: Cause::Event(event),
            to,
            at: times.and_then(|times| times.at),
            took: times.map(|times| times.took),
        };
        self.publish(record, times.map(|times| times.end));
        Ok(record)
    }

    /// Records a committed move and tells observers (with the clock
    /// reading that ended it, when the machine took one) and subscribers.
    #[inline(always)]
    fn publish(&mut self, record: MoveRecord<C>, end: Option<ClockReading>) {
        self.history.push_next(record);
        match end {
            Some(end) => self.observer.on_timed_move(&record, &self.data, end),
            None => self.observer.on_move(&record, &self.data),
        }
        self.subscribers.send(record);
        #[cfg(feature = "tracing")]
        tracing::debug!(
            component = C::NAME,
            seq = record.seq,
            from = crate::Label::name(record.from),
            to = crate::Label::name(record.to),
            "typestep move"
        );
        #[cfg(feature = "metrics")]
        meter::moved::<C>();
    }

    /// Traces and counts a rejected move (its observer told already), and
    /// hands the error back.
    #[inline]
    fn rejected(error: FireError<C>) -> FireError<C> {
        #[cfg(feature = "tracing")]
        tracing::debug!(
            component = C::NAME,
            state = crate::Label::name(error.state()),
            event = crate::Label::name(error.event()),
            kind = error.kind(),
            "typestep move rejected"
        );
        #[cfg(feature = "metrics")]
        meter::rejected(&error);
        error
    }

    /// Saves the current state, data and history memory, to return to with
    /// [`rollback_to`](Self::rollback_to).
    pub fn checkpoint(&self) -> Checkpoint<C>
    where
        C::Snapshot: Snapshot<C>,
    {
        Checkpoint {
            state: self.state,
            seq: self.seq,
            saved: <C::Snapshot as Snapshot<C>>::save(&self.data),
            memory: self.subscribers.memory(),
        }
    }

    /// Returns explicitly to `checkpoint`: restores its state, data and
    /// history memory. The
    /// rollback is itself a move: it is numbered, kept in the history and
    /// sent to observers and subscribers.
    ///
    /// ```
    /// use typestep::prelude::*;
    ///
    /// #[derive(Component, Clone)]
    /// #[component(states(Idle, Busy), initial = Idle)]
    /// #[transition(Idle -> Busy on Begin)]
    /// #[transition(Busy -> Idle on End)]
    /// struct Job { done: u32 }
    ///
    /// let mut m = StateMachine::new(Job { done: 0 }).with_history(8);
    /// let start = m.checkpoint();
    /// m.fire(job::Begin)?;
    /// m.data_mut().done = 7;
    /// let record = m.rollback_to(start);
    /// assert!(record.is_rollback());
    /// assert_eq!((m.state(), m.data().done), (job::State::Idle, 0));
    /// assert_eq!(m.history().len(), 2);
    /// # Ok::<(), FireError<Job>>(())
    /// ```
    pub fn rollback_to(&mut self, checkpoint: Checkpoint<C>) -> MoveRecord<C>
    where
        C::Snapshot: Snapshot<C>,
    {
        let clock = self.start_clock();
        let from = self.state;
        <C::Snapshot as Snapshot<C>>::restore(&mut self.data, checkpoint.saved);
        self.state = checkpoint.state;
        self.subscribers.set_memory(checkpoint.memory);
        self.seq += 1;
        let times = clock.map(Started::finish);
        let record = MoveRecord {
            seq: self.seq,
            from,
            cause: Cause::Rollback {
                checkpoint: checkpoint.seq,
            },
            to: checkpoint.state,
            at: times.and_then(|times| times.at),
            took: times.map(|times| times.took),
        };
        self.publish(record, times.map(|times| times.end));
        record
    }

    /// Gives up the machine and returns its state and data.
    pub fn into_parts(self) -> (C::State, C) {
        (self.state, self.data)
    }

    /// Gives up the machine and returns the data.
    pub fn into_inner(self) -> C {
        self.data
    }
}

impl<C: Component + fmt::Debug, O> fmt::Debug for StateMachine<C, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateMachine")
            .field("component", &C::NAME)
            .field("state", &self.state)
            .field("data", &self.data)
            .field("moves", &self.seq)
            .field("history", &self.history.len())
            .finish_non_exhaustive()
    }
}
