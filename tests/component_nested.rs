//! Nested states at run time: inherited transitions, the exit/action/entry
//! order of one move, and all-or-nothing when an entry action fails.

mod support;

use typestep::machine::FireError;
use typestep::prelude::*;

use support::Broken;

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

#[test]
fn start_enters_the_initial_configuration_and_new_does_not() {
    let machine = StateMachine::start(Led::default()).unwrap();
    assert_eq!(machine.state(), led::State::Idle);
    assert_eq!(machine.data().log, ["enter Idle"]);
    assert_eq!(machine.moves(), 0, "starting is not a move");
    let handle: Typed<Led, led::Idle> = Typed::start(Led::default()).unwrap();
    assert_eq!(handle.data().log, ["enter Idle"]);
    assert!(StateMachine::new(Led::default()).data().log.is_empty());
}

#[test]
fn a_failing_initial_entry_gives_the_data_back_as_it_was() {
    let led = Led {
        fail_enter_idle: true,
        ..Led::default()
    };
    let failed = StateMachine::start(led.clone()).unwrap_err();
    assert_eq!(failed.data, led, "restored: the entry's log line is gone");
    assert_eq!(
        failed.to_string(),
        "`Led` did not start in `Idle`: the entry of Idle failed: idle refused"
    );
    let failed = Typed::start(led.clone()).unwrap_err();
    assert_eq!(failed.data, led);
}

/// The initial leaf nested two levels deep: its superstates' entries run
/// first, outermost first.
#[derive(Component, Clone, Debug, Default)]
#[component(states(Run(Fast(A, B), Slow), Done), initial = Run, terminal(Done))]
#[state(Run, initial = Fast, entry = Self::enter_run)]
#[state(Fast, initial = A, entry = Self::enter_fast)]
#[state(A, entry = Self::enter_a)]
#[transition(A -> B on Next)]
#[transition(Fast -> Slow on Ease)]
#[transition(Run -> Done on Halt)]
struct Deep {
    log: Vec<&'static str>,
}

impl Deep {
    fn enter_run(&mut self) -> Result<(), Broken> {
        self.log.push("Run");
        Ok(())
    }
    fn enter_fast(&mut self) -> Result<(), Broken> {
        self.log.push("Fast");
        Ok(())
    }
    fn enter_a(&mut self) -> Result<(), Broken> {
        self.log.push("A");
        Ok(())
    }
}

#[test]
fn start_enters_outermost_first() {
    let machine = StateMachine::start(Deep::default()).unwrap();
    assert_eq!(machine.state(), deep::State::A);
    assert_eq!(machine.data().log, ["Run", "Fast", "A"]);
}

#[test]
fn a_panicking_initial_entry_names_the_step() {
    #[derive(Component, Clone, Debug)]
    #[component(states(Off, On), initial = Off)]
    #[state(Off, entry = Self::boom)]
    #[transition(Off -> On on Flip)]
    #[transition(On -> Off on Flip)]
    struct Fuse;

    impl Fuse {
        fn boom(&mut self) -> Result<(), Broken> {
            panic!("blown")
        }
    }

    let failed = StateMachine::start(Fuse).unwrap_err();
    assert_eq!(
        failed.to_string(),
        "`Fuse` did not start in `Off`: the entry of Off: blown (panicked)"
    );
}

#[test]
fn a_typed_move_names_the_failing_hook_in_its_refusal() {
    let on: Typed<Led, led::LedOn> = Typed::new(Led {
        fail_enter_idle: true,
        ..Led::default()
    })
    .fire(led::Start)
    .unwrap();
    let before = on.data().clone();
    let rejected = on.fire(led::Stop).unwrap_err();
    assert_eq!(rejected.handle.data(), &before, "restored");
    match &rejected.reason {
        typestep::Refusal::HookFailed { step, source } => {
            assert_eq!(*step, "entry of Idle");
            assert_eq!(source.to_string(), "idle refused");
        }
        other => panic!("expected a hook failure, got {other:?}"),
    }
    assert_eq!(rejected.reason.kind(), "action_failed");
    assert_eq!(
        rejected.to_string(),
        "`Led` stayed in state `LedOn`: the entry of Idle failed: idle refused"
    );
}
