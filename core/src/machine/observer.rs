//! Observers: code called on every move and every rejected move, chosen at
//! compile time so that a machine without one pays nothing.

use super::error::FireError;
use super::record::MoveRecord;
use crate::component::Component;
use crate::ticks::ClockReading;

/// Called by a [`StateMachine`](crate::StateMachine) on every completed move
/// and every rejected one.
///
/// The machine's observer is a type parameter, so the calls are static and
/// [`NoObserver`] compiles to nothing. Observers run after the move is
/// committed (or refused), on the thread that fired, and see the data as it
/// is then. Combine several with a tuple `(A, B)`, or register them at run
/// time in an [`Observers`] list.
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
/// #[derive(Default)]
/// struct Count { moves: usize, rejected: usize }
///
/// impl Observer<Lamp> for Count {
///     fn on_move(&mut self, _: &MoveRecord<Lamp>, _: &Lamp) { self.moves += 1 }
///     fn on_rejected(&mut self, _: &FireError<Lamp>, _: &Lamp) { self.rejected += 1 }
/// }
///
/// let mut m = StateMachine::new(Lamp).with_observer(Count::default());
/// m.fire(lamp::Press).unwrap();
/// m.fire(lamp::Press).unwrap();
/// assert_eq!(m.observer().1.moves, 2);
/// ```
pub trait Observer<C: Component> {
    /// Whether this observer wants [`MoveRecord::at`] and
    /// [`MoveRecord::took`] filled in (the machine reads the clock only then).
    fn wants_time(&self) -> bool {
        false
    }

    /// Whether this observer reads [`MoveRecord::at`], the wall-clock start
    /// of a move, when it [`wants_time`](Self::wants_time) (by default it
    /// does). An observer that needs only [`MoveRecord::took`] says `false`
    /// and spares every move turning a clock reading into a `SystemTime`;
    /// `at` is then `None` unless the machine times its moves anyway
    /// ([`with_timing`](crate::StateMachine::with_timing)) or another
    /// observer wants it.
    fn wants_wall_time(&self) -> bool {
        self.wants_time()
    }

    /// Called after a move was committed.
    fn on_move(&mut self, record: &MoveRecord<C>, data: &C) {
        let _ = (record, data);
    }

    /// Called instead of [`on_move`](Self::on_move) after a move the
    /// machine timed with its own clock (timing on, or an observer that
    /// [`wants_time`](Self::wants_time)), with the reading that ended it.
    /// By default it calls `on_move`. An observer that stamps what it
    /// records can take its time from `end` instead of reading a clock
    /// again (as [`MoveLogger`](crate::recovery::MoveLogger) does).
    fn on_timed_move(&mut self, record: &MoveRecord<C>, data: &C, end: ClockReading) {
        let _ = end;
        self.on_move(record, data);
    }

    /// Called after a fired event was rejected; the machine did not change.
    fn on_rejected(&mut self, error: &FireError<C>, data: &C) {
        let _ = (error, data);
    }

    /// Called instead of [`on_rejected`](Self::on_rejected) when the
    /// rejected event had a transition, whose guard or action refused it:
    /// `toward` is the state the move would have entered, with a superstate
    /// that has `history` resolved to the leaf it would have resumed (what
    /// [`Component::edge`] alone cannot tell). By default it calls
    /// `on_rejected`.
    fn on_rejected_toward(&mut self, error: &FireError<C>, toward: C::State, data: &C) {
        let _ = toward;
        self.on_rejected(error, data);
    }

    /// Called instead of [`on_move`](Self::on_move) for the record of a
    /// cancelled async move ([`Cause::Cancelled`](super::Cause::Cancelled),
    /// which stays where it was): `toward` is the state the move would have
    /// entered, resolved as for
    /// [`on_rejected_toward`](Self::on_rejected_toward). By default it calls
    /// `on_move`.
    fn on_cancelled(&mut self, record: &MoveRecord<C>, toward: C::State, data: &C) {
        let _ = toward;
        self.on_move(record, data);
    }
}

/// The observer of a machine that has none: every call is empty and inlined away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoObserver;

impl<C: Component> Observer<C> for NoObserver {
    #[inline(always)]
    fn wants_time(&self) -> bool {
        false
    }

    #[inline(always)]
    fn on_move(&mut self, _: &MoveRecord<C>, _: &C) {}

    #[inline(always)]
    fn on_timed_move(&mut self, _: &MoveRecord<C>, _: &C, _: ClockReading) {}

    #[inline(always)]
    fn on_rejected(&mut self, _: &FireError<C>, _: &C) {}

    #[inline(always)]
    fn on_rejected_toward(&mut self, _: &FireError<C>, _: C::State, _: &C) {}

