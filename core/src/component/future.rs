//! Async moves without a runtime: the snapshot guard put around an async
//! action, panic catching for futures, and the typed handle's async moves
//! (to a leaf, [`AsyncMove`], and into a superstate with `history`,
//! [`AsyncResume`]).
//!
//! Cancellation is a rollback. An async action runs under an
//! [`ActionGuard`] that holds the snapshot; the guard restores the data when
//! it is dropped without being finished, which is exactly what happens when
//! the move's future is dropped at an await point.

use core::future::{poll_fn, Future, IntoFuture};
use core::marker::PhantomData;
use core::pin::{pin, Pin};
use core::task::{Context, Poll};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pin_project_lite::pin_project;

use super::nested::hook_failed;
use super::refusal::Refusal;
use super::slots::MemorySlots;
use super::snapshot::Snapshot;
use super::table::{Component, StateMarker, Step};
use super::typed::{reject, Rejected, Typed};
use super::within::{landed_in, rejected_within, within, Landing, RejectedWithin, Within};
use crate::fault::panic_message;

/// Polls `future` to completion, turning a panic in any poll into
/// `Err(message)`.
///
/// For futures the library runs itself (supervised tasks, cleanup steps);
/// generated code polls an action in place with [`poll_caught`], which
/// saves a layer of future.
pub async fn catch_unwind_async<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = pin!(future);
    poll_fn(move |cx| poll_caught(future.as_mut(), cx)).await
}

/// Polls `future` once, turning a panic into `Ready(Err(message))`.
///
/// Generated code polls every async guard and action through it, so that a
/// panicking action is a refused move, as in the blocking path.
#[inline(always)]
pub fn poll_caught<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, String>> {
    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
        Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
    }
}

/// The future of an `async` guard or action's result.
///
/// Generated code passes every `guard = async path` / `action = async path`
/// result through this function, spanned at the user's path, so that a
/// blocking function named `async` is reported first at that path ("... is
/// not a future").
#[inline(always)]
pub fn into_async<F: IntoFuture>(step: F) -> F::IntoFuture {
    step.into_future()
}

/// The verdict of an async guard, polled with [`poll_caught`]: `Ok` when
/// it allows the move.
#[inline]
pub fn guard_verdict(outcome: Result<bool, String>) -> Result<(), Refusal> {
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(Refusal::GuardRefused),
        Err(message) => Err(Refusal::GuardPanicked(message)),
    }
}

/// Awaits an async guard: `Ok` when it allows the move.
pub async fn run_guard_async<F>(guard: F) -> Result<(), Refusal>
where
    F: Future<Output = bool>,
{
    guard_verdict(catch_unwind_async(guard).await)
}

/// Runs a blocking guard inside an async move (same as the blocking path).
#[inline]
pub fn run_guard<C>(data: &C, guard: fn(&C) -> bool) -> Result<(), Refusal> {
    match catch_unwind(AssertUnwindSafe(|| guard(data))) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Refusal::GuardRefused),
        Err(payload) => Err(Refusal::GuardPanicked(panic_message(payload.as_ref()))),
    }
}

/// The snapshot of a component's data while an async action runs.
///
/// Made before the action's future, it lends the data to the action with
/// [`data`](ActionGuard::data). [`finish`](ActionGuard::finish) keeps the
/// action's changes when it succeeded and restores the snapshot when it
/// failed or panicked; dropping the guard unfinished (the move's future was
/// dropped mid-way) restores the snapshot too.
pub struct ActionGuard<'a, C>
where
    C: Component,
    C::Snapshot: Snapshot<C>,
{
    data: &'a mut C,
    saved: Option<<C::Snapshot as Snapshot<C>>::Saved>,
}

impl<'a, C> ActionGuard<'a, C>
where
    C: Component,
    C::Snapshot: Snapshot<C>,
{
    /// Saves `data` with the component's snapshot strategy.
    #[inline]
    pub fn new(data: &'a mut C) -> Self {
        let saved = Some(<C::Snapshot as Snapshot<C>>::save(data));
        ActionGuard { data, saved }
    }

    /// The data, lent to the action.
    #[inline]
    pub fn data(&mut self) -> &mut C {
        self.data
    }

    /// Ends the action: keeps its changes on success, restores the snapshot
    /// on an error or a panic.
    #[inline]
    pub fn finish<E>(self, outcome: Result<Result<(), E>, String>) -> Result<(), Refusal>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        self.settle(action_verdict(outcome))
    }

    /// Ends a chain of steps (exits, action, entries) that reports as a
    /// refusal: keeps the changes on `Ok`, restores the snapshot on `Err`.
    #[inline]
    pub fn settle(mut self, outcome: Result<(), Refusal>) -> Result<(), Refusal> {
        if outcome.is_ok() {
            self.saved = None;
        }
        // Dropping `self` restores the snapshot unless it was kept.
        outcome
    }
}

