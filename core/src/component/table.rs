//! The declared transition table and one move over it: guard, snapshot,
//! action, then commit or restore.

use core::fmt::{Debug, Display};
use core::future::Future;
use core::hash::Hash;

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::fault::panic_message;

use super::refusal::Refusal;
use super::slots::MemorySlots;

/// A state or event name of a component, as a plain `Copy` enum.
///
/// `#[derive(Component)]` implements it for the generated `State` and `Event`
/// enums. The dense [`index`](Label::index) lets the runtime keep per-state or
/// per-event data in arrays instead of maps.
pub trait Label: Copy + Eq + Ord + Hash + Debug + Display + Send + Sync + 'static {
    /// Every value, in declaration order; `ALL[v.index()] == v`.
    const ALL: &'static [Self];

    /// The name as written in the declaration.
    fn name(self) -> &'static str;

    /// The position in [`ALL`](Label::ALL).
    fn index(self) -> usize;

    /// The value with this name, if one is declared (used to rehydrate stored
    /// state; never panics).
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// One declared transition, as data: `from -> to on event`.
///
/// [`Component::TRANSITIONS`] lists them for tools (diagrams, analytics); the
/// runtime uses [`Component::edge`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransitionSpec<S, E> {
    /// The state the transition leaves.
    pub from: S,
    /// The event that triggers it.
    pub event: E,
    /// The state it enters.
    pub to: S,
    /// Whether a guard decides if the move may happen.
    pub guarded: bool,
    /// Whether an action runs (under a snapshot) during the move.
    pub has_action: bool,
    /// Whether the guard or the action is async: the move is made with
    /// [`StateMachine::fire_async`](crate::StateMachine::fire_async) (or an
    /// awaited typed fire), never with a blocking `fire`.
    pub is_async: bool,
}

/// A superstate of a component, as data for tools (diagrams, analytics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Superstate<S: 'static> {
    /// The name as written in `states(...)`.
    pub name: &'static str,
    /// The superstate it is nested in (an index into
    /// [`Component::NESTING`]), or `None` at the top level.
    pub parent: Option<usize>,
    /// The leaves nested directly in it.
    pub leaves: &'static [S],
    /// Whether it declares an entry action.
    pub has_entry: bool,
    /// Whether it declares an exit action.
    pub has_exit: bool,
}

/// A guard: decides from the component's data whether a move may happen.
pub type Guard<C> = fn(&C) -> bool;

/// An action wrapped by the derive: runs the user's action under a snapshot
/// and restores the snapshot when it fails or panics (see
/// [`run_action`](crate::__private::run_action)).
pub type Action<C> = fn(&mut C) -> Result<(), Refusal>;

/// What happens when `event` is fired in a state that accepts it.
pub struct Edge<C: Component> {
    /// The state the move enters.
    pub to: <C as Component>::State,
    /// The guard, if the transition declares one.
    pub guard: Option<Guard<C>>,
    /// The action, if the transition declares one.
    pub action: Option<Action<C>>,
    /// Whether the guard or the action is async. An async edge carries no
    /// `guard` or `action` here (they are futures, run by
    /// [`Component::step_async`]); a blocking move on it is refused with
    /// [`Refusal::NeedsAsync`] and changes nothing.
    pub is_async: bool,
}

impl<C: Component> Clone for Edge<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Component> Copy for Edge<C> {}

impl<C: Component> Debug for Edge<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Edge")
            .field("to", &self.to)
            .field("guarded", &self.guard.is_some())
            .field("has_action", &self.action.is_some())
            .field("is_async", &self.is_async)
            .finish()
    }
}

/// A component whose lifecycle is a declared, checked state graph.
///
/// Implemented by `#[derive(Component)]`; implementing it by hand is possible
/// but gives up the build-time graph checks.
pub trait Component: Sized {
    /// The run-time enum of states (`worker::State`).
    ///
    /// The derive makes it `#[repr(usize)]`, a word wide, so that a machine
    /// kept in registers replaces its state with whole-register writes (on
    /// x86 a one-byte write waits for the register's old value) and indexes
    /// its dispatch table with the state as it is. The history stores
    /// states in two bytes each, so a [`StateMachine`](crate::StateMachine)
    /// supports at most 65536 states.
    type State: Label;
    /// The run-time enum of events (`worker::Event`).
    type Event: Label;
    /// How the data is saved before an action and restored after a failure:
    /// [`ByClone`](crate::ByClone) unless the component names its own
    /// [`Snapshot`](crate::Snapshot) strategy.
    type Snapshot;
    /// The zero-sized type of the initial state, where
    /// [`Typed::new`](crate::Typed::new) starts.
    type Initial: StateMarker<Self>;
    /// What a typed handle carries for the superstates with `history`
    /// (see [`MemorySlots`](crate::component::MemorySlots)): `()` for a
    /// component without `history`, which the derive writes, as a
    /// hand-written impl does.
    type Memory: MemorySlots<Self::State>;

