//! Fault injection on the run-time machine: a refusing guard, a failing
//! action and a panicking action (and guard), each at several points of a
//! lifecycle. After every failed move the whole component, the state and the
//! history must be exactly what they were before.

use typestep::component::TransitionSpec;
use typestep::prelude::*;

/// A worker whose guards and actions fail on demand, so each lifecycle point
/// can be made to refuse.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(
    states(Created, Ready, Running, Paused, Stopped, Failed),
    initial = Created,
    terminal(Stopped, Failed)
)]
#[transition(Created -> Ready on Init, action = Self::init)]
#[transition(Ready -> Running on Start, guard = Self::may_start, action = Self::start)]
#[transition(Running -> Paused on Pause, action = Self::pause)]
#[transition(Paused -> Running on Resume, guard = Self::may_resume)]
#[transition(Running | Paused -> Stopped on Stop, action = Self::stop)]
#[transition(Created | Ready | Running | Paused -> Failed on Fail)]
struct Worker {
    /// Which fault the next action or guard injects.
    fault: Fault,
    threads: Vec<u32>,
    log: Vec<&'static str>,
    pauses: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    /// Guards return `false`.
    Refuse,
    /// Actions change the data, then return `Err`.
    Fail,
    /// Actions change the data, then panic; guards panic.
    Panic,
}

