//! Typed handles and `history`: a typed handle carries the remembered leaves,
//! a move into a superstate with `history` gives a `Within` handle in the leaf
//! it resumed (the same leaf a `StateMachine` resumes for the same moves),
//! `Within` fires what the superstate declares and splits into leaf handles,
//! and a refused move changes neither the handle nor its memory.

mod support;

use std::mem::size_of;

use typestep::component::RejectedWithin;
use typestep::prelude::*;

use support::Broken;

#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Idle, Blinking(LedOn, LedOff, Dim), Done), initial = Idle, terminal(Done))]
#[state(Blinking, initial = LedOn, history, entry = Self::enter_blinking)]
#[state(Idle, entry = Self::enter_idle)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(LedOff -> Dim on Fade)]
#[transition(Dim -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop)]
#[transition(Blinking -> Done on Finish, guard = Self::may_finish)]
struct Led {
    log: Vec<&'static str>,
    refuse_entry: bool,
    finish: bool,
}

impl Led {
    fn enter_blinking(&mut self) -> Result<(), Broken> {
        self.log.push("enter Blinking");
        if self.refuse_entry {
            return Err(Broken("no power"));
        }
        Ok(())
    }
    fn enter_idle(&mut self) -> Result<(), Broken> {
        self.log.push("enter Idle");
        Ok(())
    }
    fn may_finish(&self) -> bool {
        self.finish
    }
}

/// A `Within<Led, Blinking>` split into its leaf's handle, then `Tick`ed
/// once: the leaf after.
fn tick(blinking: Within<Led, led::Blinking>) -> Within<Led, led::Blinking> {
    let data = match blinking.into_leaf() {
        led::InBlinking::LedOn(on) => StateMachine::from(on.fire(led::Tick)),
        led::InBlinking::LedOff(off) => StateMachine::from(off.fire(led::Tick)),
        led::InBlinking::Dim(dim) => StateMachine::from(dim.fire(led::Tick)),
    };
    // Back to a typed handle through the machine, memory and all.
    let idle: Typed<Led, led::Idle> = match data.state() {
        led::State::LedOn => data
            .into_typed::<led::LedOn>()
            .unwrap()
            .fire(led::Stop)
            .unwrap(),
        led::State::LedOff => data
            .into_typed::<led::LedOff>()
            .unwrap()
            .fire(led::Stop)
            .unwrap(),
        _ => panic!("Tick leads to LedOn or LedOff"),
    };
    idle.fire(led::Start).unwrap()
}

#[test]
fn the_first_entry_takes_initial_and_the_next_resumes_the_leaf_left() {
    let blinking = Typed::new(Led::default()).fire(led::Start).unwrap();
    assert_eq!(blinking.state(), led::State::LedOn);
    let off = match blinking.into_leaf() {
        led::InBlinking::LedOn(on) => on.fire(led::Tick),
        other => panic!("expected LedOn, got {:?}", other_state(&other)),
    };
    let idle: Typed<Led, led::Idle> = off.fire(led::Stop).unwrap();
    assert_eq!(idle.remembered(led::Blinking), Some(led::State::LedOff));
    let again = idle.fire(led::Start).unwrap();
    assert_eq!(again.state(), led::State::LedOff);
    assert_eq!(
        again.data().log,
        ["enter Blinking", "enter Idle", "enter Blinking"]
    );
}

fn other_state(leaf: &led::InBlinking<Led>) -> led::State {
    match leaf {
        led::InBlinking::LedOn(h) => h.state(),
        led::InBlinking::LedOff(h) => h.state(),
        led::InBlinking::Dim(h) => h.state(),
    }
}

#[test]
fn typed_handles_resume_what_a_state_machine_resumes() {
    // The same moves, typed and at run time, several rounds: same leaf,
    // same data, same memory.
    let mut machine = StateMachine::new(Led::default());
    let mut blinking = Typed::new(Led::default()).fire(led::Start).unwrap();
    machine.fire(led::Start).unwrap();
    for round in 0..5 {
        blinking = tick(blinking);
        machine.fire(led::Tick).unwrap();
        machine.fire(led::Stop).unwrap();
        machine.fire(led::Start).unwrap();
        assert_eq!(blinking.state(), machine.state(), "round {round}");
        assert_eq!(blinking.data(), machine.data(), "round {round}");
    }
    let idle = blinking.fire(led::Stop).unwrap();
    machine.fire(led::Stop).unwrap();
    assert_eq!(
        idle.remembered(led::Blinking),
        machine.remembered(led::Blinking)
    );
}

