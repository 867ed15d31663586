//! Property tests: random event sequences (with random injected faults) on
//! several machines, checked against a reference model built from the
//! declared table (`Component::TRANSITIONS`).

use proptest::prelude::*;
use typestep::component::TransitionSpec;
use typestep::prelude::*;

/// What the guards and actions of the next move do.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    Refuse,
    Fail,
    Panic,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        1 => Just(Fault::Refuse),
        1 => Just(Fault::Fail),
        1 => Just(Fault::Panic),
    ]
}

#[derive(Debug, thiserror::Error)]
#[error("injected")]
struct Injected;

/// A component with guards and actions on many transitions, all obeying
/// the injected fault.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Ready, Running, Paused, Stopped, Failed), initial = Created)]
#[transition(Created -> Ready on Init, action = Self::act)]
#[transition(Ready -> Running on Start, guard = Self::allow, action = Self::act)]
#[transition(Running -> Paused on Pause, action = Self::act)]
#[transition(Paused -> Running on Resume, guard = Self::allow)]
#[transition(Running | Paused -> Stopped on Stop, action = Self::act)]
#[transition(Created | Ready | Running | Paused -> Failed on Fail)]
#[transition(Failed -> Created on Reset, guard = Self::allow, action = Self::act)]
#[transition(Stopped -> Created on Reset)]
struct Worker {
    fault: Fault,
    acted: u32,
    trail: Vec<u32>,
}

impl Worker {
    fn allow(&self) -> bool {
        match self.fault {
            Fault::Refuse => false,
            Fault::Panic => panic!("injected guard panic"),
            Fault::None | Fault::Fail => true,
        }
    }
    fn act(&mut self) -> Result<(), Injected> {
        self.acted += 1;
        self.trail.push(self.acted);
        match self.fault {
            Fault::Fail => Err(Injected),
            Fault::Panic => panic!("injected action panic"),
            Fault::None | Fault::Refuse => Ok(()),
        }
    }
}

/// A machine with neither guards nor actions.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Empty, Open, Stopped, Playing, Paused), initial = Empty)]
#[transition(Empty -> Open on OpenClose)]
#[transition(Empty -> Stopped on CdDetected)]
#[transition(Open -> Empty on OpenClose)]
#[transition(Stopped -> Playing on Play)]
#[transition(Stopped -> Stopped on Stop)]
#[transition(Stopped | Playing | Paused -> Open on OpenClose)]
#[transition(Playing | Paused -> Stopped on Stop)]
#[transition(Playing -> Paused on Pause)]
#[transition(Paused -> Playing on Pause)]
struct Player;

