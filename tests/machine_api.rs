//! The run-time machine's API as a user meets it: conversions, rehydration,
//! observers, timing, history, subscriptions and snapshot strategies.

use std::cell::Cell;
use std::sync::{Arc, Mutex};

use typestep::prelude::*;
use typestep::{
    component::{Edge, TransitionSpec},
    machine::{Cause, NoObserver, Observers, WrongState},
};

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Ready, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start, guard = Self::has_workers, action = Self::spawn)]
#[transition(Running -> Stopped on Stop)]
struct Worker {
    workers: usize,
    spawned: usize,
}

impl Worker {
    fn has_workers(&self) -> bool {
        self.workers > 0
    }
    fn spawn(&mut self) -> Result<(), std::io::Error> {
        self.spawned = self.workers;
        Ok(())
    }
}

fn worker() -> Worker {
    Worker {
        workers: 2,
        spawned: 0,
    }
}

#[test]
fn a_new_machine_starts_in_the_initial_state() {
    let m = StateMachine::new(worker());
    assert_eq!(m.state(), worker::State::Created);
    assert_eq!(m.data(), &worker());
    assert_eq!(m.moves(), 0);
    assert!(!m.history().is_enabled());
    assert_eq!(
        m.accepted_events().collect::<Vec<_>>(),
        [worker::Event::Init]
    );
    assert!(m.accepts(worker::Init));
    assert!(!m.accepts(worker::Event::Stop));
}

#[test]
fn a_move_returns_its_record_without_timing_by_default() {
    let mut m = StateMachine::new(worker());
    let record = m.fire(worker::Init).expect("Created accepts Init");
    assert_eq!(record.from, worker::State::Created);
    assert_eq!(record.to, worker::State::Ready);
    assert_eq!(record.cause, Cause::Event(worker::Event::Init));
    assert_eq!(record.seq, 1);
    assert_eq!((record.at, record.took), (None, None));
    assert_eq!(record.to_string(), "#1 `Worker`: Created -> Ready on Init");
}

#[test]
fn timing_fills_when_and_how_long() {
    let mut m = StateMachine::new(worker()).with_timing(true);
    let before = std::time::SystemTime::now();
    let record = m.fire(worker::Init).unwrap();
    let after = std::time::SystemTime::now();
    let at = record.at.expect("timing is on");
    // `at` is derived from the TSC and a wall-clock base taken when the
    // process first asked for time (maybe by another test, seconds ago),
    // so it may differ from the system clock by the counter's calibration
    // error over that time: microseconds, well inside the margin.
    let margin = std::time::Duration::from_millis(50);
    assert!(at + margin >= before, "{at:?} is long before {before:?}");
    assert!(at <= after + margin, "{at:?} is long after {after:?}");
    assert!(record.took.is_some());
}

#[test]
fn history_keeps_the_clock_fields_of_each_move() {
    // Timing off, then on, then off again: each record keeps its own fields,
    // also after the ring wraps over slots that held timed records.
    let m = StateMachine::new(Lamp).with_history(3);
    let mut m = m.with_timing(false);
    m.fire(lamp::Press).unwrap();
    let mut m = m.with_timing(true);
    let timed = m.fire(lamp::Press).unwrap();
    let mut m = m.with_timing(false);
    m.fire(lamp::Press).unwrap();
    let timed_seen: Vec<bool> = m.history().iter().map(|r| r.took.is_some()).collect();
    assert_eq!(timed_seen, [false, true, false]);
    assert_eq!(m.history().iter().nth(1), Some(timed));
    for _ in 0..3 {
        m.fire(lamp::Press).unwrap();
    }
    assert!(m
        .history()
        .iter()
        .all(|r| r.at.is_none() && r.took.is_none()));
    assert_eq!(
        m.history().iter().map(|r| r.seq).collect::<Vec<_>>(),
        [4, 5, 6]
    );
}

