//! Async moves of a [`StateMachine`]: [`fire_async`](StateMachine::fire_async),
//! whose cancellation is a rollback.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::error::FireError;
use super::observer::Observer;
use super::record::{Cause, MoveRecord};
use super::StateMachine;
use crate::component::{Component, Refusal, Step, UntilSignal};
use crate::ticks::Started;
use pin_project_lite::pin_project;

impl<C: Component, O: Observer<C>> StateMachine<C, O> {
    /// Fires `event` on any edge, sync or async: one checked move, awaiting
    /// an async guard or action.
    ///
    /// A sync edge moves at once, exactly as [`fire`](Self::fire) does. An
    /// async edge runs its guard, then its action under a snapshot, and
    /// commits when the action's future completes.
    ///
    /// **Cancellation is a rollback.** If this future is dropped before it
    /// completes, at any await point (a `select!`, a timeout, an aborted
    /// task), the data is restored from the snapshot, the machine stays in
    /// the source state, and the move is recorded as cancelled: a
    /// [`MoveRecord`] with [`Cause::Cancelled`] (`from == to`) goes to the
    /// history, the observers (a
    /// [`MoveLogger`](crate::recovery::MoveLogger) logs it as
    /// [`EventKind::Cancelled`](crate::recovery::EventKind::Cancelled)) and
    /// the subscribers. The next move works as usual.
    ///
    /// Needs no runtime. The future is `Send` when the component, the
    /// observer and the action's future are.
    ///
    /// ```
    /// use typestep::prelude::*;
    ///
    /// #[derive(Component, Clone)]
    /// #[component(states(Idle, Connected), initial = Idle)]
    /// #[transition(Idle -> Connected on Connect, action = async Self::connect)]
    /// #[transition(Connected -> Idle on Drop)]
    /// struct Link { opened: u32 }
    ///
    /// impl Link {
    ///     async fn connect(&mut self) -> Result<(), std::io::Error> {
    ///         self.opened += 1;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
    /// # }
    /// let mut m = StateMachine::new(Link { opened: 0 });
    /// // A blocking fire cannot run an async action: an error, nothing changed.
    /// assert!(matches!(m.fire(link::Connect), Err(FireError::NeedsAsync { .. })));
    /// block_on(m.fire_async(link::Connect))?;
    /// assert_eq!((m.state(), m.data().opened), (link::State::Connected, 1));
    /// // Any edge works with `fire_async`, sync ones included.
    /// block_on(m.fire_async(link::Drop))?;
    /// # Ok::<(), FireError<Link>>(())
    /// ```
    pub fn fire_async(
        &mut self,
        event: impl Into<C::Event>,
    ) -> impl Future<Output = Result<MoveRecord<C>, FireError<C>>> + '_ {
        FireAsync {
            start: Some(self),
            event: event.into(),
            flight: None,
            fly: Some(fly::<C, O>),
        }
    }

    /// Fires `event` as [`fire_async`](Self::fire_async) does, until `signal`
    /// completes: if the signal comes first, the move is cancelled (rolled
    /// back and recorded as cancelled) and the result is
    /// [`FireError::Cancelled`].
    pub async fn fire_async_until<F: Future>(
        &mut self,
        event: impl Into<C::Event>,
        signal: F,
    ) -> Result<MoveRecord<C>, FireError<C>> {
        let event = event.into();
        // An unfinished move is dropped inside the race: rolled back.
        let outcome = UntilSignal::new(self.fire_async(event), signal).await;
        match outcome {
            Some(result) => result,
            None => Err(FireError::Cancelled {
                component: C::NAME,
                state: self.state,
                event,
            }),
        }
    }

    /// Fires `event` as [`fire_async`](Self::fire_async) does, for at most
    /// `limit` of tokio's clock; on time-out the move is rolled back and
    /// the result is [`FireError::Cancelled`].
    #[cfg(feature = "tokio")]
    pub async fn fire_async_within(
        &mut self,
        event: impl Into<C::Event>,
        limit: std::time::Duration,
    ) -> Result<MoveRecord<C>, FireError<C>> {
        self.fire_async_until(event, tokio::time::sleep(limit))
            .await
    }

    /// Records a cancelled async move: numbered, in the history, told to
    /// observers and subscribers.
    fn cancelled(&mut self, from: C::State, event: C::Event, clock: Clock) {
        self.seq += 1;
        let times = clock.map(Started::finish);
        let record = MoveRecord {
            seq: self.seq,
            from,
            cause: Cause::Cancelled(event),
            to: from,
            at: times.and_then(|times| times.at),
            took: times.map(|times| times.took),
        };
        self.history.push_next(record);
        // Where the move was headed: the memory is as before the move.
        match C::edge_with_memory(from, event, self.subscribers.slots()) {
            Some(edge) => self.observer.on_cancelled(&record, edge.to, &self.data),
            None => self.observer.on_move(&record, &self.data),
        }
        self.subscribers.send(record);
        #[cfg(feature = "tracing")]
        tracing::debug!(
            component = C::NAME,
            seq = record.seq,
            from = crate::Label::name(from),
            event = crate::Label::name(event),
            "typestep async move cancelled"
        );
        #[cfg(feature = "metrics")]
        super::meter::cancelled::<C>();
    }
}