    /// The component's name, as written on the struct.
    const NAME: &'static str;
    /// The state a new component starts in.
    const INITIAL: Self::State;
    /// The states where a lifecycle ends (may be empty: a component may run forever).
    const TERMINAL: &'static [Self::State];
    /// Every declared transition, in declaration order.
    const TRANSITIONS: &'static [TransitionSpec<Self::State, Self::Event>];
    /// The state graph as a Mermaid `stateDiagram-v2`.
    const MERMAID: &'static str;
    /// The state graph in Graphviz DOT.
    const DOT: &'static str;
    /// The superstates of `states(A, B(C, D))`, outermost first; empty for
    /// a machine without nesting (and by default, so that hand-written
    /// impls need not say it).
    const NESTING: &'static [Superstate<Self::State>] = &[];
    /// The superstates declared with `history` (indices into
    /// [`NESTING`](Component::NESTING)); empty by default. A machine keeps
    /// one remembered leaf per entry
    /// ([`HistoryMemory`](crate::component::HistoryMemory)); with none, it
    /// keeps and updates nothing.
    const HISTORY: &'static [usize] = &[];

    /// The transition taken when `event` arrives in `from`, or `None` when
    /// `from` does not accept `event`.
    fn edge(from: Self::State, event: Self::Event) -> Option<Edge<Self>>;

    /// Tries the move on `event` from `from` on `data`: finds the transition,
    /// runs its guard and its action (under a snapshot) and says where it led.
    /// The caller commits the state.
    ///
    /// The default looks the transition up with [`edge`](Component::edge) and
    /// runs it with [`perform`](crate::component::perform). The derive overrides it with
    /// one `match` whose arms call each guard and action directly, so that a
    /// run-time move makes no indirect call. An override must mean the same
    /// as the default.
    #[inline]
    fn step(data: &mut Self, from: Self::State, event: Self::Event) -> Step<Self> {
        match Self::edge(from, event) {
            Some(edge) => take_edge(data, edge),
            None => Step::NotAllowed,
        }
    }

    /// The transition taken when `event` arrives in `from`, given the
    /// remembered leaves `memory` (one slot per [`HISTORY`](Component::HISTORY)
    /// entry, as [`HistoryMemory::slots`](crate::component::HistoryMemory::slots)
    /// gives them): a transition that enters a superstate with `history`
    /// leads to the leaf it resumes. A superstate the machine is in (`from`
    /// is nested in it) resumes `from`.
    ///
    /// The default is [`edge`](Component::edge): without `history`, memory
    /// changes nothing. The derive overrides it for a component with
    /// `history`.
    #[inline]
    fn edge_with_memory(
        from: Self::State,
        event: Self::Event,
        memory: &[Option<Self::State>],
    ) -> Option<Edge<Self>> {
        let _ = memory;
        Self::edge(from, event)
    }

    /// [`step`](Component::step), given the remembered leaves `memory` (see
    /// [`edge_with_memory`](Component::edge_with_memory)): the move a
    /// [`StateMachine`](crate::StateMachine) makes. The default is `step`;
    /// the derive overrides it for a component with `history`.
    #[inline]
    fn step_with_memory(
        data: &mut Self,
        from: Self::State,
        event: Self::Event,
        memory: &[Option<Self::State>],
    ) -> Step<Self> {
        let _ = memory;
        Self::step(data, from, event)
    }

