//! Async moves of a [`StateMachine`]: [`fire_async`](StateMachine::fire_async),
//! whose cancellation is a rollback.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;
use std::time::{Instant, SystemTime};

use super::error::FireError;
use super::observer::Observer;
use super::record::{Cause, MoveRecord};
use super::{clock_now, StateMachine};
use crate::component::{Component, Refusal, Step};

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
        let event = event.into();
        async move {
            let clock = if self.timing || self.observer.wants_time() {
                Some(clock_now())
            } else {
                None
            };
            let from = self.state;
            match C::step(&mut self.data, from, event) {
                Step::Refused {
                    refusal: Refusal::NeedsAsync,
                    ..
                } => {}
                step => return self.settle(from, event, step, clock),
            }
            // Records the move as cancelled if this future is dropped while
            // the step below is pending. The step's future is dropped first
            // (it is the newer value), which restores the data.
            let mut flight = InFlight {
                machine: self,
                from,
                event,
                clock,
                landed: false,
            };
            let step = C::step_async(&mut flight.machine.data, from, event).await;
            flight.landed = true;
            flight.machine.settle(from, event, step, clock)
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
        let outcome = {
            let mut fire = pin!(self.fire_async(event));
            let mut signal = pin!(signal);
            poll_fn(|cx| {
                if let Poll::Ready(result) = fire.as_mut().poll(cx) {
                    return Poll::Ready(Some(result));
                }
                if signal.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            })
            .await
            // `fire` is dropped here: an unfinished move is rolled back.
        };
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
    fn cancelled(&mut self, from: C::State, event: C::Event, clock: Option<(SystemTime, Instant)>) {
        self.seq += 1;
        let record = MoveRecord {
            seq: self.seq,
            from,
            cause: Cause::Cancelled(event),
            to: from,
            at: clock.map(|(at, _)| at),
            took: clock.map(|(_, start)| start.elapsed()),
        };
        self.history.push(record);
        self.observer.on_move(&record, &self.data);
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
        metrics::counter!("typestep_moves_total", "component" => C::NAME, "outcome" => "cancelled")
            .increment(1);
    }
}

/// An async move in flight: dropped before it landed, it records the move
/// as cancelled.
struct InFlight<'a, C: Component, O: Observer<C>> {
    machine: &'a mut StateMachine<C, O>,
    from: C::State,
    event: C::Event,
    clock: Option<(SystemTime, Instant)>,
    landed: bool,
}

impl<C: Component, O: Observer<C>> Drop for InFlight<'_, C, O> {
    fn drop(&mut self) {
        if !self.landed {
            self.machine.cancelled(self.from, self.event, self.clock);
        }
    }
}
