//! Async moves without a runtime: `fire_async` on sync and async edges,
//! `fire` refusing an async edge, typed async moves, and cancellation as a
//! rollback after every possible number of polls.

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use typestep::machine::{Cause, ClockReading, FireError, MoveRecord, Observer};
use typestep::prelude::*;
use typestep::recovery::{EventKind, MoveLogger, RecoveryLogger};
use typestep::Refusal;

use support::{block_on, poll_times, YieldN};

#[derive(Debug, thiserror::Error)]
#[error("refused by the peer")]
struct PeerRefused;

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Idle, Connected, Closed), initial = Idle, terminal(Closed))]
#[transition(Idle -> Connected on Connect, guard = Self::has_addr, action = async Self::connect)]
#[transition(Connected -> Closed on Close, action = async Self::flush)]
#[transition(Connected -> Idle on Reset)]
#[transition(Idle -> Idle on Probe, guard = async Self::reachable)]
struct Link {
    addr: Option<String>,
    /// Each await point of `connect` changes the data first, so that a
    /// cancelled move has something to roll back.
    steps: Vec<&'static str>,
    /// How many times `connect` and `flush` yield.
    delay: u32,
    fail: bool,
    panic: bool,
    up: bool,
}

impl Link {
    fn new(delay: u32) -> Self {
        Link {
            addr: Some("127.0.0.1:9".into()),
            steps: Vec::new(),
            delay,
            fail: false,
            panic: false,
            up: true,
        }
    }

    fn has_addr(&self) -> bool {
        self.addr.is_some()
    }

    async fn reachable(&self) -> bool {
        YieldN(1).await;
        self.up
    }

    async fn connect(&mut self) -> Result<(), PeerRefused> {
        for _ in 0..self.delay {
            self.steps.push("dial");
            YieldN(1).await;
        }
        if self.panic {
            panic!("socket exploded");
        }
        if self.fail {
            self.steps.push("failed");
            return Err(PeerRefused);
        }
        self.steps.push("connected");
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), PeerRefused> {
        YieldN(self.delay).await;
        self.steps.push("flushed");
        Ok(())
    }
}