#[derive(Debug, thiserror::Error)]
#[error("injected failure in {0}")]
struct Injected(&'static str);

impl Worker {
    fn new() -> Self {
        Worker {
            fault: Fault::None,
            threads: Vec::new(),
            log: Vec::new(),
            pauses: 0,
        }
    }

    /// Every action first changes the data, so a missing restore shows.
    fn act(&mut self, step: &'static str) -> Result<(), Injected> {
        self.log.push(step);
        self.threads.push(self.log.len() as u32);
        match self.fault {
            Fault::Fail => Err(Injected(step)),
            Fault::Panic => panic!("injected panic in {step}"),
            Fault::None | Fault::Refuse => Ok(()),
        }
    }

    fn check(&self) -> bool {
        match self.fault {
            Fault::Refuse => false,
            Fault::Panic => panic!("injected panic in a guard"),
            Fault::None | Fault::Fail => true,
        }
    }

    fn init(&mut self) -> Result<(), Injected> {
        self.act("init")
    }
    fn may_start(&self) -> bool {
        self.check()
    }
    fn start(&mut self) -> Result<(), Injected> {
        self.act("start")
    }
    fn pause(&mut self) -> Result<(), Injected> {
        self.pauses += 1;
        self.act("pause")
    }
    fn may_resume(&self) -> bool {
        self.check()
    }
    fn stop(&mut self) -> Result<(), Injected> {
        self.threads.clear();
        self.act("stop")
    }
}

/// The path to each lifecycle point, and the event fired there.
const POINTS: &[(&[worker::Event], worker::Event)] = &[
    (&[], worker::Event::Init),
    (&[worker::Event::Init], worker::Event::Start),
    (
        &[worker::Event::Init, worker::Event::Start],
        worker::Event::Pause,
    ),
    (
        &[
            worker::Event::Init,
            worker::Event::Start,
            worker::Event::Pause,
        ],
        worker::Event::Resume,
    ),
    (
        &[worker::Event::Init, worker::Event::Start],
        worker::Event::Stop,
    ),
    (
        &[
            worker::Event::Init,
            worker::Event::Start,
            worker::Event::Pause,
        ],
        worker::Event::Stop,
    ),
];

fn machine_at(path: &[worker::Event]) -> StateMachine<Worker> {
    let mut m = StateMachine::new(Worker::new()).with_history(16);
    for &event in path {
        m.fire(event)
            .expect("the path to a lifecycle point is valid");
    }
    m
}

/// The whole observable machine: state, data, move count and history.
fn observe(m: &StateMachine<Worker>) -> (worker::State, Worker, u64, Vec<MoveRecord<Worker>>) {
    (
        m.state(),
        m.data().clone(),
        m.moves(),
        m.history().iter().collect(),
    )
}

/// Injects `fault` at every point where the fired transition can suffer it,
/// and checks that the error is the expected kind and that nothing changed.
fn inject(
    fault: Fault,
    applies: impl Fn(&TransitionSpec<worker::State, worker::Event>) -> bool,
    expected_kind: &str,
) -> usize {
    let mut injected = 0;
    for &(path, event) in POINTS {
        let mut m = machine_at(path);
        let spec = Worker::TRANSITIONS
            .iter()
            .find(|t| t.from == m.state() && t.event == event)
            .expect("every point fires a declared transition");
        if !applies(spec) {
            continue;
        }
        m.data_mut().fault = fault;
        let before = observe(&m);
        let error = m
            .fire(event)
            .expect_err("the injected fault must refuse the move");
        assert_eq!(error.kind(), expected_kind, "at {:?} on {event}", before.0);
        assert_eq!((error.state(), error.event()), (before.0, event));
        assert_eq!(observe(&m), before, "a failed {event} changed the machine");

        // Once the fault is gone, the same move succeeds.
        m.data_mut().fault = Fault::None;
        let record = m
            .fire(event)
            .expect("the same move succeeds without the fault");
        assert_eq!((record.from, record.to), (before.0, spec.to));
        injected += 1;
    }
    injected
}

#[test]
fn refusing_guard_changes_nothing_at_each_point() {
    let points = inject(Fault::Refuse, |t| t.guarded, "guard_refused");
    assert_eq!(points, 2, "Start and Resume have guards");
}

#[test]
fn failing_action_changes_nothing_at_each_point() {
    let points = inject(Fault::Fail, |t| t.has_action, "action_failed");
    assert_eq!(points, 5, "Init, Start, Pause and both Stops have actions");
}

#[test]
fn panicking_action_or_guard_changes_nothing_at_each_point() {
    let guards = inject(Fault::Panic, |t| t.guarded, "guard_panicked");
    let actions = inject(
        Fault::Panic,
        |t| t.has_action && !t.guarded,
        "action_panicked",
    );
    assert_eq!((guards, actions), (2, 4));
}

#[test]
fn failed_action_error_carries_its_source() {
    let mut m = machine_at(&[]);
    m.data_mut().fault = Fault::Fail;
    match m.fire(worker::Init) {
        Err(FireError::ActionFailed {
            component,
            state,
            event,
            source,
        }) => {
            assert_eq!(component, "Worker");
            assert_eq!(state, worker::State::Created);
            assert_eq!(event, worker::Event::Init);
            assert_eq!(source.to_string(), "injected failure in init");
            assert!(source.downcast_ref::<Injected>().is_some());
        }
        other => panic!("expected ActionFailed, got {other:?}"),
    }
    let error = m.fire(worker::Init).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`Worker` stayed in state `Created`: the action of `Init` failed"
    );
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn panicking_action_error_carries_the_message() {
    let mut m = machine_at(&[worker::Event::Init]);
    m.data_mut().fault = Fault::Panic;
    let error = m.fire(worker::Fail).and(m.fire(worker::Start));
    // Fail has no action: it succeeds; Start is then not allowed from Failed.
    assert!(matches!(error, Err(FireError::NotAllowed { .. })));

    let mut m = machine_at(&[worker::Event::Init, worker::Event::Start]);
    m.data_mut().fault = Fault::Panic;
    match m.fire(worker::Pause) {
        Err(FireError::ActionPanicked { message, .. }) => {
            assert_eq!(message, "injected panic in pause");
        }
        other => panic!("expected ActionPanicked, got {other:?}"),
    }
    assert_eq!(m.data().pauses, 0, "the pause counter was restored");
}

#[test]
fn event_not_allowed_names_component_state_and_event() {
    let mut m = machine_at(&[]);
    let before = observe(&m);
    let error = m.fire(worker::Event::Resume).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`Worker` in state `Created` has no transition on `Resume`"
    );
    assert!(matches!(
        error,
        FireError::NotAllowed {
            component: "Worker",
            state: worker::State::Created,
            event: worker::Event::Resume
        }
    ));
    assert_eq!(observe(&m), before);
}

#[test]
fn terminal_state_accepts_nothing() {
    let mut m = machine_at(&[worker::Event::Fail]);
    assert!(m.is_terminal());
    assert_eq!(m.accepted_events().count(), 0);
    for &event in <worker::Event as Label>::ALL {
        assert!(matches!(m.fire(event), Err(FireError::NotAllowed { .. })));
    }
}