/// The start of a timed move (the process-wide clock a blocking move is
/// timed with), or `None` for an untimed one.
type Clock = Option<Started>;

pin_project! {
    /// The future of [`StateMachine::fire_async`].
    ///
    /// Its first poll tries the move as [`fire`](StateMachine::fire) does,
    /// with no future in between, and is done when the edge is sync. Only an
    /// async edge starts the inner future `flight` (made by `fly`, a
    /// zero-sized function item), which owns the machine until it lands.
    struct FireAsync<'a, C: Component, O: Observer<C>, Fly, Flight> {
        start: Option<&'a mut StateMachine<C, O>>,
        event: C::Event,
        fly: Option<Fly>,
        #[pin]
        flight: Option<Flight>,
    }
}

impl<'a, C, O, Fly, Flight> Future for FireAsync<'a, C, O, Fly, Flight>
where
    C: Component,
    O: Observer<C>,
    Fly: FnOnce(&'a mut StateMachine<C, O>, C::State, C::Event, Clock) -> Flight,
    Flight: Future<Output = Result<MoveRecord<C>, FireError<C>>>,
{
    type Output = Result<MoveRecord<C>, FireError<C>>;

    // Inlined into the caller's poll: out of line, the move's result went
    // back through memory in pieces and was read back whole (a
    // store-forwarding stall), and a sync edge through `fire_async` cost
    // 4.4x `fire` (BENCHMARKS.md, "Async moves", round nine).
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Some(machine) = this.start.take() {
            let event = *this.event;
            // Two copies of the first try, as in `fire`: the untimed one
            // keeps no clock value live.
            let clock = match machine.start_clock() {
                Some(start) => {
                    if let Some(done) = try_sync(machine, event, Some(start)) {
                        return Poll::Ready(done);
                    }
                    Some(start)
                }
                None => {
                    if let Some(done) = try_sync(machine, event, None) {
                        return Poll::Ready(done);
                    }
                    None
                }
            };
            let from = machine.state;
            if let Some(fly) = this.fly.take() {
                this.flight.set(Some(fly(machine, from, event, clock)));
            }
        }
        match this.flight.as_pin_mut() {
            Some(flight) => flight.poll(cx),
            None => panic!("`fire_async` polled after it completed"),
        }
    }
}

/// The first try of an async move: the move itself when the edge is sync
/// (or there is none), `None` when it needs the async path.
#[inline(always)]
fn try_sync<C: Component, O: Observer<C>>(
    machine: &mut StateMachine<C, O>,
    event: C::Event,
    clock: Clock,
) -> Option<Result<MoveRecord<C>, FireError<C>>> {
    let from = machine.state;
    match C::step_with_memory(&mut machine.data, from, event, machine.subscribers.slots()) {
        needs_async @ Step::Refused {
            refusal: Refusal::NeedsAsync,
            ..
        } => {
            // It owns nothing. Dropped, it cost a call of `Refusal`'s drop
            // glue, out of line, on every async move (`perf annotate`:
            // 14% of a ready async action).
            core::mem::forget(needs_async);
            None
        }
        step => Some(machine.settle(from, event, step, clock)),
    }
}

/// The async path of a move: awaits the guard and action, then settles. If
/// it is dropped before it lands, the move is recorded as cancelled (the
/// step's future, dropped first, has restored the data).
///
/// A function returning an `async` block, not an `async fn`: the block uses
/// the in-flight record it captured where it lies, where an `async fn`
/// would first copy its arguments into locals of its own.
fn fly<C: Component, O: Observer<C>>(
    machine: &mut StateMachine<C, O>,
    from: C::State,
    event: C::Event,
    clock: Clock,
) -> impl Future<Output = Result<MoveRecord<C>, FireError<C>>> + '_ {
    let mut flight = InFlight {
        machine,
        from,
        event,
        clock,
        landed: false,
    };
    async move {
        let machine = &mut *flight.machine;
        let step =
            C::step_async_with_memory(&mut machine.data, from, event, machine.subscribers.slots())
                .await
                .into_step();
        flight.landed = true;
        flight.machine.settle(from, event, step, clock)
    }
}

/// An async move in flight: dropped before it landed, it records the move
/// as cancelled.
struct InFlight<'a, C: Component, O: Observer<C>> {
    machine: &'a mut StateMachine<C, O>,
    from: C::State,
    event: C::Event,
    clock: Clock,
    landed: bool,
}

impl<C: Component, O: Observer<C>> Drop for InFlight<'_, C, O> {
    fn drop(&mut self) {
        if !self.landed {
            self.machine.cancelled(self.from, self.event, self.clock);
        }
    }
}
