//! A typed handle's async move: one generic future-to-be,
//! [`TypedAsyncMove`], from the handle it starts from to the handle it
//! gives, under three names for its three shapes: [`AsyncMove`] (a
//! [`Typed`] handle to a leaf), [`AsyncResume`] (a [`Typed`] handle into a
//! superstate with `history`, giving a [`Within`] handle) and
//! [`AsyncWithinMove`] (a [`Within`] handle along a transition its
//! superstate declares).
//!
//! Every one runs the same way: the step the derive generates, raced against
//! an optional signal; a move cut short or refused restores the data and
//! hands the starting handle back, its memory as it was.

use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::refusal::Refusal;
use super::slots::MemorySlots;
use super::table::{Component, StateMarker};
use super::typed::{reject, Rejected, Typed};
use super::within::{landed_in, rejected_within, within, RejectedWithin, Within};

/// A typed handle's move along an async edge, not started yet, from handle
/// `H` to handle `T`: `.await` it (it is [`IntoFuture`]), or run it with
/// [`run`](TypedAsyncMove::run) (no allocation), or bound it with
/// [`cancel_on`](TypedAsyncMove::cancel_on) (or, with the `tokio` feature,
/// `timeout`) to get the starting handle back when it is cut short. Named by
/// its shape: [`AsyncMove`], [`AsyncResume`], [`AsyncWithinMove`].
#[must_use = "an async move does nothing until it is awaited"]
pub struct TypedAsyncMove<H: Origin, T> {
    handle: H,
    event: <H::Component as Component>::Event,
    boxed: Boxer<H, T>,
}

/// A [`Typed`] handle's move to a leaf along an async edge: the target's
/// handle.
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
pub type AsyncMove<C, S, N> = TypedAsyncMove<Typed<C, S>, Typed<C, N>>;

/// A [`Typed`] handle's move along an async edge into a superstate `R` with
/// `history`: the async counterpart of the blocking move that gives a
/// [`Within`] handle. The leaf it enters is the one `R` remembers (its
/// `initial` leaf on the first entry), decided when the move runs.
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
pub type AsyncResume<C, S, R> = TypedAsyncMove<Typed<C, S>, Within<C, R>>;

/// A [`Within`] handle's move along an async transition declared on its
/// superstate `R`: `T` is the [`Typed`] handle of the target leaf, or, into
/// a superstate with `history`, a [`Within`] handle. Cut short or refused,
/// the `Within` handle comes back in the same leaf.
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
pub type AsyncWithinMove<C, R, T> = TypedAsyncMove<Within<C, R>, T>;

/// Boxes a [`TypedAsyncMove`] into its `Send` future (see
/// [`TypedAsyncMove::new`]).
pub type Boxer<H, T> = fn(TypedAsyncMove<H, T>) -> MoveFuture<H, T>;

/// The boxed future of an awaited [`TypedAsyncMove`]
/// (`handle.fire(e).await`): `Send + 'static`, so the move can run inside
/// `tokio::spawn`. Use [`TypedAsyncMove::run`] to avoid the allocation. The
/// derive builds this box for every async edge, so a component with async
/// edges must be `Send + 'static` and its async actions' futures `Send`.
pub type MoveFuture<H, T> =
    Pin<Box<dyn Future<Output = Result<T, <H as Origin>::Rejected>> + Send>>;

impl<H: Origin, T: Landing<H::Component>> TypedAsyncMove<H, T> {
    /// The move of `handle` on `event` (made by generated code, which
    /// passes `boxed = |m| Box::pin(m.run())` for the concrete component:
    /// only there can the compiler see that the move's future is `Send`).
    #[inline]
    pub fn new(handle: H, event: <H::Component as Component>::Event, boxed: Boxer<H, T>) -> Self {
        TypedAsyncMove {
            handle,
            event,
            boxed,
        }
    }

    /// Runs the move: the next handle, or the starting handle and why it did
    /// not move. Dropping this future mid-way restores the data, but drops
    /// the handle with it; to get the handle back, use
    /// [`cancel_on`](TypedAsyncMove::cancel_on).
    pub fn run(self) -> impl Future<Output = Result<T, H::Rejected>> {
        // `cancel_on`'s own future, not one that awaits it: each layer of
        // `async fn` copies its arguments into its state once more.
        self.cancel_on(core::future::pending::<()>())
    }

    /// Runs the move until `signal` completes: if the signal comes first, the
    /// move is dropped where it stands, the data is restored from its
    /// snapshot, and the starting handle (same state, memory unchanged)
    /// comes back with `reason: Refusal::Cancelled`.
    pub async fn cancel_on<F: Future>(self, signal: F) -> Result<T, H::Rejected> {
        let TypedAsyncMove { handle, event, .. } = self;
        let (mut data, mut memory, from) = handle.into_parts();
        let step = <H::Component as Component>::step_async_with_memory(
            &mut data,
            from,
            event,
            memory.slots(),
        );
        let outcome = UntilSignal::new(step, signal).await;
        match outcome.map_or(Err(Refusal::Cancelled), |step| {
            landed_in(&mut memory, from, step.into_step())
        }) {
            Ok(to) => Ok(T::land(data, memory, to)),
            Err(reason) => Err(H::reject(data, memory, from, reason)),
        }
    }