/// What the reference model expects of one fire.
#[derive(Debug, PartialEq)]
enum Expected<S> {
    Moved(S),
    Refused(&'static str),
}

/// The reference model: the declared table, plus the documented order
/// guard → action.
fn model<S: Label, E: Label>(
    table: &[TransitionSpec<S, E>],
    state: S,
    event: E,
    fault: Fault,
) -> Expected<S> {
    let Some(spec) = table.iter().find(|t| t.from == state && t.event == event) else {
        return Expected::Refused("not_allowed");
    };
    if spec.guarded {
        match fault {
            Fault::Refuse => return Expected::Refused("guard_refused"),
            Fault::Panic => return Expected::Refused("guard_panicked"),
            Fault::None | Fault::Fail => {}
        }
    }
    if spec.has_action {
        match fault {
            Fault::Fail => return Expected::Refused("action_failed"),
            Fault::Panic => return Expected::Refused("action_panicked"),
            Fault::None | Fault::Refuse => {}
        }
    }
    Expected::Moved(spec.to)
}

/// Runs `steps` on a machine and on the model, and checks every property.
fn check<C>(
    data: C,
    capacity: usize,
    steps: &[(usize, Fault)],
    set_fault: fn(&mut C, Fault),
) -> Result<(), TestCaseError>
where
    C: Component + Clone + PartialEq + std::fmt::Debug,
{
    let mut m = StateMachine::new(data).with_history(capacity);
    let mut model_state = C::INITIAL;
    let mut moves = 0u64;
    for &(event_index, fault) in steps {
        let event = C::Event::ALL[event_index % C::Event::ALL.len()];
        set_fault(m.data_mut(), fault);
        let before = (
            m.state(),
            m.data().clone(),
            m.moves(),
            m.history().iter().collect::<Vec<_>>(),
        );
        let expected = model(C::TRANSITIONS, model_state, event, fault);
        match (m.fire(event), expected) {
            (Ok(record), Expected::Moved(to)) => {
                moves += 1;
                prop_assert_eq!(
                    (record.from, record.to, record.event()),
                    (model_state, to, Some(event))
                );
                prop_assert_eq!(record.seq, moves);
                prop_assert_eq!(m.state(), to);
                model_state = to;
            }
            (Err(error), Expected::Refused(kind)) => {
                prop_assert_eq!(error.kind(), kind);
                prop_assert_eq!((error.state(), error.event()), (model_state, event));
                // Nothing changed: state, whole data, move count, history.
                prop_assert_eq!(m.state(), before.0);
                prop_assert_eq!(m.data(), &before.1);
                prop_assert_eq!(m.moves(), before.2);
                prop_assert_eq!(m.history().iter().collect::<Vec<_>>(), before.3);
            }
            (outcome, expected) => {
                return Err(TestCaseError::fail(format!(
                    "{} in {:?} on {:?} with {:?}: got {:?}, model expected {:?}",
                    C::NAME,
                    model_state,
                    event,
                    fault,
                    outcome.map(|r| r.to),
                    expected
                )));
            }
        }
        // The history never exceeds its capacity, is in order, and chains.
        let history: Vec<_> = m.history().iter().collect();
        prop_assert!(history.len() <= capacity);
        prop_assert_eq!(history.len() as u64, moves.min(capacity as u64));
        for pair in history.windows(2) {
            prop_assert_eq!(pair[1].seq, pair[0].seq + 1);
            prop_assert_eq!(pair[1].from, pair[0].to);
        }
        if let Some(last) = history.last() {
            prop_assert_eq!((last.seq, last.to), (moves, m.state()));
        }
    }
    Ok(())
}

fn steps() -> impl Strategy<Value = Vec<(usize, Fault)>> {
    prop::collection::vec((0usize..16, fault()), 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn worker_matches_the_model(steps in steps(), capacity in 1usize..12) {
        let worker = Worker { fault: Fault::None, acted: 0, trail: Vec::new() };
        check(worker, capacity, &steps, |w, f| w.fault = f)?;
    }

    #[test]
    fn player_matches_the_model(steps in steps(), capacity in 1usize..12) {
        check(Player, capacity, &steps, |_, _| {})?;
    }

    /// Rolling back to a checkpoint restores exactly the state and data of
    /// that moment, and is itself recorded.
    #[test]
    fn rollback_restores_the_checkpoint(before in steps(), after in steps()) {
        let mut m = StateMachine::new(Worker { fault: Fault::None, acted: 0, trail: Vec::new() }).with_history(4);
        let run = |m: &mut StateMachine<Worker>, steps: &[(usize, Fault)]| {
            for &(e, f) in steps {
                m.data_mut().fault = f;
                let _ = m.fire(<worker::Event as Label>::ALL[e % <worker::Event as Label>::ALL.len()]);
            }
            m.data_mut().fault = Fault::None;
        };
        run(&mut m, &before);
        let checkpoint = m.checkpoint();
        let saved = (m.state(), m.data().clone());
        run(&mut m, &after);
        let moves = m.moves();
        let current = m.state();
        let record = m.rollback_to(checkpoint);
        prop_assert_eq!((m.state(), m.data().clone()), saved.clone());
        prop_assert!(record.is_rollback());
        prop_assert_eq!((record.from, record.to, record.seq), (current, saved.0, moves + 1));
        prop_assert_eq!(m.history().last(), Some(record));
    }
}
