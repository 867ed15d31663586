//! `async` entry and exit actions (`#[state(Blinking, entry = async
//! Self::power_on)]`): awaited in order inside one async move, all-or-nothing
//! when one fails, panics or is cancelled at any await point, and refused by
//! the blocking `fire`.

mod support;

use typestep::component::{Component, HookFailed};
use typestep::machine::{Cause, FireError};
use typestep::prelude::*;
use typestep::Refusal;

use support::{block_on, poll_times, Broken, YieldN};

/// The LED with its superstate's actions async: each async step logs
/// before its first await point, so that a cancelled move has something to
/// roll back.
#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Idle, Blinking(LedOn, LedOff), Done), initial = Idle, terminal(Done))]
#[state(Blinking, initial = LedOn, entry = async Self::power_on, exit = async Self::power_off)]
#[state(LedOn, exit = Self::exit_led_on)]
#[state(Idle, entry = Self::enter_idle)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop, action = async Self::act)]
#[transition(Blinking -> Done on Finish)]
struct Led {
    log: Vec<&'static str>,
    /// How many times each async step yields.
    delay: u32,
    /// The step that returns an error, and the one that panics.
    fail: Option<&'static str>,
    panic: Option<&'static str>,
}

impl Led {
    async fn step(&mut self, name: &'static str) -> Result<(), Broken> {
        self.log.push(name);
        YieldN(self.delay).await;
        if self.panic == Some(name) {
            panic!("{name} blew up");
        }
        if self.fail == Some(name) {
            return Err(Broken("refused"));
        }
        Ok(())
    }
    async fn power_on(&mut self) -> Result<(), Broken> {
        self.step("enter Blinking").await
    }
    async fn power_off(&mut self) -> Result<(), Broken> {
        self.step("exit Blinking").await
    }
    async fn act(&mut self) -> Result<(), Broken> {
        self.step("action").await
    }
    fn exit_led_on(&mut self) -> Result<(), Broken> {
        self.log.push("exit LedOn");
        Ok(())
    }
    fn enter_idle(&mut self) -> Result<(), Broken> {
        self.log.push("enter Idle");
        match self.fail {
            Some("enter Idle") => Err(Broken("refused")),
            _ => Ok(()),
        }
    }
}

/// A machine in `LedOn` with an empty log.
fn blinking(led: Led) -> StateMachine<Led> {
    let mut machine = StateMachine::new(led).with_history(8);
    block_on(machine.fire_async(led::Start)).expect("Idle accepts Start");
    machine.data_mut().log.clear();
    machine
}

#[test]
fn moves_through_async_actions_are_async_moves() {
    let asynchronous = |event| {
        Led::TRANSITIONS
            .iter()
            .filter(|t| t.event == event)
            .all(|t| t.is_async)
    };
    // Entering or leaving `Blinking` awaits; moving inside it does not.
    assert!(asynchronous(led::Event::Start));
    assert!(asynchronous(led::Event::Finish));
    assert!(!asynchronous(led::Event::Tick));

    let mut machine = StateMachine::new(Led::default()).with_history(8);
    let error = machine.fire(led::Start).unwrap_err();
    assert!(matches!(error, FireError::NeedsAsync { .. }), "{error:?}");
    assert_eq!(machine.state(), led::State::Idle);
    assert!(machine.data().log.is_empty(), "nothing ran");
    assert_eq!(machine.moves(), 0);
}

#[test]
fn an_async_move_exits_innermost_first_then_acts_then_enters() {
    let mut machine = blinking(Led {
        delay: 2,
        ..Led::default()
    });
    machine.fire(led::Tick).unwrap();
    machine.fire(led::Tick).unwrap();
    machine.data_mut().log.clear();
    let record = block_on(machine.fire_async(led::Stop)).unwrap();
    assert_eq!(
        (record.from, record.to),
        (led::State::LedOn, led::State::Idle)
    );
    assert_eq!(
        machine.data().log,
        ["exit LedOn", "exit Blinking", "action", "enter Idle"]
    );
    // Entering again runs the async entry once.
    machine.data_mut().log.clear();
    block_on(machine.fire_async(led::Start)).unwrap();
    assert_eq!(machine.data().log, ["enter Blinking"]);
    assert_eq!(machine.state(), led::State::LedOn);
}