/// Awaits one `async` exit or entry action of a chain (the snapshot is the
/// async move's); an error or a panic becomes a refusal naming `step`, as
/// with [`run_hook`](super::run_hook).
pub async fn run_hook_async<F, E>(step: &'static str, hook: F) -> Result<(), Refusal>
where
    F: Future<Output = Result<(), E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    match catch_unwind_async(hook).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(hook_failed(step, error)),
        Err(message) => Err(Refusal::ActionPanicked(format!("{step}: {message}"))),
    }
}

/// The verdict of an async action, polled with [`poll_caught`]: `Ok` when
/// it succeeded, else the refusal its error or panic makes.
#[inline]
pub fn action_verdict<E>(outcome: Result<Result<(), E>, String>) -> Result<(), Refusal>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(Refusal::ActionFailed(Box::new(error))),
        Err(message) => Err(Refusal::ActionPanicked(message)),
    }
}

impl<C> Drop for ActionGuard<'_, C>
where
    C: Component,
    C::Snapshot: Snapshot<C>,
{
    fn drop(&mut self) {
        if let Some(saved) = self.saved.take() {
            <C::Snapshot as Snapshot<C>>::restore(self.data, saved);
        }
    }
}

/// A typed move along an async edge, not started yet: `.await` it (it is
/// [`IntoFuture`]), or run it with [`run`](AsyncMove::run) (no allocation),
/// or bound it with [`cancel_on`](AsyncMove::cancel_on) (or, with the
/// `tokio` feature, `timeout`) to get the old handle back when it is cut
/// short.
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component, Clone)]
/// #[component(states(Idle, Connected), initial = Idle)]
/// #[transition(Idle -> Connected on Connect, action = async Self::connect)]
/// struct Link { attempts: u32 }
///
/// impl Link {
///     async fn connect(&mut self) -> Result<(), std::io::Error> {
///         self.attempts += 1;
///         Ok(())
///     }
/// }
///
/// let connected = futures_lite_block_on(Typed::new(Link { attempts: 0 }).fire(link::Connect).run());
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
/// # }
/// let connected: Typed<Link, link::Connected> = connected.unwrap();
/// assert_eq!(connected.data().attempts, 1);
/// ```
#[must_use = "an async move does nothing until it is awaited"]
pub struct AsyncMove<C: Component, S, N> {
    handle: Typed<C, S>,
    event: C::Event,
    boxed: Boxer<C, S, N>,
    to: PhantomData<fn() -> N>,
}

/// Boxes an [`AsyncMove`] into its `Send` future (see [`AsyncMove::new`]).
pub type Boxer<C, S, N> = fn(AsyncMove<C, S, N>) -> MoveFuture<C, S, N>;

impl<C: Component, S: StateMarker<C>, N: StateMarker<C>> AsyncMove<C, S, N> {
    /// The move of `handle` on `event` (made by generated code, which
    /// passes `boxed = |m| Box::pin(m.run())` for the concrete component:
    /// only there can the compiler see that the move's future is `Send`).
    #[inline]
    pub fn new(handle: Typed<C, S>, event: C::Event, boxed: Boxer<C, S, N>) -> Self {
        AsyncMove {
            handle,
            event,
            boxed,
            to: PhantomData,
        }
    }

    /// Runs the move: the handle of the next state, or the old handle and
    /// why it did not move. Dropping this future mid-way restores the data,
    /// but drops the handle with it; to get the handle back, use
    /// [`cancel_on`](AsyncMove::cancel_on).
    pub async fn run(self) -> Result<Typed<C, N>, Rejected<C, S>> {
        self.cancel_on(core::future::pending::<()>()).await
    }

