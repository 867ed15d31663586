//! Async moves without a runtime: the snapshot guard put around an async
//! action and panic catching for futures (typed handles' async moves are in
//! `async_move`).
//!
//! Cancellation is a rollback. An async action runs under an
//! [`ActionGuard`] that holds the snapshot; the guard restores the data when
//! it is dropped without being finished, which is exactly what happens when
//! the move's future is dropped at an await point.

use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pin_project_lite::pin_project;

use super::nested::hook_failed;
use super::refusal::Refusal;
use super::snapshot::Snapshot;
use super::table::Component;
use crate::fault::panic_message;

/// Polls `future` to completion, turning a panic in any poll into
/// `Err(message)`.
///
/// Generated code awaits every async guard and action through it, so that a
/// panicking one is a refused move, as in the blocking path; the library
/// runs supervised tasks and cleanup steps through it too.
#[inline]
pub fn catch_unwind_async<F: Future>(future: F) -> Caught<F> {
    Caught { future }
}

pin_project! {
    /// The future of [`catch_unwind_async`]: `future`'s output, or the
    /// message of a panic in any of its polls. A plain future whose `poll`
    /// is inlined into the awaiting one, so that the outcome does not go
    /// back through memory on its way.
    pub struct Caught<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Caught<F> {
    type Output = Result<F::Output, String>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_caught(self.project().future, cx)
    }
}

/// Polls `future` once, turning a panic into `Ready(Err(message))`: one
/// poll of [`Caught`].
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

/// The verdict of an async guard, awaited with [`catch_unwind_async`]: `Ok` when
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

/// The verdict of an async action, awaited with [`catch_unwind_async`]: `Ok` when
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
