//! Shallow history at run time: a transition into a superstate declared with
//! `history` resumes the child it was last left from; the first entry takes
//! `initial`; the memory changes only when a move commits (a failing,
//! panicking or cancelled move leaves it as it was); checkpoints and
//! rehydration carry it.

mod support;

use std::sync::Arc;

use typestep::component::{Component, HistoryMemory};
use typestep::machine::{Cause, FireError};
use typestep::prelude::*;
use typestep::recovery::{EventKind, MoveLogger, RecoveryLogger};

use support::{block_on, poll_times, Broken, YieldN};

#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Idle, Blinking(LedOn, LedOff, Dim), Done), initial = Idle, terminal(Done))]
#[state(Blinking, initial = LedOn, history, entry = Self::enter_blinking)]
#[state(LedOff, entry = Self::enter_led_off)]
#[state(Idle, entry = Self::enter_idle)]
#[transition(Idle -> Blinking on Start)]
#[transition(Idle -> LedOff on Dark)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(LedOn | LedOff -> Dim on Lower)]
#[transition(Blinking -> Idle on Stop)]
#[transition(Blinking -> Blinking on Reset)]
#[transition(Blinking -> Done on Finish)]
struct Led {
    log: Vec<&'static str>,
    fail_led_off: bool,
    panic_idle: bool,
}

impl Led {
    fn enter_blinking(&mut self) -> Result<(), Broken> {
        self.log.push("enter Blinking");
        Ok(())
    }
    fn enter_led_off(&mut self) -> Result<(), Broken> {
        self.log.push("enter LedOff");
        if self.fail_led_off {
            return Err(Broken("led off refused"));
        }
        Ok(())
    }
    fn enter_idle(&mut self) -> Result<(), Broken> {
        if self.panic_idle {
            panic!("idle exploded");
        }
        self.log.push("enter Idle");
        Ok(())
    }
}

#[test]
fn the_first_entry_takes_initial_and_a_later_one_resumes_the_child_left() {
    let mut m = StateMachine::new(Led::default());
    assert_eq!(m.remembered(led::Blinking), None);
    m.fire(led::Start).unwrap();
    assert_eq!(m.state(), led::State::LedOn);
    m.fire(led::Tick).unwrap();
    m.fire(led::Stop).unwrap();
    assert_eq!(m.remembered(led::Blinking), Some(led::State::LedOff));
    m.data_mut().log.clear();
    let record = m.fire(led::Start).unwrap();
    assert_eq!(
        (record.from, record.to),
        (led::State::Idle, led::State::LedOff)
    );
    // The entries of the resumed path run, outermost first.
    assert_eq!(m.data().log, ["enter Blinking", "enter LedOff"]);

    m.fire(led::Lower).unwrap();
    m.fire(led::Stop).unwrap();
    m.fire(led::Start).unwrap();
    assert_eq!(m.state(), led::State::Dim);
}

#[test]
fn a_transition_to_a_leaf_inside_does_not_resume() {
    let mut m = StateMachine::new(Led::default());
    m.fire(led::Start).unwrap();
    m.fire(led::Lower).unwrap();
    m.fire(led::Stop).unwrap();
    m.fire(led::Dark).unwrap();
    assert_eq!(m.state(), led::State::LedOff);
    // Still remembered from the last exit; entering a leaf directly does
    // not read it.
    assert_eq!(m.remembered(led::Blinking), Some(led::State::Dim));
}

#[test]
fn a_self_transition_on_the_superstate_resumes_the_child_it_was_in() {
    let mut m = StateMachine::new(Led::default());
    m.fire(led::Start).unwrap();
    m.fire(led::Tick).unwrap();
    m.data_mut().log.clear();
    let record = m.fire(led::Reset).unwrap();
    assert_eq!(
        (record.from, record.to),
        (led::State::LedOff, led::State::LedOff)
    );
    assert_eq!(m.data().log, ["enter Blinking", "enter LedOff"]);
    // Nothing remembered from elsewhere changes that: an older memory of
    // `LedOn` is not what a move from inside resumes.
    m.fire(led::Tick).unwrap();
    m.fire(led::Stop).unwrap();
    m.fire(led::Start).unwrap();
    m.fire(led::Tick).unwrap();
    assert_eq!(m.remembered(led::Blinking), Some(led::State::LedOn));
    m.fire(led::Reset).unwrap();
    assert_eq!(m.state(), led::State::LedOff);
}