    #[inline(always)]
    fn on_cancelled(&mut self, _: &MoveRecord<C>, _: C::State, _: &C) {}
}

impl<C: Component, A: Observer<C>, B: Observer<C>> Observer<C> for (A, B) {
    #[inline]
    fn wants_time(&self) -> bool {
        self.0.wants_time() || self.1.wants_time()
    }

    #[inline]
    fn wants_wall_time(&self) -> bool {
        self.0.wants_wall_time() || self.1.wants_wall_time()
    }

    #[inline]
    fn on_move(&mut self, record: &MoveRecord<C>, data: &C) {
        self.0.on_move(record, data);
        self.1.on_move(record, data);
    }

    #[inline]
    fn on_timed_move(&mut self, record: &MoveRecord<C>, data: &C, end: ClockReading) {
        self.0.on_timed_move(record, data, end);
        self.1.on_timed_move(record, data, end);
    }

    #[inline]
    fn on_rejected(&mut self, error: &FireError<C>, data: &C) {
        self.0.on_rejected(error, data);
        self.1.on_rejected(error, data);
    }

    #[inline]
    fn on_rejected_toward(&mut self, error: &FireError<C>, toward: C::State, data: &C) {
        self.0.on_rejected_toward(error, toward, data);
        self.1.on_rejected_toward(error, toward, data);
    }

    #[inline]
    fn on_cancelled(&mut self, record: &MoveRecord<C>, toward: C::State, data: &C) {
        self.0.on_cancelled(record, toward, data);
        self.1.on_cancelled(record, toward, data);
    }
}

/// An observer built from a closure called on every completed move (see
/// [`on_move`]).
#[derive(Debug, Clone, Copy)]
pub struct OnMove<F>(F);

/// Wraps `f` as an observer of completed moves.
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// struct Lamp;
///
/// let mut seen = Vec::new();
/// let mut m = StateMachine::new(Lamp).with_observer(typestep::machine::on_move(|r: &MoveRecord<Lamp>, _: &Lamp| seen.push(r.to)));
/// m.fire(lamp::Press).unwrap();
/// drop(m);
/// assert_eq!(seen, [lamp::State::On]);
/// ```
pub fn on_move<C, F>(f: F) -> OnMove<F>
where
    C: Component,
    F: FnMut(&MoveRecord<C>, &C),
{
    OnMove(f)
}

impl<C: Component, F: FnMut(&MoveRecord<C>, &C)> Observer<C> for OnMove<F> {
    #[inline]
    fn on_move(&mut self, record: &MoveRecord<C>, data: &C) {
        (self.0)(record, data);
    }
}

/// A list of observers registered at run time (one dynamic call per observer
/// and move; use a static observer where the set is known at compile time).
pub struct Observers<C: Component> {
    list: Vec<Box<dyn Observer<C> + Send>>,
}

impl<C: Component> Observers<C> {
    /// An empty list.
    pub fn new() -> Self {
        Observers { list: Vec::new() }
    }

    /// Adds `observer` to the list.
    pub fn push(&mut self, observer: impl Observer<C> + Send + 'static) {
        self.list.push(Box::new(observer));
    }

    /// How many observers are registered.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether no observer is registered.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl<C: Component> Default for Observers<C> {
    fn default() -> Self {
        Observers::new()
    }
}

impl<C: Component> core::fmt::Debug for Observers<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Observers")
            .field("len", &self.list.len())
            .finish()
    }
}

impl<C: Component> Observer<C> for Observers<C> {
    fn wants_time(&self) -> bool {
        self.list.iter().any(|o| o.wants_time())
    }

    fn wants_wall_time(&self) -> bool {
        self.list.iter().any(|o| o.wants_wall_time())
    }

    fn on_move(&mut self, record: &MoveRecord<C>, data: &C) {
        for observer in &mut self.list {
            observer.on_move(record, data);
        }
    }

    fn on_timed_move(&mut self, record: &MoveRecord<C>, data: &C, end: ClockReading) {
        for observer in &mut self.list {
            observer.on_timed_move(record, data, end);
        }
    }

    fn on_rejected(&mut self, error: &FireError<C>, data: &C) {
        for observer in &mut self.list {
            observer.on_rejected(error, data);
        }
    }

    fn on_rejected_toward(&mut self, error: &FireError<C>, toward: C::State, data: &C) {
        for observer in &mut self.list {
            observer.on_rejected_toward(error, toward, data);
        }
    }

    fn on_cancelled(&mut self, record: &MoveRecord<C>, toward: C::State, data: &C) {
        for observer in &mut self.list {
            observer.on_cancelled(record, toward, data);
        }
    }
}