#[test]
fn a_failing_async_step_restores_state_and_data_and_names_the_step() {
    let steps = [
        ("exit Blinking", "exit of Blinking"),
        ("action", "action"),
        ("enter Idle", "entry of Idle"),
    ];
    for (step, named) in steps {
        let mut machine = blinking(Led {
            delay: 1,
            fail: Some(step),
            ..Led::default()
        });
        let before = machine.data().clone();
        let error = block_on(machine.fire_async(led::Stop)).unwrap_err();
        assert_eq!(machine.state(), led::State::LedOn, "{step}");
        assert_eq!(machine.data(), &before, "{step}");
        let FireError::ActionFailed { source, .. } = &error else {
            panic!("{step}: expected an action failure, got {error:?}");
        };
        match source.downcast_ref::<HookFailed>() {
            Some(hook) => assert_eq!(hook.step, named),
            // The transition's own action is not a hook: its error as is.
            None => assert_eq!((step, source.to_string().as_str()), ("action", "refused")),
        }
    }
}

#[test]
fn a_panicking_async_step_restores_state_and_data_and_names_the_step() {
    let mut machine = blinking(Led {
        delay: 1,
        panic: Some("exit Blinking"),
        ..Led::default()
    });
    let before = machine.data().clone();
    let error = block_on(machine.fire_async(led::Finish)).unwrap_err();
    assert_eq!(
        (machine.state(), machine.data()),
        (led::State::LedOn, &before)
    );
    match error {
        FireError::ActionPanicked { message, .. } => {
            assert_eq!(message, "exit of Blinking: exit Blinking blew up");
        }
        other => panic!("expected a panic, got {other:?}"),
    }

    // A panicking entry, on the way in.
    let mut machine = StateMachine::new(Led {
        panic: Some("enter Blinking"),
        ..Led::default()
    });
    let error = block_on(machine.fire_async(led::Start)).unwrap_err();
    assert!(
        matches!(&error, FireError::ActionPanicked { message, .. } if message.starts_with("entry of Blinking")),
        "{error:?}"
    );
    assert_eq!(machine.state(), led::State::Idle);
    assert!(machine.data().log.is_empty());
}

#[test]
fn dropping_a_chain_after_any_number_of_polls_is_a_rollback() {
    const DELAY: u32 = 2;
    // Two async steps (exit Blinking, the action) of DELAY yields each:
    // done on poll 2 * DELAY + 1.
    let last = 2 * DELAY + 1;
    for polls in 1..=last + 1 {
        let mut machine = blinking(Led {
            delay: DELAY,
            ..Led::default()
        });
        let before = machine.data().clone();
        let finished = poll_times(machine.fire_async(led::Stop), polls);
        if polls < last {
            assert!(finished.is_none(), "polls = {polls}");
            assert_eq!(machine.state(), led::State::LedOn, "polls = {polls}");
            assert_eq!(machine.data(), &before, "polls = {polls}");
            let cause = machine.history().iter().next_back().map(|r| r.cause);
            assert_eq!(cause, Some(Cause::Cancelled(led::Event::Stop)));
        } else {
            finished.expect("finished").unwrap();
            assert_eq!(machine.state(), led::State::Idle, "polls = {polls}");
        }
    }
}

#[test]
fn a_signal_cuts_a_chain_short_and_the_next_move_runs_it_whole() {
    let mut machine = blinking(Led {
        delay: 3,
        ..Led::default()
    });
    let error = block_on(machine.fire_async_until(led::Stop, YieldN(4))).unwrap_err();
    assert!(matches!(error, FireError::Cancelled { .. }), "{error:?}");
    assert!(machine.data().log.is_empty());
    block_on(machine.fire_async(led::Stop)).unwrap();
    assert_eq!(
        machine.data().log,
        ["exit LedOn", "exit Blinking", "action", "enter Idle"]
    );
}