    /// Runs the move until `signal` completes: if the signal comes first, the
    /// move is dropped where it stands, the data is restored from its
    /// snapshot, and the old handle comes back as
    /// `Rejected { reason: Refusal::Cancelled, .. }`.
    pub async fn cancel_on<F: Future>(self, signal: F) -> Result<Typed<C, N>, Rejected<C, S>> {
        let AsyncMove {
            mut handle, event, ..
        } = self;
        let step = C::step_async(handle.data_mut(), S::STATE, event);
        match landed::<C>(UntilSignal { step, signal }.await) {
            Ok(_) => Ok(handle.moved()),
            Err(reason) => Err(reject(handle, reason)),
        }
    }

    /// Runs the move for at most `limit` (tokio's clock): on time-out the
    /// data is restored and the old handle comes back with
    /// [`Refusal::Cancelled`].
    #[cfg(feature = "tokio")]
    pub async fn timeout(self, limit: std::time::Duration) -> Result<Typed<C, N>, Rejected<C, S>> {
        self.cancel_on(tokio::time::sleep(limit)).await
    }
}

/// The boxed future of an awaited [`AsyncMove`] (`Typed::fire(e).await`):
/// `Send + 'static`, so the move can run inside `tokio::spawn`. Use
/// [`AsyncMove::run`] to avoid the allocation. The derive builds this box for
/// every async edge, so a component with async edges must be `Send +
/// 'static` and its async actions' futures `Send`.
pub type MoveFuture<C, S, N> =
    Pin<Box<dyn Future<Output = Result<Typed<C, N>, Rejected<C, S>>> + Send>>;

impl<C: Component, S, N> IntoFuture for AsyncMove<C, S, N> {
    type Output = Result<Typed<C, N>, Rejected<C, S>>;
    type IntoFuture = MoveFuture<C, S, N>;

    fn into_future(self) -> Self::IntoFuture {
        (self.boxed)(self)
    }
}

/// A typed move along an async edge into a superstate `R` with `history`,
/// not started yet: the async counterpart of the blocking move that gives a
/// [`Within`] handle. The leaf it enters is the one `R` remembers (its
/// `initial` leaf on the first entry), decided when the move runs. Run it as
/// an [`AsyncMove`]: `.await` it, or [`run`](AsyncResume::run) it (no
/// allocation), or bound it with [`cancel_on`](AsyncResume::cancel_on) (or,
/// with the `tokio` feature, `timeout`). A move cut short restores the data
/// and hands the old handle back, its memory unchanged.
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component, Clone)]
/// #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
/// #[state(Blinking, initial = LedOn, history, entry = async Self::power_on)]
/// #[transition(Idle -> Blinking on Start)]
/// #[transition(LedOn -> LedOff on Tick)]
/// #[transition(LedOff -> LedOn on Tick)]
/// #[transition(Blinking -> Idle on Stop)]
/// struct Led { powered: u32 }
///
/// impl Led {
///     async fn power_on(&mut self) -> Result<(), std::io::Error> {
///         self.powered += 1;
///         Ok(())
///     }
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
/// # }
/// let blinking: Within<Led, led::Blinking> =
///     block_on(Typed::new(Led { powered: 0 }).fire(led::Start).run()).unwrap();
/// assert_eq!(blinking.state(), led::State::LedOn); // first entry: `initial`
/// let led::InBlinking::LedOn(on) = blinking.into_leaf() else { unreachable!() };
/// let idle = on.fire(led::Tick).fire(led::Stop);
/// let again = block_on(idle.fire(led::Start).run()).unwrap();
/// assert_eq!(again.state(), led::State::LedOff); // resumed where it left
/// assert_eq!(again.data().powered, 2);
/// ```
#[must_use = "an async move does nothing until it is awaited"]
pub struct AsyncResume<C: Component, S, R> {
    handle: Typed<C, S>,
    event: C::Event,
    boxed: ResumeBoxer<C, S, R>,
}

/// Boxes an [`AsyncResume`] into its `Send` future (see [`AsyncResume::new`]).
pub type ResumeBoxer<C, S, R> = fn(AsyncResume<C, S, R>) -> ResumeFuture<C, S, R>;

/// The boxed future of an awaited [`AsyncResume`], `Send + 'static` like
/// [`MoveFuture`]. Use [`AsyncResume::run`] to avoid the allocation.
pub type ResumeFuture<C, S, R> =
    Pin<Box<dyn Future<Output = Result<Within<C, R>, Rejected<C, S>>> + Send>>;