#[test]
fn a_failing_entry_leaves_state_data_and_memory_as_they_were() {
    let mut m = StateMachine::new(Led::default());
    m.fire(led::Start).unwrap();
    m.fire(led::Tick).unwrap();
    m.fire(led::Stop).unwrap();
    m.data_mut().fail_led_off = true;
    let before = m.data().clone();
    let err = m.fire(led::Start).unwrap_err();
    assert!(matches!(err, FireError::ActionFailed { .. }), "{err:?}");
    assert_eq!(m.state(), led::State::Idle);
    assert_eq!(m.data(), &before);
    assert_eq!(m.remembered(led::Blinking), Some(led::State::LedOff));

    // A panicking entry on the way out does not record the exit either.
    m.data_mut().fail_led_off = false;
    m.fire(led::Start).unwrap();
    m.fire(led::Tick).unwrap();
    m.data_mut().panic_idle = true;
    let err = m.fire(led::Stop).unwrap_err();
    assert!(matches!(err, FireError::ActionPanicked { .. }), "{err:?}");
    assert_eq!(m.state(), led::State::LedOn);
    assert_eq!(m.remembered(led::Blinking), Some(led::State::LedOff));
}

#[test]
fn a_rollback_to_a_checkpoint_restores_the_memory() {
    let mut m = StateMachine::new(Led::default());
    let start = m.checkpoint();
    m.fire(led::Start).unwrap();
    m.fire(led::Tick).unwrap();
    m.fire(led::Stop).unwrap();
    assert_eq!(m.remembered(led::Blinking), Some(led::State::LedOff));
    m.rollback_to(start);
    assert_eq!(m.remembered(led::Blinking), None);
    m.fire(led::Start).unwrap();
    assert_eq!(m.state(), led::State::LedOn);
}

#[test]
fn the_table_without_memory_sees_the_first_entry() {
    assert_eq!(Led::HISTORY, &[0]);
    assert_eq!(
        Led::edge(led::State::Idle, led::Event::Start).map(|e| e.to),
        Some(led::State::LedOn)
    );
    let memory = [Some(led::State::Dim)];
    assert_eq!(
        Led::edge_with_memory(led::State::Idle, led::Event::Start, &memory).map(|e| e.to),
        Some(led::State::Dim)
    );
    // The table lists each declared move once, at its first entry.
    let starts: Vec<_> = Led::TRANSITIONS
        .iter()
        .filter(|t| t.from == led::State::Idle && t.event == led::Event::Start)
        .map(|t| t.to)
        .collect();
    assert_eq!(starts, [led::State::LedOn]);
}

#[test]
fn rehydration_restores_the_memory_and_refuses_a_leaf_outside() {
    let mut memory = HistoryMemory::<Led>::new();
    memory.remember("Blinking", led::State::Dim).unwrap();
    let mut m =
        StateMachine::rehydrate_remembering(led::State::Idle, Led::default(), memory).unwrap();
    m.fire(led::Start).unwrap();
    assert_eq!(m.state(), led::State::Dim);

    let mut memory = HistoryMemory::<Led>::new();
    let err = memory.remember("Blinking", led::State::Done).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`Led` cannot remember `Done` for `Blinking`: the leaf is not nested in it"
    );
    assert!(memory.remember("Idle", led::State::Idle).is_err());
    assert!(memory.remember("Nowhere", led::State::LedOn).is_err());
    assert_eq!(memory, HistoryMemory::new());
}