#[test]
fn typed_moves_through_async_actions_are_futures() {
    let led = Led {
        delay: 1,
        ..Led::default()
    };
    let on: Typed<Led, led::LedOn> = block_on(Typed::new(led).fire(led::Start)).unwrap();
    let off: Typed<Led, led::LedOff> = on.fire(led::Tick).unwrap();
    let idle: Typed<Led, led::Idle> = block_on(off.fire(led::Stop).run()).unwrap();
    assert_eq!(
        idle.data().log,
        [
            "enter Blinking",
            "exit LedOn",
            "exit Blinking",
            "action",
            "enter Idle"
        ]
    );

    // Cut short: the handle comes back as it was.
    let on: Typed<Led, led::LedOn> = block_on(
        Typed::new(Led {
            delay: 1,
            ..Led::default()
        })
        .fire(led::Start),
    )
    .unwrap();
    let before = on.data().clone();
    let rejected = block_on(on.fire(led::Finish).cancel_on(YieldN(0))).unwrap_err();
    assert!(matches!(rejected.reason, Refusal::Cancelled));
    assert_eq!(rejected.handle.data(), &before);
}

/// With `history`, the leaf a resuming async move enters decides its
/// entries: each resumable leaf's own chain runs.
#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Off, Lit(Dim, Bright)), initial = Off)]
#[state(Lit, initial = Dim, history)]
#[state(Dim, entry = async Self::enter_dim)]
#[state(Bright, entry = Self::enter_bright)]
#[transition(Off -> Lit on On)]
#[transition(Dim -> Bright on Up)]
#[transition(Lit -> Off on Out)]
struct Lamp {
    log: Vec<&'static str>,
    /// `enter_bright` fails.
    blown: bool,
}

impl Lamp {
    async fn enter_dim(&mut self) -> Result<(), Broken> {
        self.log.push("enter Dim");
        YieldN(1).await;
        Ok(())
    }
    fn enter_bright(&mut self) -> Result<(), Broken> {
        self.log.push("enter Bright");
        if self.blown {
            return Err(Broken("bulb blown"));
        }
        Ok(())
    }
}

#[test]
fn a_resuming_async_move_runs_the_entries_of_the_leaf_it_resumes() {
    // Resuming `Bright` awaits nothing, but it is the same move as resuming
    // `Dim`, which does: one move, async whichever leaf it enters.
    assert!(Lamp::TRANSITIONS
        .iter()
        .filter(|t| t.event == lamp::Event::On)
        .all(|t| t.is_async));
    let mut machine = StateMachine::new(Lamp::default());
    block_on(machine.fire_async(lamp::On)).unwrap();
    assert_eq!(machine.state(), lamp::State::Dim);
    block_on(machine.fire_async(lamp::Up)).unwrap();
    machine.fire(lamp::Out).unwrap();
    assert_eq!(machine.remembered(lamp::Lit), Some(lamp::State::Bright));
    machine.data_mut().log.clear();
    block_on(machine.fire_async(lamp::On)).unwrap();
    assert_eq!(machine.state(), lamp::State::Bright);
    assert_eq!(machine.data().log, ["enter Bright"]);
}

/// A typed handle in `Lamp`'s `Off`, `Lit` remembering `Bright`: `On`
/// (into `Dim`), `Up`, `Out`, the way there logged and then cleared.
fn off_remembering_bright() -> Typed<Lamp, lamp::Off> {
    let dim = block_on(Typed::new(Lamp::default()).fire(lamp::On)).unwrap();
    let lamp::InLit::Dim(dim) = dim.into_leaf() else {
        panic!("the first entry takes `initial`, Dim");
    };
    let mut off = dim.fire(lamp::Up).unwrap().fire(lamp::Out);
    assert_eq!(off.remembered(lamp::Lit), Some(lamp::State::Bright));
    off.data_mut().log.clear();
    off
}