#[test]
fn typed_handle_becomes_a_machine_and_back() {
    let ready = Typed::new(worker()).fire(worker::Init);
    let mut m = StateMachine::from(ready);
    assert_eq!(m.state(), worker::State::Ready);
    m.fire(worker::Start).unwrap();

    // Asking for the wrong state hands the machine back, unchanged.
    let wrong: WrongState<StateMachine<Worker>, worker::State> =
        m.into_typed::<worker::Ready>().unwrap_err();
    assert_eq!(
        (wrong.expected, wrong.actual),
        (worker::State::Ready, worker::State::Running)
    );
    assert_eq!(
        wrong.to_string(),
        "the machine is in state `Running`, not `Ready`"
    );
    let m = wrong.into_machine();
    assert_eq!(m.moves(), 1);

    let running: Typed<Worker, worker::Running> = m.into_typed().expect("it is Running");
    assert_eq!(running.data().spawned, 2);
    let stopped = running.fire(worker::Stop);
    assert_eq!(stopped.state(), worker::State::Stopped);
}

#[test]
fn rehydration_accepts_declared_states_and_refuses_unknown_names() {
    let m = StateMachine::rehydrate(worker::State::Running, worker()).unwrap();
    assert_eq!(m.state(), worker::State::Running);
    let m = StateMachine::rehydrate_named("Ready", worker()).unwrap();
    assert_eq!(m.state(), worker::State::Ready);

    let error = StateMachine::<Worker>::rehydrate_named("Runing", worker()).unwrap_err();
    assert_eq!(
        error,
        RehydrateError::UnknownState {
            component: "Worker",
            name: "Runing".into()
        }
    );

    // The component's own invariant: a running worker has spawned workers.
    let check = |state, w: &Worker| state != worker::State::Running || w.spawned > 0;
    let error = StateMachine::rehydrate_with(worker::State::Running, worker(), check).unwrap_err();
    assert_eq!(
        error,
        RehydrateError::Invalid {
            component: "Worker",
            state: "Running"
        }
    );
    let ok = StateMachine::rehydrate_with(
        worker::State::Running,
        Worker {
            workers: 1,
            spawned: 1,
        },
        check,
    );
    assert!(ok.is_ok());
}

/// A hand-written component (no derive, so no build-time graph check) with a
/// state that no transition reaches.
mod orphan {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum State {
        Start,
        End,
        Island,
    }
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Event {
        Go,
    }
    impl std::fmt::Display for State {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.name())
        }
    }
    impl std::fmt::Display for Event {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Go")
        }
    }
    impl Label for State {
        const ALL: &'static [Self] = &[State::Start, State::End, State::Island];
        fn name(self) -> &'static str {
            match self {
                State::Start => "Start",
                State::End => "End",
                State::Island => "Island",
            }
        }
        fn index(self) -> usize {
            self as usize
        }
    }
    impl Label for Event {
        const ALL: &'static [Self] = &[Event::Go];
        fn name(self) -> &'static str {
            "Go"
        }
        fn index(self) -> usize {
            0
        }
    }

    #[derive(Debug)]
    pub struct Orphan;

    /// The type of the initial state.
    pub struct Start;

    impl typestep::component::StateMarker<Orphan> for Start {
        const STATE: State = State::Start;
    }

    impl Component for Orphan {
        type State = State;
        type Event = Event;
        type Snapshot = typestep::ByClone;
        type Initial = Start;
        type Memory = ();
        const NAME: &'static str = "Orphan";
        const INITIAL: State = State::Start;
        const TERMINAL: &'static [State] = &[State::End];
        const TRANSITIONS: &'static [TransitionSpec<State, Event>] = &[TransitionSpec {
            from: State::Start,
            event: Event::Go,
            to: State::End,
            guarded: false,
            has_action: false,
            is_async: false,
        }];
        const MERMAID: &'static str = "";
        const DOT: &'static str = "";
        fn edge(from: State, event: Event) -> Option<Edge<Self>> {
            match (from, event) {
                (State::Start, Event::Go) => Some(Edge {
                    to: State::End,
                    guard: None,
                    action: None,
                    is_async: false,
                }),
                _ => None,
            }
        }
    }
}