#[test]
fn a_refused_resume_leaves_handle_and_memory_as_they_were() {
    let blinking = Typed::new(Led::default()).fire(led::Start).unwrap();
    let off = match blinking.into_leaf() {
        led::InBlinking::LedOn(on) => on.fire(led::Tick),
        _ => panic!("first entry is LedOn"),
    };
    let mut idle = off.fire(led::Stop).unwrap();
    idle.data_mut().refuse_entry = true;
    let before = idle.data().clone();
    let rejected = idle.fire(led::Start).unwrap_err();
    assert!(matches!(
        rejected.reason,
        typestep::Refusal::HookFailed {
            step: "entry of Blinking",
            ..
        }
    ));
    let idle: Typed<Led, led::Idle> = rejected.into_handle();
    assert_eq!(idle.data(), &before, "the entry's log line was rolled back");
    assert_eq!(idle.remembered(led::Blinking), Some(led::State::LedOff));
}

#[test]
fn within_fires_what_the_superstate_declares_and_hands_back_a_refusal() {
    let blinking = Typed::new(Led::default()).fire(led::Start).unwrap();
    // `Finish` is guarded: refused, the same handle comes back.
    let rejected: RejectedWithin<Led, led::Blinking> = blinking.fire(led::Finish).unwrap_err();
    assert!(matches!(rejected.reason, typestep::Refusal::GuardRefused));
    assert_eq!(
        rejected.to_string(),
        "`Led` stayed in state `LedOn`: the guard refused the move"
    );
    let mut blinking = rejected.into_handle();
    assert_eq!(blinking.state(), led::State::LedOn);
    blinking.data_mut().finish = true;
    let done: Typed<Led, led::Done> = blinking.fire(led::Finish).unwrap();
    assert_eq!(done.state(), led::State::Done);
}

#[test]
fn machines_and_typed_handles_hand_the_memory_over() {
    let mut machine = StateMachine::new(Led::default());
    for event in [led::Event::Start, led::Event::Tick, led::Event::Fade] {
        machine.fire(event).unwrap();
    }
    machine.fire(led::Stop).unwrap();
    assert_eq!(machine.remembered(led::Blinking), Some(led::State::Dim));
    let idle: Typed<Led, led::Idle> = machine.into_typed().unwrap();
    assert_eq!(idle.remembered(led::Blinking), Some(led::State::Dim));
    let blinking = idle.fire(led::Start).unwrap();
    assert_eq!(blinking.state(), led::State::Dim);
    // A machine made from a handle somewhere in `Blinking` is in its leaf.
    let machine = StateMachine::from(blinking.clone());
    assert_eq!(machine.state(), led::State::Dim);
    assert_eq!(machine.remembered(led::Blinking), Some(led::State::Dim));
    let idle = blinking.fire(led::Stop).unwrap();
    let machine = StateMachine::from(idle);
    assert_eq!(machine.remembered(led::Blinking), Some(led::State::Dim));
}

#[test]
fn the_memory_is_inline_and_only_where_history_is() {
    // One slot per superstate with `history`, in the handle itself.
    assert_eq!(
        size_of::<Typed<Led, led::Idle>>(),
        size_of::<(Led, [Option<led::State>; 1])>()
    );
    // Without `history`: exactly the component (tests/typed_size.rs has
    // the static assertions).
    #[derive(Component)]
    #[component(states(Off, On), initial = Off)]
    #[transition(Off -> On on Press)]
    #[transition(On -> Off on Press)]
    struct Lamp {
        _watts: u64,
    }
    assert_eq!(size_of::<Typed<Lamp, lamp::Off>>(), size_of::<Lamp>());
}

/// Two levels of `history`: `Run` resumes `Fast` or `Slow`, and `Fast`
/// resumes `A` or `B`.
#[derive(Component, Clone, Debug)]
#[component(states(Off, Run(Fast(A, B), Slow)), initial = Off)]
#[state(Run, initial = Fast, history)]
#[state(Fast, initial = A, history)]
#[transition(Off -> Run on Go)]
#[transition(A -> B on Next)]
#[transition(Fast -> Slow on Ease)]
#[transition(Slow -> Fast on Rush)]
#[transition(Run -> Off on Halt)]
struct Motor;