#[test]
fn a_typed_async_move_into_history_gives_a_within_handle_in_the_leaf_it_resumes() {
    // The first entry: `initial`, its async entry awaited.
    let lit: Within<Lamp, lamp::Lit> = block_on(Typed::new(Lamp::default()).fire(lamp::On).run())
        .expect("the move is not refused");
    assert_eq!(lit.state(), lamp::State::Dim);
    assert_eq!(lit.data().log, ["enter Dim"]);

    // Then the leaf left, as a machine resumes it; awaited (boxed) this time.
    let lit = block_on(off_remembering_bright().fire(lamp::On)).unwrap();
    assert_eq!(lit.state(), lamp::State::Bright);
    assert_eq!(lit.data().log, ["enter Bright"]);
    let mut machine = StateMachine::from(off_remembering_bright());
    block_on(machine.fire_async(lamp::On)).unwrap();
    assert_eq!(machine.state(), lit.state());
    assert_eq!(machine.data(), lit.data());

    // The handle goes on from the leaf, with the memory the move left.
    let lamp::InLit::Bright(bright) = lit.into_leaf() else {
        panic!("resumed Bright");
    };
    let off = bright.fire(lamp::Out);
    assert_eq!(off.remembered(lamp::Lit), Some(lamp::State::Bright));
}

#[test]
fn a_refused_typed_resume_hands_back_the_handle_with_its_data_and_memory() {
    let mut off = off_remembering_bright();
    off.data_mut().blown = true;
    let before = off.data().clone();
    let rejected = block_on(off.fire(lamp::On)).unwrap_err();
    assert!(
        matches!(
            &rejected.reason,
            Refusal::HookFailed {
                step: "entry of Bright",
                ..
            }
        ),
        "{:?}",
        rejected.reason
    );
    let mut off = rejected.into_handle();
    assert_eq!(off.data(), &before, "the data was restored");
    // The memory is what it was: the retry resumes `Bright`, not `initial`.
    assert_eq!(off.remembered(lamp::Lit), Some(lamp::State::Bright));
    off.data_mut().blown = false;
    let lit = block_on(off.fire(lamp::On).run()).unwrap();
    assert_eq!(lit.state(), lamp::State::Bright);
}

#[test]
fn a_cut_short_typed_resume_restores_the_data_and_leaves_the_memory_alone() {
    let lamp = Lamp::default();
    // `enter_dim` yields once: the signal, ready at once, comes first.
    let rejected =
        block_on(Typed::new(lamp.clone()).fire(lamp::On).cancel_on(YieldN(0))).unwrap_err();
    assert!(matches!(rejected.reason, Refusal::Cancelled));
    let off = rejected.into_handle();
    assert_eq!(off.data(), &lamp, "`enter Dim` was rolled back");
    assert_eq!(
        off.remembered(lamp::Lit),
        None,
        "nothing entered, nothing remembered"
    );
    // A signal that comes too late changes nothing.
    let lit = block_on(off.fire(lamp::On).cancel_on(YieldN(5))).unwrap();
    assert_eq!(lit.state(), lamp::State::Dim);
}

#[test]
fn a_typed_resume_is_send() {
    fn send<T: Send>(_: &T) {}
    let run = Typed::new(Lamp::default()).fire(lamp::On).run();
    send(&run);
}

/// A deck whose moves declared on its history superstate are async: a
/// `Within` handle makes them without being split into its leaf.
#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Off, On(Paused, Playing)), initial = Off)]
#[state(On, initial = Paused, history)]
#[transition(Off -> On on Power)]
#[transition(Paused -> Playing on Play)]
#[transition(Playing -> Paused on Pause)]
#[transition(On -> On on Rewind, action = async Self::rewind)]
#[transition(On -> Off on Eject, action = async Self::eject)]
struct Deck {
    log: Vec<&'static str>,
    position: u32,
    /// `rewind` fails.
    stuck: bool,
    /// `rewind` and `eject` wait a minute of tokio's clock.
    slow: bool,
}