#[test]
fn rehydration_refuses_a_state_no_transition_reaches() {
    let error = StateMachine::rehydrate(orphan::State::Island, orphan::Orphan).unwrap_err();
    assert_eq!(
        error,
        RehydrateError::Unreachable {
            component: "Orphan",
            state: "Island"
        }
    );
    assert_eq!(
        error.to_string(),
        "`Orphan` can never be in state `Island`: no declared transition leads there from the initial state"
    );
    assert!(StateMachine::rehydrate_named("End", orphan::Orphan).is_ok());
}

#[derive(Default)]
struct Tally {
    moved: Vec<(worker::State, worker::State)>,
    rejected: Vec<&'static str>,
    timed: bool,
}

impl Observer<Worker> for Tally {
    fn wants_time(&self) -> bool {
        self.timed
    }
    fn on_move(&mut self, record: &MoveRecord<Worker>, _: &Worker) {
        self.moved.push((record.from, record.to));
    }
    fn on_rejected(&mut self, error: &FireError<Worker>, _: &Worker) {
        self.rejected.push(error.kind());
    }
}

#[test]
fn observers_see_moves_and_rejections() {
    let mut m = StateMachine::new(Worker {
        workers: 0,
        spawned: 0,
    })
    .with_observer(Tally::default())
    .with_observer(Tally {
        timed: true,
        ..Tally::default()
    });
    m.fire(worker::Stop).unwrap_err();
    m.fire(worker::Init).unwrap();
    m.fire(worker::Start).unwrap_err();
    let ((_, first), second) = m.observer();
    for tally in [first, second] {
        assert_eq!(
            tally.moved,
            [(worker::State::Created, worker::State::Ready)]
        );
        assert_eq!(tally.rejected, ["not_allowed", "guard_refused"]);
    }
    // One observer asked for time, so the machine read the clock.
    m.data_mut().workers = 1;
    assert!(m.fire(worker::Start).unwrap().took.is_some());
}

#[test]
fn observers_can_be_registered_at_run_time() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut m = StateMachine::new(worker()).with_observer(Observers::new());
    let sink = Arc::clone(&seen);
    m.observer_mut().1.push(typestep::machine::on_move(
        move |r: &MoveRecord<Worker>, _: &Worker| sink.lock().unwrap().push(r.to),
    ));
    assert_eq!(m.observer().1.len(), 1);
    m.fire(worker::Init).unwrap();
    m.fire(worker::Start).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [worker::State::Ready, worker::State::Running]
    );
}

#[test]
fn history_keeps_the_latest_moves_up_to_its_capacity() {
    let mut m = StateMachine::new(Lamp).with_history(3);
    for _ in 0..5 {
        m.fire(lamp::Press).unwrap();
    }
    let seqs: Vec<u64> = m.history().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
    assert_eq!(m.history().capacity(), 3);
    assert_eq!(m.history().last().map(|r| r.seq), Some(5));
    assert_eq!(
        m.history().iter().rev().map(|r| r.seq).collect::<Vec<_>>(),
        [5, 4, 3]
    );

    // Resizing keeps the newest records that fit.
    let m = m.with_history(2);
    assert_eq!(
        m.history().iter().map(|r| r.seq).collect::<Vec<_>>(),
        [4, 5]
    );
    let m = m.with_history(0);
    assert!(m.history().is_empty());
}