    /// Tries the move on `event` from `from` on `data`, awaiting an async
    /// guard or action: like [`step`](Component::step), for any edge, sync or
    /// async.
    ///
    /// **Cancellation is a rollback**: when the returned future is dropped
    /// before it finishes, at any await point, the data is what it was before
    /// (the action's snapshot is restored as the future drops). The caller
    /// commits the state only when the future completes with a move
    /// ([`AsyncStep::moved`]).
    ///
    /// The outcome is an [`AsyncStep`], a [`Step`] in two words, so that it
    /// comes back from the out-of-line future in registers.
    ///
    /// The default runs the blocking [`step`](Component::step) when first
    /// polled (a component without async edges). The derive overrides it
    /// with one `async` block whose arms await each async guard and action;
    /// it is `Send` when the component and the awaited futures are.
    #[inline]
    fn step_async(
        data: &mut Self,
        from: Self::State,
        event: Self::Event,
    ) -> impl Future<Output = AsyncStep<Self>> + '_ {
        // Lazy, like any future: the step runs when first polled. (A
        // `Ready` holding the outcome would also make the future's drop a
        // call out of line, on every `fire_async` of a component that has
        // no async edge.)
        async move { AsyncStep::from_step(Self::step(data, from, event)) }
    }

    /// [`step_async`](Component::step_async), given the remembered leaves
    /// `memory` (see [`edge_with_memory`](Component::edge_with_memory)). The
    /// default is `step_async`; the derive overrides it for a component with
    /// async edges.
    #[inline]
    fn step_async_with_memory<'a>(
        data: &'a mut Self,
        from: Self::State,
        event: Self::Event,
        memory: &'a [Option<Self::State>],
    ) -> impl Future<Output = AsyncStep<Self>> + 'a {
        let _ = memory;
        Self::step_async(data, from, event)
    }

    /// Runs the entry actions of the initial configuration: those of the
    /// superstates that hold [`INITIAL`](Component::INITIAL), outermost
    /// first, then the initial leaf's own, as one step under one snapshot
    /// (on `Err` the data is as it was). [`StateMachine::start`] and
    /// [`Typed::start`](crate::Typed::start) call it; `new` does not.
    ///
    /// The default runs nothing. The derive overrides it when a state of
    /// the initial configuration declares `entry`; when one of them is
    /// `async`, this refuses with [`Refusal::NeedsAsync`] and
    /// [`enter_initial_async`](Component::enter_initial_async) runs them.
    ///
    /// [`StateMachine::start`]: crate::StateMachine::start
    #[inline]
    fn enter_initial(data: &mut Self) -> Result<(), Refusal> {
        let _ = data;
        Ok(())
    }

    /// [`enter_initial`](Component::enter_initial), awaiting `async` entry
    /// actions; dropping the future before it finishes restores the data.
    /// The default is `enter_initial`.
    #[inline]
    fn enter_initial_async(data: &mut Self) -> impl Future<Output = Result<(), Refusal>> + '_ {
        core::future::ready(Self::enter_initial(data))
    }

    /// Whether `state` ends the lifecycle.
    fn is_terminal(state: Self::State) -> bool {
        Self::TERMINAL.contains(&state)
    }
}

/// A zero-sized state type (`worker::Running`) and the run-time value it stands for.
pub trait StateMarker<C: Component> {
    /// The run-time state this type stands for.
    const STATE: C::State;
}

/// A zero-sized event type (`worker::Start`) and the run-time value it stands for.
pub trait EventMarker<C: Component> {
    /// The run-time event this type stands for.
    const EVENT: C::Event;
}

/// Performs the guard and action of `edge` on `data`.
///
/// On `Err` the data equals what it was before the call: the guard only reads
/// it, and the action wrapper restores its snapshot. An async edge is refused
/// with [`Refusal::NeedsAsync`] before anything runs.
#[inline(always)]
pub fn perform<C: Component>(data: &mut C, edge: &Edge<C>) -> Result<(), Refusal> {
    if edge.is_async {
        return Err(Refusal::NeedsAsync);
    }
    if let Some(guard) = edge.guard {
        match catch_unwind(AssertUnwindSafe(|| guard(data))) {
            Ok(true) => {}
            Ok(false) => return Err(Refusal::GuardRefused),
            Err(payload) => return Err(Refusal::GuardPanicked(panic_message(payload.as_ref()))),
        }
    }
    if let Some(action) = edge.action {
        action(data)?;
    }
    Ok(())
}

/// The outcome of one move tried by [`Component::step`].
///
/// In the `NotAllowed` and `Refused` cases the data is what it was before the
/// move was tried.
pub enum Step<C: Component> {
    /// The state has no transition on the event; nothing ran.
    NotAllowed,
    /// The transition to `to` was refused by its guard or action.
    Refused {
        /// The state the move would have entered.
        to: C::State,
        /// Why it did not.
        refusal: Refusal,
    },
    /// The guard and action ran; the component enters this state.
    Moved(C::State),
}