impl Deck {
    async fn wait(&self) {
        YieldN(1).await;
        if self.slow {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    }
    async fn rewind(&mut self) -> Result<(), Broken> {
        self.log.push("rewind");
        self.wait().await;
        if self.stuck {
            return Err(Broken("tape stuck"));
        }
        self.position = 0;
        Ok(())
    }
    async fn eject(&mut self) -> Result<(), Broken> {
        self.log.push("eject");
        self.wait().await;
        Ok(())
    }
}

/// A `Within<Deck, On>` in `Playing` at `position`, its log cleared.
fn deck_playing_at(position: u32) -> Within<Deck, deck::On> {
    let on = Typed::new(Deck::default()).fire(deck::Power);
    let deck::InOn::Paused(paused) = on.into_leaf() else {
        panic!("the first entry takes `initial`, Paused");
    };
    let playing = paused.fire(deck::Play);
    // `Rewind`, inherited by the leaf: a typed resume, giving a `Within`.
    let mut on = block_on(playing.fire(deck::Rewind).run()).unwrap();
    assert_eq!(on.state(), deck::State::Playing);
    on.data_mut().log.clear();
    on.data_mut().position = position;
    on
}

#[test]
fn a_within_handle_makes_the_async_moves_its_superstate_declares() {
    // A self-transition on `On`: another `Within`, in the leaf it was in.
    let on: Within<Deck, deck::On> = block_on(deck_playing_at(7).fire(deck::Rewind)).unwrap();
    assert_eq!(on.state(), deck::State::Playing);
    assert_eq!(
        (on.data().position, &on.data().log[..]),
        (0, &["rewind"][..])
    );
    // Out of `On`: the target's typed handle, the leaf left remembered.
    let off: Typed<Deck, deck::Off> = block_on(on.fire(deck::Eject).run()).unwrap();
    assert_eq!(off.data().log, ["rewind", "eject"]);
    assert_eq!(off.remembered(deck::On), Some(deck::State::Playing));
    // The same moves on a machine end in the same place.
    let mut machine = StateMachine::from(deck_playing_at(7));
    block_on(machine.fire_async(deck::Rewind)).unwrap();
    block_on(machine.fire_async(deck::Eject)).unwrap();
    assert_eq!(machine.state(), off.state());
    assert_eq!(machine.data(), off.data());
    assert_eq!(machine.remembered(deck::On), off.remembered(deck::On));
}

#[test]
fn a_cut_short_or_refused_within_move_hands_the_handle_back_as_it_was() {
    let on = deck_playing_at(7);
    let before = on.data().clone();
    // `eject` yields once: the signal, ready at once, comes first.
    let rejected = block_on(on.fire(deck::Eject).cancel_on(YieldN(0))).unwrap_err();
    assert!(matches!(rejected.reason, Refusal::Cancelled));
    let mut on = rejected.into_handle();
    assert_eq!(on.state(), deck::State::Playing, "the same leaf");
    assert_eq!(on.data(), &before, "`eject` was rolled back");

    on.data_mut().stuck = true;
    let rejected = block_on(on.fire(deck::Rewind)).unwrap_err();
    assert!(
        matches!(rejected.reason, Refusal::ActionFailed(_)),
        "{:?}",
        rejected.reason
    );
    let on = rejected.into_handle();
    assert_eq!(on.data().log, before.log, "`rewind` was rolled back");
    assert_eq!(on.data().position, 7);

    // The memory is intact: ejected, then powered on, it resumes `Playing`.
    let off = block_on(on.fire(deck::Eject)).unwrap();
    assert_eq!(off.fire(deck::Power).state(), deck::State::Playing);
}

#[cfg(feature = "tokio")]
#[tokio::test(start_paused = true)]
async fn typed_moves_past_their_timeout_hand_the_handle_back() {
    use std::time::Duration;
    let mut on = deck_playing_at(7);
    on.data_mut().slow = true;
    let before = on.data().clone();
    // A `Within` move on tokio's clock: a minute's action, a second's limit.
    let rejected = on
        .fire(deck::Eject)
        .timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(rejected.reason, Refusal::Cancelled));
    let on = rejected.into_handle();
    assert_eq!(on.state(), deck::State::Playing);
    assert_eq!(on.data(), &before, "`eject` was rolled back");
    // A typed resume, from the leaf: the same.
    let deck::InOn::Playing(playing) = on.into_leaf() else {
        panic!("still in Playing");
    };
    let rejected = playing
        .fire(deck::Rewind)
        .timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(rejected.reason, Refusal::Cancelled));
    assert_eq!(rejected.handle.data(), &before, "`rewind` was rolled back");
    // Within its limit, the move lands.
    let on = rejected
        .into_handle()
        .fire(deck::Rewind)
        .timeout(Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!((on.state(), on.data().position), (deck::State::Playing, 0));
}