#[test]
fn history_turned_on_after_moves_records_the_moves_that_follow() {
    // Three moves with no history, then a ring of 2: the next moves are
    // numbered on from 3 and fill the ring in order, also once it wraps
    // and after it is resized.
    let mut m = StateMachine::new(Lamp);
    for _ in 0..3 {
        m.fire(lamp::Press).unwrap();
    }
    let mut m = m.with_history(2);
    assert!(m.history().is_empty());
    m.fire(lamp::Press).unwrap();
    let seqs = |m: &StateMachine<Lamp>| m.history().iter().map(|r| r.seq).collect::<Vec<_>>();
    assert_eq!(seqs(&m), [4]);
    for _ in 0..3 {
        m.fire(lamp::Press).unwrap();
    }
    assert_eq!(seqs(&m), [6, 7]);
    let mut m = m.with_history(4);
    m.fire(lamp::Press).unwrap();
    assert_eq!(seqs(&m), [6, 7, 8]);
    assert_eq!(
        m.history().last().map(|r| (r.seq, r.to)),
        Some((8, lamp::State::Off))
    );
}

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

#[test]
fn subscribers_receive_moves_and_hung_up_ones_are_forgotten() {
    let mut m = StateMachine::new(Lamp);
    let kept = m.subscribe();
    let dropped = m.subscribe();
    assert_eq!(m.subscribers(), 2);
    drop(dropped);
    m.fire(lamp::Press).unwrap();
    assert_eq!(m.subscribers(), 1);
    m.fire(lamp::Press).unwrap();
    let got: Vec<_> = kept.try_iter().map(|r| (r.seq, r.to)).collect();
    assert_eq!(got, [(1, lamp::State::On), (2, lamp::State::Off)]);
}

#[test]
fn rollback_is_recorded_and_observed() {
    let mut m = StateMachine::new(worker()).with_history(8);
    let rx = m.subscribe();
    m.fire(worker::Init).unwrap();
    let checkpoint = m.checkpoint();
    assert_eq!(
        (checkpoint.state(), checkpoint.seq()),
        (worker::State::Ready, 1)
    );
    m.fire(worker::Start).unwrap();
    m.data_mut().workers = 99;
    let record = m.rollback_to(checkpoint.clone());
    assert_eq!(record.cause, Cause::Rollback { checkpoint: 1 });
    assert_eq!(record.event(), None);
    assert_eq!(
        (m.state(), m.data()),
        (
            worker::State::Ready,
            &Worker {
                workers: 2,
                spawned: 0
            }
        )
    );
    assert_eq!(rx.try_iter().count(), 3);
    // A checkpoint can be used again.
    m.fire(worker::Start).unwrap();
    m.rollback_to(checkpoint);
    assert_eq!(m.state(), worker::State::Ready);
    assert_eq!(m.moves(), 5);
}

#[test]
fn subscribers_and_history_get_the_records_the_moves_returned() {
    // Moves, a rollback, timed and untimed: what a subscriber receives and
    // what the history keeps is each record as `fire` / `rollback_to`
    // returned it (cause, checkpoint and clock fields included).
    let mut m = StateMachine::new(worker()).with_history(8);
    let rx = m.subscribe();
    let mut returned = vec![m.fire(worker::Init).unwrap()];
    let checkpoint = m.checkpoint();
    let mut m = m.with_timing(true);
    returned.push(m.fire(worker::Start).unwrap());
    returned.push(m.rollback_to(checkpoint));
    let mut m = m.with_timing(false);
    returned.push(m.fire(worker::Start).unwrap());
    assert!(returned[1].took.is_some() && returned[2].took.is_some());
    assert!(returned[3].took.is_none() && returned[3].at.is_none());
    assert_eq!(returned[2].cause, Cause::Rollback { checkpoint: 1 });
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), returned);
    assert_eq!(m.history().iter().collect::<Vec<_>>(), returned);
}

