//! `SharedMachine` with async moves (feature `async`): no two moves
//! interleave; a blocking move is `Busy` at once while an async move is in
//! flight; `fire_async` calls take turns first come, first served; a
//! cancelled move gives the machine back.
#![cfg(feature = "async")]

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use typestep::machine::{Cause, FireError};
use typestep::prelude::*;

/// A future that is `Pending` `n` times, then ready.
struct YieldN(u32);

impl Future for YieldN {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[derive(Debug, thiserror::Error)]
#[error("never")]
struct Never;

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Idle, Busy), initial = Idle)]
#[transition(Idle -> Busy on Start, action = async Self::start)]
#[transition(Busy -> Idle on Stop, action = async Self::stop)]
#[transition(Idle -> Idle on Tick)]
#[transition(Busy -> Busy on Tick)]
struct Job {
    /// Who ran, in order.
    log: Vec<&'static str>,
    delay: u32,
}

impl Job {
    async fn start(&mut self) -> Result<(), Never> {
        self.log.push("start");
        YieldN(self.delay).await;
        Ok(())
    }

    async fn stop(&mut self) -> Result<(), Never> {
        self.log.push("stop");
        YieldN(self.delay).await;
        Ok(())
    }
}

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

fn shared(delay: u32) -> SharedMachine<Job> {
    SharedMachine::new(
        StateMachine::new(Job {
            log: Vec::new(),
            delay,
        })
        .with_history(16),
    )
}

#[test]
fn a_blocking_move_is_busy_while_an_async_move_is_in_flight() {
    let job = shared(3);
    let mut start = pin!(job.fire_async(job::Start));
    assert!(poll_once(start.as_mut()).is_pending());
    // In flight: blocking moves are refused at once, nothing changes.
    let error = job.fire(job::Tick).unwrap_err();
    assert!(
        matches!(
            error,
            FireError::Busy {
                state: job::State::Idle,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), "busy");
    let error = job.fire_from(job::State::Idle, job::Tick).unwrap_err();
    assert!(matches!(error, FireError::Busy { .. }));
    assert_eq!(job.state(), job::State::Idle, "the committed state");
    // The move lands; the machine is back.
    let record = loop {
        if let Poll::Ready(result) = poll_once(start.as_mut()) {
            break result.unwrap();
        }
    };
    assert_eq!(record.to, job::State::Busy);
    assert_eq!(job.state(), job::State::Busy);
    job.fire(job::Tick).unwrap();
    job.with(|m| assert_eq!(m.history().len(), 2));
}

#[test]
fn async_moves_take_turns_first_come_first_served() {
    let job = shared(2);
    let mut first = pin!(job.fire_async(job::Start));
    let mut second = pin!(job.fire_async(job::Tick));
    let mut third = pin!(job.fire_async(job::Stop));
    let mut fourth = pin!(job.fire_async(job::Tick));
    // `first` takes the machine; the others queue in the order they ask.
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    assert!(poll_once(third.as_mut()).is_pending());
    assert!(poll_once(fourth.as_mut()).is_pending());
    // Poll them in reverse order from now on: the order of turns does not
    // depend on who is polled first.
    let mut done = [false; 4];
    while done.iter().any(|d| !d) {
        if !done[3] {
            done[3] = poll_once(fourth.as_mut()).map(|r| r.unwrap()).is_ready();
        }
        if !done[2] {
            done[2] = poll_once(third.as_mut()).map(|r| r.unwrap()).is_ready();
        }
        if !done[1] {
            done[1] = poll_once(second.as_mut()).map(|r| r.unwrap()).is_ready();
        }
        if !done[0] {
            done[0] = poll_once(first.as_mut()).map(|r| r.unwrap()).is_ready();
        }
    }
    let (causes, log) = job.with(|m| {
        (
            m.history().iter().map(|r| r.cause).collect::<Vec<_>>(),
            m.data().log.clone(),
        )
    });
    assert_eq!(
        causes,
        [
            Cause::Event(job::Event::Start),
            Cause::Event(job::Event::Tick),
            Cause::Event(job::Event::Stop),
            Cause::Event(job::Event::Tick),
        ]
    );
    assert_eq!(log, ["start", "stop"]);
    assert_eq!(job.state(), job::State::Idle);
}

#[test]
fn a_cancelled_async_move_gives_the_machine_back_rolled_back() {
    let job = shared(5);
    {
        let mut start = pin!(job.fire_async(job::Start));
        assert!(poll_once(start.as_mut()).is_pending());
        assert!(poll_once(start.as_mut()).is_pending());
        assert!(job.fire(job::Tick).is_err());
    } // dropped mid-way
    assert_eq!(job.state(), job::State::Idle);
    job.with(|m| {
        assert!(m.data().log.is_empty(), "the data was restored");
        assert!(m.history().last().unwrap().is_cancelled());
    });
    job.fire(job::Tick).unwrap();
    let machine = job.into_inner().expect("the machine came back");
    assert_eq!(machine.moves(), 2);
}

#[test]
fn a_shared_async_move_is_send() {
    fn send<T: Send>(_: &T) {}
    let job = shared(1);
    let fire = job.fire_async(job::Start);
    send(&fire);
}