#[test]
fn within_moves_are_send() {
    fn send<T: Send>(_: &T) {}
    let run = deck_playing_at(0).fire(deck::Eject).run();
    send(&run);
}

#[test]
fn diagrams_say_which_actions_are_async() {
    let mermaid = Led::MERMAID;
    assert!(mermaid.contains("entry / async power_on"), "{mermaid}");
    assert!(mermaid.contains("exit / async power_off"), "{mermaid}");
    assert!(mermaid.contains("exit / exit_led_on"), "{mermaid}");
}

/// Created inside a superstate whose entry is async.
#[derive(Component, Clone, Debug, Default, PartialEq)]
#[component(states(Up(Warm, Hot), Down), initial = Up, terminal(Down))]
#[state(Up, initial = Warm, entry = async Self::boot)]
#[state(Warm, entry = Self::warm)]
#[transition(Warm -> Hot on Heat)]
#[transition(Up -> Down on Halt)]
struct Oven {
    log: Vec<&'static str>,
    fail: bool,
}

impl Oven {
    async fn boot(&mut self) -> Result<(), Broken> {
        self.log.push("boot");
        YieldN(2).await;
        Ok(())
    }
    fn warm(&mut self) -> Result<(), Broken> {
        self.log.push("warm");
        if self.fail {
            return Err(Broken("cold"));
        }
        Ok(())
    }
}

#[test]
fn starting_inside_an_async_entry_needs_start_async() {
    let failed = StateMachine::start(Oven::default()).unwrap_err();
    assert!(matches!(failed.reason, Refusal::NeedsAsync), "{failed}");
    assert_eq!(
        failed.to_string(),
        "`Oven` did not start in `Warm`: an entry action is async: use `start_async` (nothing ran)"
    );
    assert!(failed.data.log.is_empty(), "nothing ran");

    let machine = block_on(StateMachine::start_async(Oven::default())).unwrap();
    assert_eq!(machine.state(), oven::State::Warm);
    assert_eq!(machine.data().log, ["boot", "warm"]);
    let handle = block_on(Typed::start_async(Oven::default())).unwrap();
    assert_eq!(handle.data().log, ["boot", "warm"]);

    // A failing sync entry after the async one: all restored.
    let oven = Oven {
        fail: true,
        ..Oven::default()
    };
    let failed = block_on(StateMachine::start_async(oven.clone())).unwrap_err();
    assert_eq!(failed.data, oven);
    assert_eq!(
        failed.to_string(),
        "`Oven` did not start in `Warm`: the entry of Warm failed: cold"
    );

    // Dropped at the async entry's await point: nothing to give back, and
    // the guard restored the data before it was dropped (no panic, no leak).
    assert!(poll_times(StateMachine::start_async(Oven::default()), 1).is_none());
}