#[test]
fn a_wrapping_history_keeps_each_rollback_with_its_own_checkpoint() {
    // A ring of 2: rollbacks and moves by events take turns in its slots,
    // and each record reads back with its own cause and checkpoint.
    let mut m = StateMachine::new(Lamp).with_history(2);
    m.fire(lamp::Press).unwrap();
    let first = m.checkpoint();
    m.fire(lamp::Press).unwrap();
    m.rollback_to(first);
    m.fire(lamp::Press).unwrap();
    let second = m.checkpoint();
    m.fire(lamp::Press).unwrap();
    m.rollback_to(second);
    let causes = |m: &StateMachine<Lamp>| {
        m.history()
            .iter()
            .map(|r| (r.seq, r.cause))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        causes(&m),
        [
            (5, Cause::Event(lamp::Event::Press)),
            (6, Cause::Rollback { checkpoint: 4 })
        ]
    );
    m.fire(lamp::Press).unwrap();
    assert_eq!(
        causes(&m),
        [
            (6, Cause::Rollback { checkpoint: 4 }),
            (7, Cause::Event(lamp::Event::Press))
        ]
    );
    m.rollback_to(m.checkpoint());
    assert_eq!(
        causes(&m),
        [
            (7, Cause::Event(lamp::Event::Press)),
            (8, Cause::Rollback { checkpoint: 7 })
        ]
    );
}

thread_local! {
    /// How many snapshots `Counted` took on this thread.
    static SAVES: Cell<usize> = const { Cell::new(0) };
}

/// A snapshot strategy that saves only what actions change, and counts.
struct OnlyCounter;

impl typestep::Snapshot<Big> for OnlyCounter {
    type Saved = u64;
    fn save(data: &Big) -> u64 {
        SAVES.with(|s| s.set(s.get() + 1));
        data.counter
    }
    fn restore(data: &mut Big, saved: u64) {
        data.counter = saved;
    }
}

#[derive(Component, Debug, PartialEq)]
#[component(states(Idle, Busy), initial = Idle, snapshot = OnlyCounter)]
#[transition(Idle -> Busy on Begin, action = Self::begin)]
#[transition(Busy -> Idle on End)]
struct Big {
    log: Vec<u8>,
    counter: u64,
    fail: bool,
}

impl Big {
    fn begin(&mut self) -> Result<(), std::fmt::Error> {
        self.counter += 1;
        if self.fail {
            Err(std::fmt::Error)
        } else {
            Ok(())
        }
    }
}

#[test]
fn a_custom_snapshot_strategy_is_used_and_moves_without_action_take_none() {
    let mut m = StateMachine::new(Big {
        log: vec![0; 1024],
        counter: 0,
        fail: true,
    });
    let saves = || SAVES.with(Cell::get);
    let start = saves();
    assert!(matches!(
        m.fire(big::Begin),
        Err(FireError::ActionFailed { .. })
    ));
    assert_eq!(m.data().counter, 0, "restored by the custom strategy");
    assert_eq!(saves() - start, 1);
    m.data_mut().fail = false;
    m.fire(big::Begin).unwrap();
    assert_eq!(saves() - start, 2);
    m.fire(big::End).unwrap();
    assert_eq!(
        saves() - start,
        2,
        "a move without an action takes no snapshot"
    );

    // Checkpoints use the same strategy (the component is not Clone).
    let checkpoint = m.checkpoint();
    assert_eq!(saves() - start, 3);
    m.fire(big::Begin).unwrap();
    m.rollback_to(checkpoint);
    assert_eq!((m.state(), m.data().counter), (big::State::Idle, 1));
}

#[test]
fn the_default_observer_is_free() {
    assert_eq!(std::mem::size_of::<NoObserver>(), 0);
    // A plain machine is the state, the data, a counter, the timing switch
    // and two empty boxes: a word each (the state is a word: see below).
    assert!(std::mem::size_of::<StateMachine<Lamp>>() <= 5 * std::mem::size_of::<usize>());
}

#[test]
fn the_state_enum_fills_a_register_and_keeps_its_niche() {
    // A word, so that a new state replaces the register that holds the old
    // one (a one-byte write waits for it: BENCHMARKS.md, "Round ten") and
    // indexes a jump table as it is ("Round eleven").
    assert_eq!(
        std::mem::size_of::<lamp::State>(),
        std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<Option<lamp::State>>(),
        std::mem::size_of::<usize>()
    );
    // The event enum stays as small as it can be (here, with one event,
    // nothing): it is read from memory, not carried from move to move.
    assert_eq!(std::mem::size_of::<lamp::Event>(), 0);
}
