//! Nested states at run time: inherited transitions, the exit/action/entry
//! order of one move, and all-or-nothing when an entry action fails.

use std::fmt;

use typestep::machine::FireError;
use typestep::prelude::*;

#[derive(Debug)]
struct Broken(&'static str);

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Broken {}

#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Idle, Blinking(LedOn, LedOff), Done), initial = Idle, terminal(Done))]
#[state(Blinking, initial = LedOn, entry = Self::power_on, exit = Self::power_off)]
#[state(LedOn, exit = Self::exit_led_on)]
#[state(Idle, entry = Self::enter_idle)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop, action = Self::act)]
#[transition(Blinking -> Done on Finish)]
struct Led {
    log: Vec<String>,
    fail_enter_idle: bool,
    panic_exit_led_on: bool,
}

impl Led {
    fn note(&mut self, what: &str) -> Result<(), Broken> {
        self.log.push(what.to_string());
        Ok(())
    }
    fn power_on(&mut self) -> Result<(), Broken> {
        self.note("enter Blinking")
    }
    fn power_off(&mut self) -> Result<(), Broken> {
        self.note("exit Blinking")
    }
    fn exit_led_on(&mut self) -> Result<(), Broken> {
        if self.panic_exit_led_on {
            panic!("bulb stuck");
        }
        self.note("exit LedOn")
    }
    fn act(&mut self) -> Result<(), Broken> {
        self.note("action")
    }
    fn enter_idle(&mut self) -> Result<(), Broken> {
        self.log.push("enter Idle".into());
        if self.fail_enter_idle {
            return Err(Broken("idle refused"));
        }
        Ok(())
    }
}

fn blinking(led: Led) -> StateMachine<Led> {
    let mut machine = StateMachine::new(led);
    machine.fire(led::Start).expect("Idle accepts Start");
    machine.data_mut().log.clear();
    machine
}

#[test]
fn entering_a_superstate_enters_its_initial_leaf_outermost_first() {
    let mut machine = StateMachine::new(Led::default());
    machine.fire(led::Start).unwrap();
    assert_eq!(machine.state(), led::State::LedOn);
    assert!(machine.is_in(led::Blinking));
    assert!(machine.is_in(led::LedOn));
    assert!(!machine.is_in(led::Idle));
    assert_eq!(machine.data().log, ["enter Blinking"]);
    assert_eq!(machine.state().to_string(), "LedOn");
}

#[test]
fn a_move_exits_innermost_first_then_acts_then_enters() {
    let mut machine = blinking(Led::default());
    machine.fire(led::Stop).unwrap();
    assert_eq!(machine.state(), led::State::Idle);
    assert_eq!(
        machine.data().log,
        ["exit LedOn", "exit Blinking", "action", "enter Idle"]
    );
}

#[test]
fn a_move_inside_the_superstate_does_not_leave_it() {
    let mut machine = blinking(Led::default());
    machine.fire(led::Tick).unwrap();
    assert_eq!(machine.state(), led::State::LedOff);
    assert_eq!(machine.data().log, ["exit LedOn"]);
    // Inherited from `Blinking`, accepted in `LedOff` too.
    machine.fire(led::Finish).unwrap();
    assert_eq!(machine.state(), led::State::Done);
    assert_eq!(machine.data().log, ["exit LedOn", "exit Blinking"]);
}

#[test]
fn a_failing_entry_restores_state_and_data_and_names_the_step() {
    let mut machine = blinking(Led {
        fail_enter_idle: true,
        ..Led::default()
    });
    let before = machine.data().clone();
    let error = machine.fire(led::Stop).unwrap_err();
    assert_eq!(machine.state(), led::State::LedOn);
    assert_eq!(machine.data(), &before);
    match error {
        FireError::ActionFailed { source, .. } => {
            assert_eq!(source.to_string(), "the entry of Idle failed: idle refused");
            let hook = source
                .downcast_ref::<typestep::component::HookFailed>()
                .expect("a hook failure");
            assert_eq!(hook.step, "entry of Idle");
        }
        other => panic!("expected an action failure, got {other:?}"),
    }
}

#[test]
fn a_panicking_exit_restores_state_and_data_and_names_the_step() {
    let mut machine = blinking(Led {
        panic_exit_led_on: true,
        ..Led::default()
    });
    let before = machine.data().clone();
    let error = machine.fire(led::Stop).unwrap_err();
    assert_eq!(machine.state(), led::State::LedOn);
    assert_eq!(machine.data(), &before);
    match error {
        FireError::ActionPanicked { message, .. } => {
            assert_eq!(message, "exit of LedOn: bulb stuck");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[test]
fn typed_handles_accept_inherited_events() {
    let handle = Typed::new(Led::default());
    let on: Typed<Led, led::LedOn> = handle.fire(led::Start).unwrap();
    let off: Typed<Led, led::LedOff> = on.fire(led::Tick).unwrap();
    let on: Typed<Led, led::LedOn> = off.fire(led::Tick);
    let idle: Typed<Led, led::Idle> = on.fire(led::Stop).unwrap();
    assert_eq!(idle.state(), led::State::Idle);
    assert_eq!(
        idle.data().log,
        [
            "enter Blinking",
            "exit LedOn",
            "exit LedOn",
            "exit Blinking",
            "action",
            "enter Idle"
        ]
    );
}

#[test]
fn the_nesting_is_data_for_tools() {
    use typestep::component::Component;
    assert_eq!(Led::NESTING.len(), 1);
    assert_eq!(Led::NESTING[0].name, "Blinking");
    assert_eq!(
        Led::NESTING[0].leaves,
        [led::State::LedOn, led::State::LedOff]
    );
    assert_eq!(
        typestep::component::parent_of::<Led>(led::State::LedOff),
        Some(0)
    );
    assert_eq!(
        typestep::component::parent_of::<Led>(led::State::Idle),
        None
    );
    // The leaves are the states; `Blinking` is not one.
    assert_eq!(led::State::from_name("Blinking"), None);
}

#[test]
fn diagrams_draw_the_nesting_and_the_actions() {
    use typestep::component::Component;
    let mermaid = Led::MERMAID;
    assert!(
        mermaid.contains(
            "    state Blinking {\n        [*] --> LedOn\n        LedOn\n        LedOff\n    }\n"
        ),
        "{mermaid}"
    );
    // Declared once, on the superstate, not once per leaf.
    assert_eq!(
        mermaid.matches("Blinking --> Idle: Stop / action").count(),
        1
    );
    assert!(mermaid.contains("    note right of Blinking\n        entry / power_on\n        exit / power_off\n    end note\n"), "{mermaid}");
    let dot = Led::DOT;
    assert!(dot.contains("subgraph \"cluster_Blinking\""), "{dot}");
    assert!(
        dot.contains(
            "\"LedOn\" -> \"Idle\" [label=\"Stop / action\", ltail=\"cluster_Blinking\"];"
        ),
        "{dot}"
    );

    let logger = typestep::recovery::RecoveryLogger::new(8);
    let analytics = logger.mermaid::<Led>("Led");
    assert!(
        analytics.contains("    state Blinking {\n        LedOn\n        LedOff\n    }\n"),
        "{analytics}"
    );
    assert!(logger
        .dot::<Led>("Led")
        .contains("subgraph \"cluster_Blinking\""));
}