/// `Run(Fast(A, B), Slow)`: `Run` remembers its child; `Fast` is entered by
/// its own history when it remembers, `Gear`'s `Low(C, D)` by its initial.
#[derive(Component, Clone, Debug, Default)]
#[component(
    states(Off, Run(Fast(A, B), Slow), Gear(Low(C, D), High)),
    initial = Off
)]
#[state(Run, initial = Fast, history)]
#[state(Fast, initial = A, history)]
#[state(Gear, initial = High, history)]
#[state(Low, initial = C)]
#[transition(Off -> Run on Go)]
#[transition(Off -> Gear on Shift)]
#[transition(A -> B on Next)]
#[transition(Fast -> Slow on Brake)]
#[transition(Slow -> Fast on Push)]
#[transition(High -> D on Down)]
#[transition(C -> D on Next)]
#[transition(Run | Gear -> Off on Halt)]
struct Engine;

#[test]
fn a_resumed_child_that_is_a_superstate_enters_by_its_own_history_or_initial() {
    let mut m = StateMachine::new(Engine);
    m.fire(engine::Go).unwrap();
    assert_eq!(m.state(), engine::State::A);
    m.fire(engine::Next).unwrap();
    m.fire(engine::Brake).unwrap();
    // Left `Fast` from `B`, still in `Run`.
    assert_eq!(m.remembered(engine::Fast), Some(engine::State::B));
    assert_eq!(m.remembered(engine::Run), None);
    m.fire(engine::Push).unwrap();
    // `Slow -> Fast` enters `Fast` by default: its history resumes `B`.
    assert_eq!(m.state(), engine::State::B);
    m.fire(engine::Halt).unwrap();
    assert_eq!(m.remembered(engine::Run), Some(engine::State::B));
    m.fire(engine::Go).unwrap();
    assert_eq!(m.state(), engine::State::B);

    // `Gear` resumes its child `Low`, which has no history: its initial.
    m.fire(engine::Halt).unwrap();
    m.fire(engine::Shift).unwrap();
    assert_eq!(m.state(), engine::State::High);
    m.fire(engine::Down).unwrap();
    m.fire(engine::Halt).unwrap();
    assert_eq!(m.remembered(engine::Gear), Some(engine::State::D));
    m.fire(engine::Shift).unwrap();
    assert_eq!(m.state(), engine::State::C);
    // `is_in` and a leaf's `remembered` are as before.
    assert!(m.is_in(engine::Low));
    assert_eq!(m.remembered(engine::C), None);
}

/// An async move into a superstate with `history`.
#[derive(Component, Clone, Debug, Default)]
#[component(states(Idle, Linked(Fast, Slow)), initial = Idle)]
#[state(Linked, initial = Fast, history)]
#[transition(Idle -> Linked on Connect, action = async Self::connect)]
#[transition(Fast -> Slow on Degrade)]
#[transition(Linked -> Idle on Drop)]
struct Link {
    opened: u32,
}

impl Link {
    async fn connect(&mut self) -> Result<(), std::io::Error> {
        self.opened += 1;
        YieldN(1).await;
        Ok(())
    }
}

#[test]
fn an_async_move_resumes_and_a_cancelled_one_leaves_the_memory() {
    let mut m = StateMachine::new(Link::default()).with_history(8);
    block_on(m.fire_async(link::Connect)).unwrap();
    assert_eq!(m.state(), link::State::Fast);
    m.fire(link::Degrade).unwrap();
    m.fire(link::Drop).unwrap();
    assert_eq!(m.remembered(link::Linked), Some(link::State::Slow));

    // Cancelled after its first poll: state, data and memory unchanged.
    assert!(poll_times(m.fire_async(link::Connect), 1).is_none());
    assert_eq!(m.state(), link::State::Idle);
    assert_eq!(m.data().opened, 1);
    assert_eq!(m.remembered(link::Linked), Some(link::State::Slow));
    assert!(matches!(
        m.history().iter().next_back().map(|r| r.cause),
        Some(Cause::Cancelled(link::Event::Connect))
    ));

    let record = block_on(m.fire_async(link::Connect)).unwrap();
    assert_eq!(record.to, link::State::Slow);
    assert_eq!(m.data().opened, 2);
}