#[test]
fn nested_history_resumes_level_by_level() {
    let run: Within<Motor, motor::Run> = Typed::new(Motor).fire(motor::Go);
    let b = match run.into_leaf() {
        motor::InRun::A(a) => a.fire(motor::Next),
        _ => panic!("first entry is A"),
    };
    let slow = b.fire(motor::Ease);
    // Back into `Fast` by its own history: `B`.
    let fast: Within<Motor, motor::Fast> = slow.fire(motor::Rush);
    assert_eq!(fast.state(), motor::State::B);
    let slow = match fast.into_leaf() {
        motor::InFast::B(b) => b.fire(motor::Ease),
        motor::InFast::A(_) => panic!("Fast resumes B"),
    };
    let off = slow.fire(motor::Halt);
    assert_eq!(off.remembered(motor::Run), Some(motor::State::Slow));
    assert_eq!(off.remembered(motor::Fast), Some(motor::State::B));
    let run = off.fire(motor::Go);
    assert_eq!(run.state(), motor::State::Slow);
    assert_eq!(run.remembered(motor::Fast), Some(motor::State::B));
    // Declared on `Run`, accepted somewhere in it.
    let off: Typed<Motor, motor::Off> = run.fire(motor::Halt);
    assert_eq!(off.state(), motor::State::Off);
}

/// `Outer` has no `history` of its own, but its `initial` child does: a
/// move into `Outer` resumes too. `Inner -> Inner on Reset` is a
/// self-transition on a superstate with `history`: it resumes the leaf it
/// was in, so a `Within` handle of `Inner` fires it into another one.
#[derive(Component, Clone, Debug)]
#[component(states(Off, Outer(Inner(A, B), C)), initial = Off)]
#[state(Outer, initial = Inner)]
#[state(Inner, initial = A, history)]
#[transition(Off -> Outer on Go)]
#[transition(A -> B on Next)]
#[transition(Inner -> C on Side)]
#[transition(C -> Inner on Back)]
#[transition(Inner -> Inner on Reset)]
#[transition(Outer -> Off on Halt)]
struct Deep;

#[test]
fn a_superstate_resumed_through_its_initial_child_and_a_resuming_self_transition() {
    let events = [
        deep::Event::Go,
        deep::Event::Next,
        deep::Event::Halt,
        deep::Event::Go,
        deep::Event::Reset,
        deep::Event::Side,
        deep::Event::Back,
    ];
    let mut machine = StateMachine::new(Deep);
    let mut seen = Vec::new();
    for event in events {
        machine.fire(event).unwrap();
        seen.push(machine.state());
    }

    let mut typed = Vec::new();
    let outer: Within<Deep, deep::Outer> = Typed::new(Deep).fire(deep::Go);
    typed.push(outer.state());
    let b = match outer.into_leaf() {
        deep::InOuter::A(a) => a.fire(deep::Next),
        _ => panic!("first entry is A"),
    };
    typed.push(b.state());
    let off = b.fire(deep::Halt);
    typed.push(off.state());
    // Declared on `Outer`, accepted in any of its leaves.
    let outer = off.fire(deep::Go);
    typed.push(outer.state());
    let inner: Within<Deep, deep::Inner> = match outer.into_leaf() {
        deep::InOuter::B(b) => b.fire(deep::Reset),
        _ => panic!("Outer resumes Inner, which resumes B"),
    };
    typed.push(inner.state());
    // The self-transition on `Inner`, fired on its `Within` handle.
    let inner: Within<Deep, deep::Inner> = inner.fire(deep::Reset);
    assert_eq!(inner.state(), deep::State::B);
    let c: Typed<Deep, deep::C> = inner.fire(deep::Side);
    typed.push(c.state());
    let inner = c.fire(deep::Back);
    typed.push(inner.state());
    assert_eq!(typed, seen);
    assert_eq!(inner.state(), deep::State::B);
    let off: Typed<Deep, deep::Off> = inner.fire(deep::Halt);
    assert_eq!(off.remembered(deep::Inner), Some(deep::State::B));
}