    /// Runs the move for at most `limit` (tokio's clock): on time-out the
    /// data is restored and the starting handle comes back with
    /// [`Refusal::Cancelled`].
    #[cfg(feature = "tokio")]
    pub fn timeout(
        self,
        limit: std::time::Duration,
    ) -> impl Future<Output = Result<T, H::Rejected>> {
        self.cancel_on(tokio::time::sleep(limit))
    }
}

impl<H: Origin, T> IntoFuture for TypedAsyncMove<H, T> {
    type Output = Result<T, H::Rejected>;
    type IntoFuture = MoveFuture<H, T>;

    fn into_future(self) -> Self::IntoFuture {
        (self.boxed)(self)
    }
}

/// A handle a [`TypedAsyncMove`] starts from: a [`Typed`] handle (in its
/// state) or a [`Within`] handle (in its leaf). Implemented for those two
/// only.
pub trait Origin: Sized + sealed::Sealed {
    /// The component the handle holds.
    type Component: Component;
    /// What a move that did not happen gives back: the handle and why.
    type Rejected;
    /// The data, the memory and the state the handle is in.
    #[doc(hidden)]
    fn into_parts(self) -> Parts<Self::Component>;
    /// The handle of the same parts, given back with `reason`.
    #[doc(hidden)]
    fn reject(
        data: Self::Component,
        memory: <Self::Component as Component>::Memory,
        state: <Self::Component as Component>::State,
        reason: Refusal,
    ) -> Self::Rejected;
}

/// A handle a [`TypedAsyncMove`] gives: the [`Typed`] handle of the leaf it
/// entered, or a [`Within`] handle when it resumed a superstate with
/// `history`. Implemented for those two only.
pub trait Landing<C: Component>: Sized + sealed::Sealed {
    /// The handle of `data` and `memory` after a move that entered `leaf`.
    #[doc(hidden)]
    fn land(data: C, memory: C::Memory, leaf: C::State) -> Self;
}

/// A handle's data, memory and state.
type Parts<C> = (C, <C as Component>::Memory, <C as Component>::State);

mod sealed {
    pub trait Sealed {}
    impl<C: super::Component, S> Sealed for super::Typed<C, S> {}
    impl<C: super::Component, R> Sealed for super::Within<C, R> {}
}

impl<C: Component, S: StateMarker<C>> Origin for Typed<C, S> {
    type Component = C;
    type Rejected = Rejected<C, S>;

    #[inline]
    fn into_parts(self) -> Parts<C> {
        let (data, memory) = Typed::into_parts(self);
        (data, memory, S::STATE)
    }

    #[inline]
    fn reject(data: C, memory: C::Memory, _state: C::State, reason: Refusal) -> Rejected<C, S> {
        reject(Typed::from_parts(data, memory), reason)
    }
}

impl<C: Component, R> Origin for Within<C, R> {
    type Component = C;
    type Rejected = RejectedWithin<C, R>;

    #[inline]
    fn into_parts(self) -> Parts<C> {
        Within::into_parts(self)
    }

    #[inline]
    fn reject(data: C, memory: C::Memory, leaf: C::State, reason: Refusal) -> RejectedWithin<C, R> {
        rejected_within(data, memory, leaf, reason)
    }
}

impl<C: Component, N> Landing<C> for Typed<C, N> {
    #[inline]
    fn land(data: C, memory: C::Memory, _leaf: C::State) -> Self {
        Typed::from_parts(data, memory)
    }
}

impl<C: Component, Q> Landing<C> for Within<C, Q> {
    #[inline]
    fn land(data: C, memory: C::Memory, leaf: C::State) -> Self {
        within(data, memory, leaf)
    }
}

pin_project! {
    /// Polls an async move's `step` until it is done (`Some`), or until
    /// `signal` completes first (`None`): the move is then dropped where it
    /// stands, and an unfinished action restores the data. A plain future
    /// rather than an `async fn`, so that awaiting it adds no layer of
    /// state to the move's future. Typed moves and
    /// [`StateMachine::fire_async_until`](crate::StateMachine::fire_async_until)
    /// race their signal with it.
    pub(crate) struct UntilSignal<F, G> {
        #[pin]
        step: F,
        #[pin]
        signal: G,
    }
}

impl<F: Future, G: Future> UntilSignal<F, G> {
    /// Races `step` against `signal`.
    #[inline]
    pub(crate) fn new(step: F, signal: G) -> Self {
        UntilSignal { step, signal }
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