#[test]
fn fire_refuses_an_async_edge_and_changes_nothing() {
    let log = Arc::new(RecoveryLogger::default());
    let mut m = StateMachine::new(Link::new(2))
        .with_history(8)
        .with_observer(MoveLogger::new(log.clone()));
    let before = m.data().clone();
    let error = m.fire(link::Connect).unwrap_err();
    assert!(
        matches!(
            error,
            FireError::NeedsAsync {
                state: link::State::Idle,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), "needs_async");
    assert_eq!(m.state(), link::State::Idle);
    assert_eq!(m.data(), &before);
    assert_eq!(m.history().len(), 0);
    assert_eq!(m.moves(), 0);
    // A typed blocking move is impossible: the typed fire of an async edge
    // is a future (checked in ui-tests/pass/async_move.rs).
    assert!(Link::TRANSITIONS
        .iter()
        .any(|t| t.is_async && t.event == link::Event::Connect));
    assert!(
        !Link::TRANSITIONS
            .iter()
            .find(|t| t.event == link::Event::Reset)
            .unwrap()
            .is_async
    );
}

#[test]
fn fire_async_takes_sync_and_async_edges() {
    let mut m = StateMachine::new(Link::new(3)).with_history(8);
    let record = block_on(m.fire_async(link::Connect)).unwrap();
    assert_eq!(
        (record.from, record.to),
        (link::State::Idle, link::State::Connected)
    );
    assert_eq!(m.data().steps, ["dial", "dial", "dial", "connected"]);
    // A sync edge through `fire_async`.
    block_on(m.fire_async(link::Reset)).unwrap();
    assert_eq!(m.state(), link::State::Idle);
    // Not accepted: same error as `fire`.
    let error = block_on(m.fire_async(link::Close)).unwrap_err();
    assert!(matches!(error, FireError::NotAllowed { .. }));
    assert_eq!(m.history().len(), 2);
}

#[test]
fn an_async_guard_can_refuse_and_a_sync_guard_still_runs_first() {
    let mut m = StateMachine::new(Link::new(1));
    m.data_mut().up = false;
    let error = block_on(m.fire_async(link::Probe)).unwrap_err();
    assert!(matches!(error, FireError::GuardRefused { .. }), "{error:?}");
    m.data_mut().up = true;
    block_on(m.fire_async(link::Probe)).unwrap();

    m.data_mut().addr = None;
    let error = block_on(m.fire_async(link::Connect)).unwrap_err();
    assert!(matches!(error, FireError::GuardRefused { .. }), "{error:?}");
    assert!(m.data().steps.is_empty(), "the action did not run");
}

#[test]
fn a_failing_or_panicking_async_action_restores_the_data() {
    let mut m = StateMachine::new(Link::new(2)).with_history(8);
    m.data_mut().fail = true;
    let before = m.data().clone();
    let error = block_on(m.fire_async(link::Connect)).unwrap_err();
    assert!(matches!(error, FireError::ActionFailed { .. }), "{error:?}");
    assert_eq!((m.state(), m.data()), (link::State::Idle, &before));

    m.data_mut().fail = false;
    m.data_mut().panic = true;
    let before = m.data().clone();
    let error = block_on(m.fire_async(link::Connect)).unwrap_err();
    match &error {
        FireError::ActionPanicked { message, .. } => assert_eq!(message, "socket exploded"),
        other => panic!("unexpected: {other:?}"),
    }
    assert_eq!((m.state(), m.data()), (link::State::Idle, &before));
    assert_eq!(m.history().len(), 0);
    m.data_mut().panic = false;
    block_on(m.fire_async(link::Connect)).unwrap();
}

#[test]
fn dropping_a_move_after_any_number_of_polls_is_a_rollback() {
    const DELAY: u32 = 4;
    // connect yields DELAY times, so the move finishes on poll DELAY + 1.
    for polls in 0..=DELAY + 2 {
        let log = Arc::new(RecoveryLogger::default());
        let mut m = StateMachine::new(Link::new(DELAY))
            .with_history(8)
            .with_observer(MoveLogger::new(log.clone()));
        let before = m.data().clone();
        let finished = poll_times(m.fire_async(link::Connect), polls);
        let history: Vec<MoveRecord<Link>> = m.history().iter().collect();
        let events = log.collect();
        if polls == 0 {
            // Never polled: the move never started, and nothing is recorded.
            assert!(finished.is_none());
            assert_eq!((m.state(), m.data()), (link::State::Idle, &before));
            assert!(history.is_empty());
            assert!(events.is_empty());
        } else if polls <= DELAY {
            assert!(finished.is_none(), "polls = {polls}");
            // Dropped mid-way: data and state as before, one cancelled record.
            assert_eq!(m.state(), link::State::Idle, "polls = {polls}");
            assert_eq!(m.data(), &before, "polls = {polls}");
            assert_eq!(history.len(), 1, "polls = {polls}");
            let record = history[0];
            assert_eq!(record.cause, Cause::Cancelled(link::Event::Connect));
            assert!(record.is_cancelled());
            assert_eq!(
                (record.from, record.to),
                (link::State::Idle, link::State::Idle)
            );
            assert_eq!(events.len(), 1, "polls = {polls}");
            assert_eq!(events[0].kind, EventKind::Cancelled);
            assert_eq!(events[0].to, Some("Connected"));
            assert_eq!(log.analytics().cancelled, 1);
        } else {
            let record = finished.expect("finished").unwrap();
            assert_eq!(record.to, link::State::Connected);
            assert_eq!(m.state(), link::State::Connected);
            assert_eq!(history.len(), 1);
            assert_eq!(history[0].cause, Cause::Event(link::Event::Connect));
            assert_eq!(events[0].kind, EventKind::Moved);
        }
        // The next move works.
        if m.state() == link::State::Idle {
            block_on(m.fire_async(link::Connect)).unwrap();
        }
        assert_eq!(m.state(), link::State::Connected);
        assert_eq!(m.data().steps.last(), Some(&"connected"));
        assert_eq!(m.data().steps.len() as u32, DELAY + 1, "polls = {polls}");
    }
}

#[test]
fn fire_async_until_a_signal_rolls_back_and_says_cancelled() {
    let mut m = StateMachine::new(Link::new(10)).with_history(8);
    let error = block_on(m.fire_async_until(link::Connect, YieldN(3))).unwrap_err();
    assert!(
        matches!(
            error,
            FireError::Cancelled {
                state: link::State::Idle,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(m.data().steps.is_empty());
    assert!(m.history().last().unwrap().is_cancelled());
    // A signal that comes too late changes nothing.
    let record = block_on(m.fire_async_until(link::Connect, YieldN(100))).unwrap();
    assert_eq!(record.to, link::State::Connected);
}

#[test]
fn typed_async_moves_are_futures() {
    let connected = block_on(Typed::new(Link::new(1)).fire(link::Connect).run()).unwrap();
    let connected: Typed<Link, link::Connected> = connected;
    let closed = block_on(connected.fire(link::Close)).unwrap();
    assert_eq!(closed.state(), link::State::Closed);
    assert_eq!(closed.data().steps, ["dial", "connected", "flushed"]);

    let mut failing = Link::new(1);
    failing.fail = true;
    let rejected = block_on(Typed::new(failing.clone()).fire(link::Connect)).unwrap_err();
    assert!(matches!(rejected.reason, Refusal::ActionFailed(_)));
    assert_eq!(rejected.handle.data(), &failing);
}

#[test]
fn a_cut_short_typed_move_hands_the_restored_handle_back() {
    let link = Link::new(10);
    let rejected = block_on(
        Typed::new(link.clone())
            .fire(link::Connect)
            .cancel_on(YieldN(2)),
    )
    .unwrap_err();
    assert!(matches!(rejected.reason, Refusal::Cancelled));
    assert_eq!(rejected.handle.data(), &link, "the data was restored");
    let handle: Typed<Link, link::Idle> = rejected.into_handle();
    let connected = block_on(handle.fire(link::Connect)).unwrap();
    assert_eq!(connected.state(), link::State::Connected);
}

#[test]
fn async_moves_are_send() {
    fn send<T: Send>(_: &T) {}
    let mut m = StateMachine::new(Link::new(1));
    let fire = m.fire_async(link::Connect);
    send(&fire);
    drop(fire);
    let typed = Typed::new(Link::new(1)).fire(link::Connect).run();
    send(&typed);
}

/// Polls `future` to completion, sleeping `pause` after each poll that is
/// not ready: each await point of the move then takes at least `pause`.
fn block_on_slowly<F: Future>(future: F, pause: Duration) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::sleep(pause);
    }
}

/// Wants moves timed but not their wall-clock start (as `MoveLogger`), and
/// counts which call each timed move came through.
#[derive(Default)]
struct DurationsOnly {
    timed: u32,
    untimed: u32,
}

impl Observer<Link> for DurationsOnly {
    fn wants_time(&self) -> bool {
        true
    }
    fn wants_wall_time(&self) -> bool {
        false
    }
    fn on_move(&mut self, _: &MoveRecord<Link>, _: &Link) {
        self.untimed += 1;
    }
    fn on_timed_move(&mut self, _: &MoveRecord<Link>, _: &Link, _: ClockReading) {
        self.timed += 1;
    }
}

#[test]
fn an_async_move_is_timed_with_the_clock_of_a_blocking_move() {
    let pause = Duration::from_millis(10);
    // An observer that wants durations only: the move is timed, handed
    // over with the reading that ended it, and has no wall-clock start.
    let mut m = StateMachine::new(Link::new(2)).with_observer(DurationsOnly::default());
    let record = block_on_slowly(m.fire_async(link::Connect), pause).unwrap();
    assert!(record.took.unwrap() >= 2 * pause, "{:?}", record.took);
    assert_eq!(record.at, None);
    assert_eq!((m.observer().1.timed, m.observer().1.untimed), (1, 0));

    // Timing on: the wall-clock start too, derived from the same clock
    // (so within its calibration error of the system clock).
    let mut m = StateMachine::new(Link::new(2)).with_timing(true);
    let before = SystemTime::now();
    let record = block_on_slowly(m.fire_async(link::Connect), pause).unwrap();
    let after = SystemTime::now();
    let at = record.at.unwrap();
    let margin = Duration::from_millis(50);
    assert!(at + margin >= before && at <= after + margin, "{at:?}");
    assert!(record.took.unwrap() >= 2 * pause);

    // A cancelled timed move is timed up to its cancellation.
    let mut m = StateMachine::new(Link::new(2))
        .with_timing(true)
        .with_history(4);
    assert!(poll_times(m.fire_async(link::Connect), 1).is_none());
    let cancelled = m.history().last().unwrap();
    assert!(matches!(cancelled.cause, Cause::Cancelled(_)));
    assert!(cancelled.took.is_some() && cancelled.at.is_some());
}