impl<C: Component> std::fmt::Debug for Step<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::NotAllowed => f.write_str("NotAllowed"),
            Step::Refused { to, refusal } => f
                .debug_struct("Refused")
                .field("to", to)
                .field("refusal", refusal)
                .finish(),
            Step::Moved(to) => f.debug_tuple("Moved").field(to).finish(),
        }
    }
}

impl<C: Component> Step<C> {
    /// The state a typed handle's move entered, or why it did not. Typed
    /// moves are built only for edges the table has; were one missing
    /// (`NotAllowed`), the handle comes back unchanged, as `NeedsAsync`.
    #[inline]
    pub(crate) fn landed(self) -> Result<C::State, Refusal> {
        match self {
            Step::Moved(to) => Ok(to),
            Step::Refused { refusal, .. } => Err(refusal),
            Step::NotAllowed => Err(Refusal::NeedsAsync),
        }
    }
}

/// The outcome of an async step ([`Component::step_async`]): a [`Step`] in
/// two words.
///
/// The step's future runs out of line, so its output goes back through
/// memory. A `Step`, with its [`Refusal`] inline, is stored there in pieces
/// and read back whole, which stalled the CPU on every async move (no store
/// forwarding; BENCHMARKS.md, "Async moves", round ten). Two words come back
/// in registers. A move, a missing transition and a guard's refusal carry
/// only a state; any other refusal (an action that failed or panicked,
/// which has allocated already) is boxed.
pub struct AsyncStep<C: Component>(Outcome<C>);

/// What an [`AsyncStep`] holds.
enum Outcome<C: Component> {
    Moved(C::State),
    NotAllowed,
    GuardRefused(C::State),
    Other(Box<Step<C>>),
}

impl<C: Component> AsyncStep<C> {
    /// The move entered `to`.
    #[inline]
    pub fn moved(to: C::State) -> Self {
        AsyncStep(Outcome::Moved(to))
    }

    /// The move to `to` was refused.
    #[inline]
    pub fn refused(to: C::State, refusal: Refusal) -> Self {
        match refusal {
            Refusal::GuardRefused => AsyncStep(Outcome::GuardRefused(to)),
            refusal => Self::boxed(Step::Refused { to, refusal }),
        }
    }

    /// `step`, in two words.
    #[inline]
    pub fn from_step(step: Step<C>) -> Self {
        match step {
            Step::Moved(to) => Self::moved(to),
            Step::NotAllowed => AsyncStep(Outcome::NotAllowed),
            Step::Refused { to, refusal } => Self::refused(to, refusal),
        }
    }

    /// The step this is.
    #[inline]
    pub fn into_step(self) -> Step<C> {
        match self.0 {
            Outcome::Moved(to) => Step::Moved(to),
            Outcome::NotAllowed => Step::NotAllowed,
            Outcome::GuardRefused(to) => Step::Refused {
                to,
                refusal: Refusal::GuardRefused,
            },
            Outcome::Other(step) => *step,
        }
    }

    /// A refusal that carries more than a state, boxed; out of line, as
    /// the failures that make one are.
    #[cold]
    #[inline(never)]
    fn boxed(step: Step<C>) -> Self {
        AsyncStep(Outcome::Other(Box::new(step)))
    }
}

impl<C: Component> std::fmt::Debug for AsyncStep<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Outcome::Moved(to) => f.debug_tuple("Moved").field(to).finish(),
            Outcome::NotAllowed => f.write_str("NotAllowed"),
            Outcome::GuardRefused(to) => f
                .debug_struct("Refused")
                .field("to", to)
                .field("refusal", &Refusal::GuardRefused)
                .finish(),
            Outcome::Other(step) => step.fmt(f),
        }
    }
}

/// Takes `edge` (see [`perform`]) and says where it led.
///
/// Always inlined: when `edge` is a constant (as in the step the derive
/// generates) its guard and action become direct, inlinable calls.
#[inline(always)]
pub fn take_edge<C: Component>(data: &mut C, edge: Edge<C>) -> Step<C> {
    match perform(data, &edge) {
        Ok(()) => Step::Moved(edge.to),
        Err(refusal) => Step::Refused {
            to: edge.to,
            refusal,
        },
    }
}