impl<C: Component, S: StateMarker<C>, R> AsyncResume<C, S, R> {
    /// The move of `handle` on `event` (made by generated code, which passes
    /// `boxed = |m| Box::pin(m.run())`, as for [`AsyncMove::new`]).
    #[inline]
    pub fn new(handle: Typed<C, S>, event: C::Event, boxed: ResumeBoxer<C, S, R>) -> Self {
        AsyncResume {
            handle,
            event,
            boxed,
        }
    }

    /// Runs the move: a [`Within`] handle in the leaf it entered, or the old
    /// handle and why it did not move. Dropping this future mid-way restores
    /// the data but drops the handle with it; to get the handle back, use
    /// [`cancel_on`](AsyncResume::cancel_on).
    pub async fn run(self) -> Result<Within<C, R>, Rejected<C, S>> {
        self.cancel_on(core::future::pending::<()>()).await
    }

    /// Runs the move until `signal` completes: if the signal comes first, the
    /// move is dropped where it stands, the data is restored from its
    /// snapshot, and the old handle, memory unchanged, comes back as
    /// `Rejected { reason: Refusal::Cancelled, .. }`.
    pub async fn cancel_on<F: Future>(self, signal: F) -> Result<Within<C, R>, Rejected<C, S>> {
        let AsyncResume { handle, event, .. } = self;
        let (mut data, mut memory) = handle.into_parts();
        let step = C::step_async_with_memory(&mut data, S::STATE, event, memory.slots());
        let outcome = UntilSignal { step, signal }.await;
        match landed_with_memory(&mut memory, S::STATE, outcome) {
            Ok(leaf) => Ok(within(data, memory, leaf)),
            Err(reason) => Err(reject(Typed::from_parts(data, memory), reason)),
        }
    }

    /// Runs the move for at most `limit` (tokio's clock): on time-out the
    /// data is restored and the old handle comes back with
    /// [`Refusal::Cancelled`].
    #[cfg(feature = "tokio")]
    pub async fn timeout(self, limit: std::time::Duration) -> Result<Within<C, R>, Rejected<C, S>> {
        self.cancel_on(tokio::time::sleep(limit)).await
    }
}

impl<C: Component, S, R> IntoFuture for AsyncResume<C, S, R> {
    type Output = Result<Within<C, R>, Rejected<C, S>>;
    type IntoFuture = ResumeFuture<C, S, R>;

    fn into_future(self) -> Self::IntoFuture {
        (self.boxed)(self)
    }
}

/// A [`Within`] handle's move along an async transition declared on its
/// superstate `R`, not started yet. `T` is the handle it gives: the
/// [`Typed`] handle of the target leaf, or, into a superstate with
/// `history`, a [`Within`] handle. Run it as an [`AsyncMove`]: `.await` it,
/// or [`run`](AsyncWithinMove::run) it (no allocation), or bound it with
/// [`cancel_on`](AsyncWithinMove::cancel_on) (or, with the `tokio`
/// feature, `timeout`). A move cut short or refused restores the data and
/// hands the `Within` handle back, in the same leaf, its memory unchanged.
///
/// ```
/// use typestep::prelude::*;
///
/// #[derive(Component, Clone)]
/// #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
/// #[state(Blinking, initial = LedOn, history)]
/// #[transition(Idle -> Blinking on Start)]
/// #[transition(LedOn -> LedOff on Tick)]
/// #[transition(LedOff -> LedOn on Tick)]
/// #[transition(Blinking -> Idle on Stop, action = async Self::power_off)]
/// struct Led { powered: bool }
///
/// impl Led {
///     async fn power_off(&mut self) -> Result<(), std::io::Error> {
///         self.powered = false;
///         Ok(())
///     }
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
/// # }
/// let blinking: Within<Led, led::Blinking> = Typed::new(Led { powered: true }).fire(led::Start);
/// // `Stop` is declared on `Blinking`: no need to split the handle first.
/// let idle: Typed<Led, led::Idle> = block_on(blinking.fire(led::Stop).run()).unwrap();
/// assert!(!idle.data().powered);
/// ```
#[must_use = "an async move does nothing until it is awaited"]
pub struct AsyncWithinMove<C: Component, R, T> {
    handle: Within<C, R>,
    event: C::Event,
    boxed: WithinBoxer<C, R, T>,
}

/// Boxes an [`AsyncWithinMove`] into its `Send` future (see
/// [`AsyncWithinMove::new`]).
pub type WithinBoxer<C, R, T> = fn(AsyncWithinMove<C, R, T>) -> WithinMoveFuture<C, R, T>;