/// The recovery log names where a refused or cancelled move into a
/// superstate with `history` was headed: the leaf it would have resumed,
/// as for a committed move, not the superstate's first-entry leaf.
#[test]
fn the_log_names_the_leaf_a_refused_or_cancelled_move_would_have_resumed() {
    let log = Arc::new(RecoveryLogger::new(64));
    let mut m = StateMachine::new(Led::default()).with_observer(MoveLogger::new(log.clone()));
    m.fire(led::Start).unwrap();
    m.fire(led::Tick).unwrap();
    m.fire(led::Stop).unwrap();
    m.data_mut().fail_led_off = true;
    m.fire(led::Start).unwrap_err();
    assert_eq!(
        last_logged(&log),
        (
            EventKind::RolledBack,
            Some("action_failed".to_owned()),
            (Some("Idle"), Some("Start"), Some("LedOff"))
        )
    );
    // A move the table refuses outright has nowhere to go.
    m.fire(led::Tick).unwrap_err();
    let not_allowed = log.collect();
    assert_eq!(not_allowed.last().unwrap().to, None);

    let log = Arc::new(RecoveryLogger::new(64));
    let mut m = StateMachine::new(Link::default()).with_observer(MoveLogger::new(log.clone()));
    block_on(m.fire_async(link::Connect)).unwrap();
    m.fire(link::Degrade).unwrap();
    m.fire(link::Drop).unwrap();
    assert!(poll_times(m.fire_async(link::Connect), 1).is_none());
    assert_eq!(
        last_logged(&log),
        (
            EventKind::Cancelled,
            Some("cancelled".to_owned()),
            (Some("Idle"), Some("Connect"), Some("Slow"))
        )
    );
}

/// The newest event `log` holds: its kind, context and (from, event, to).
#[allow(clippy::type_complexity)]
fn last_logged(
    log: &RecoveryLogger,
) -> (
    EventKind,
    Option<String>,
    (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    ),
) {
    let events = log.collect();
    let last = events.last().expect("an event was logged");
    (
        last.kind,
        last.context.as_deref().map(str::to_owned),
        (last.from, last.event, last.to),
    )
}

#[cfg(feature = "serde")]
mod serde_form {
    use serde::{Deserialize, Serialize};
    use typestep::prelude::*;

    #[derive(Component, Clone, Debug, Serialize, Deserialize)]
    #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
    #[state(Blinking, initial = LedOn, history)]
    #[transition(Idle -> Blinking on Start)]
    #[transition(LedOn -> LedOff on Tick)]
    #[transition(LedOff -> LedOn on Tick)]
    #[transition(Blinking -> Idle on Stop)]
    struct Lamp;

    #[test]
    fn the_memory_is_stored_and_restored() {
        let mut m = StateMachine::new(Lamp);
        let fresh = serde_json::to_string(&m).unwrap();
        assert!(!fresh.contains("memory"), "{fresh}");
        m.fire(lamp::Start).unwrap();
        m.fire(lamp::Tick).unwrap();
        m.fire(lamp::Stop).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains(r#""memory":{"Blinking":"LedOff"}"#), "{json}");
        let mut back: StateMachine<Lamp> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.remembered(lamp::Blinking), Some(lamp::State::LedOff));
        back.fire(lamp::Start).unwrap();
        assert_eq!(back.state(), lamp::State::LedOff);
    }

    #[test]
    fn a_corrupt_memory_is_an_error() {
        let mut m = StateMachine::new(Lamp);
        m.fire(lamp::Start).unwrap();
        m.fire(lamp::Stop).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        let load = |text: String| serde_json::from_str::<StateMachine<Lamp>>(&text);
        let outside = json.replace(r#""Blinking":"LedOn""#, r#""Blinking":"Idle""#);
        let err = load(outside).unwrap_err().to_string();
        assert!(err.contains("the leaf is not nested in it"), "{err}");
        let unknown = json.replace(r#""Blinking":"LedOn""#, r#""Blinking":"Dim""#);
        assert!(load(unknown)
            .unwrap_err()
            .to_string()
            .contains("no state named `Dim`"));
        let no_history = json.replace(r#""Blinking":"LedOn""#, r#""Idle":"LedOn""#);
        assert!(load(no_history).is_err());
        let not_a_map = json.replace(r#"{"Blinking":"LedOn"}"#, "[1]");
        assert!(load(not_a_map).is_err());
    }
}