/// The boxed future of an awaited [`AsyncWithinMove`], `Send + 'static`
/// like [`MoveFuture`]. Use [`AsyncWithinMove::run`] to avoid the allocation.
pub type WithinMoveFuture<C, R, T> =
    Pin<Box<dyn Future<Output = Result<T, RejectedWithin<C, R>>> + Send>>;

impl<C: Component, R, T: Landing<C>> AsyncWithinMove<C, R, T> {
    /// The move of `handle` on `event` (made by generated code, which passes
    /// `boxed = |m| Box::pin(m.run())`, as for [`AsyncMove::new`]).
    #[inline]
    pub fn new(handle: Within<C, R>, event: C::Event, boxed: WithinBoxer<C, R, T>) -> Self {
        AsyncWithinMove {
            handle,
            event,
            boxed,
        }
    }

    /// Runs the move: the next handle, or the `Within` handle and why it did
    /// not move. Dropping this future mid-way restores the data but drops
    /// the handle with it; to get the handle back, use
    /// [`cancel_on`](AsyncWithinMove::cancel_on).
    pub async fn run(self) -> Result<T, RejectedWithin<C, R>> {
        self.cancel_on(core::future::pending::<()>()).await
    }

    /// Runs the move until `signal` completes: if the signal comes first, the
    /// move is dropped where it stands, the data is restored from its
    /// snapshot, and the `Within` handle, in the same leaf and memory
    /// unchanged, comes back as `RejectedWithin { reason: Refusal::Cancelled, .. }`.
    pub async fn cancel_on<F: Future>(self, signal: F) -> Result<T, RejectedWithin<C, R>> {
        let AsyncWithinMove { handle, event, .. } = self;
        let (mut data, mut memory, leaf) = handle.into_parts();
        let step = C::step_async_with_memory(&mut data, leaf, event, memory.slots());
        let outcome = UntilSignal { step, signal }.await;
        match landed_with_memory(&mut memory, leaf, outcome) {
            Ok(to) => Ok(T::land(data, memory, to)),
            Err(reason) => Err(rejected_within(data, memory, leaf, reason)),
        }
    }

    /// Runs the move for at most `limit` (tokio's clock): on time-out the
    /// data is restored and the `Within` handle comes back with
    /// [`Refusal::Cancelled`].
    #[cfg(feature = "tokio")]
    pub async fn timeout(self, limit: std::time::Duration) -> Result<T, RejectedWithin<C, R>> {
        self.cancel_on(tokio::time::sleep(limit)).await
    }
}

impl<C: Component, R, T> IntoFuture for AsyncWithinMove<C, R, T> {
    type Output = Result<T, RejectedWithin<C, R>>;
    type IntoFuture = WithinMoveFuture<C, R, T>;

    fn into_future(self) -> Self::IntoFuture {
        (self.boxed)(self)
    }
}

pin_project! {
    /// Polls a typed async move's `step` until it is done (`Some`), or until
    /// `signal` completes first (`None`): the move is then dropped where it
    /// stands, and an unfinished action restores the data. A plain future
    /// rather than an `async fn`, so that awaiting it adds no layer of
    /// state to the move's future.
    struct UntilSignal<F, G> {
        #[pin]
        step: F,
        #[pin]
        signal: G,
    }
}

impl<F: Future, G: Future> Future for UntilSignal<F, G> {
    type Output = Option<F::Output>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(step) = this.step.poll(cx) {
            return Poll::Ready(Some(step));
        }
        if this.signal.poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}

/// Where a typed async move raced against a signal landed: the state it
/// entered, or why it did not (`Cancelled` when the signal came first).
#[inline]
fn landed<C: Component>(outcome: Option<Step<C>>) -> Result<C::State, Refusal> {
    outcome.map_or(Err(Refusal::Cancelled), Step::landed)
}

/// [`landed`] for a move of a handle's parts from leaf `from`: `memory` is
/// updated when the move entered a leaf, and left as it was otherwise.
#[inline]
fn landed_with_memory<C: Component>(
    memory: &mut C::Memory,
    from: C::State,
    outcome: Option<Step<C>>,
) -> Result<C::State, Refusal> {
    outcome.map_or(Err(Refusal::Cancelled), |step| {
        landed_in(memory, from, step)
    })
}
