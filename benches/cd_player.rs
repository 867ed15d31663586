//! Run-time moves of a CD player (5 states, 12 transitions), driven by one
//! pre-generated walk of 1024 valid events, in: a hand-written enum `match`
//! (state only; and with the same data changes as the `Deck` actions),
//! typestep's `StateMachine` (plain; history ring only; history ring plus
//! actions that snapshot small `Copy` data; the same with timing), statig,
//! smlang and rust-fsm. Every row builds its machine inside the timed closure.
//!
//! Every row is timed in the benchmarking thread's CPU time (`cpu-time`'s
//! `ThreadTime`, criterion `iter_custom`): on a loaded shared machine
//! wall-clock time also counts the time the thread waits for a core.
//!
//! `cargo bench --bench cd_player`; ratios of medians go to BENCHMARKS.md.
// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;

use cpu_time::ThreadTime;
use criterion::{criterion_group, criterion_main, Bencher, Criterion};
use typestep::prelude::*;

/// Times `iters` calls of `f` in the thread's CPU time.
fn cpu_iter<R>(b: &mut Bencher, mut f: impl FnMut() -> R) {
    b.iter_custom(|iters| {
        let start = ThreadTime::now();
        for _ in 0..iters {
            black_box(f());
        }
        start.elapsed()
    })
}

/// Events per iteration.
const WALK: usize = 1024;

/// The player as typestep declares it: state only, no guards or actions.
#[derive(Component, Clone, Copy)]
#[component(states(Empty, Open, Stopped, Playing, Paused), initial = Empty)]
#[transition(Empty -> Open on OpenClose)]
#[transition(Empty -> Stopped on CdDetected)]
#[transition(Open -> Empty on OpenClose)]
#[transition(Stopped -> Playing on Play)]
#[transition(Stopped -> Stopped on Stop)]
#[transition(Stopped -> Open on OpenClose)]
#[transition(Playing -> Stopped on Stop)]
#[transition(Playing -> Paused on Pause)]
#[transition(Playing -> Open on OpenClose)]
#[transition(Paused -> Playing on Pause)]
#[transition(Paused -> Stopped on Stop)]
#[transition(Paused -> Open on OpenClose)]
struct Player;

/// The same player with small `Copy` data that three actions change, so those
/// moves take a snapshot (and restore it on failure).
#[derive(Component, Clone, Copy, Default)]
#[component(states(Empty, Open, Stopped, Playing, Paused), initial = Empty)]
#[transition(Empty -> Open on OpenClose)]
#[transition(Empty -> Stopped on CdDetected, action = Self::load)]
#[transition(Open -> Empty on OpenClose)]
#[transition(Stopped -> Playing on Play, action = Self::play)]
#[transition(Stopped -> Stopped on Stop)]
#[transition(Stopped -> Open on OpenClose)]
#[transition(Playing -> Stopped on Stop)]
#[transition(Playing -> Paused on Pause, action = Self::pause)]
#[transition(Playing -> Open on OpenClose)]
#[transition(Paused -> Playing on Pause)]
#[transition(Paused -> Stopped on Stop)]
#[transition(Paused -> Open on OpenClose)]
struct Deck {
    track: u8,
    plays: u32,
    pauses: u32,
}

impl Deck {
    fn load(&mut self) -> Result<(), std::convert::Infallible> {
        self.track = 1;
        Ok(())
    }
    fn play(&mut self) -> Result<(), std::convert::Infallible> {
        self.plays += 1;
        Ok(())
    }
    fn pause(&mut self) -> Result<(), std::convert::Infallible> {
        self.pauses += 1;
        Ok(())
    }
}

/// The baseline: the player as a hand-written enum `match`.
mod hand {
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub enum State {
        Empty,
        Open,
        Stopped,
        Playing,
        Paused,
    }

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub enum Event {
        OpenClose,
        CdDetected,
        Play,
        Stop,
        Pause,
    }

    /// The next state, or `None` when `state` does not accept `event`.
    #[inline]
    pub fn next(state: State, event: Event) -> Option<State> {
        use Event as E;
        use State as S;
        Some(match (state, event) {
            (S::Empty, E::OpenClose) => S::Open,
            (S::Empty, E::CdDetected) => S::Stopped,
            (S::Open, E::OpenClose) => S::Empty,
            (S::Stopped, E::Play) => S::Playing,
            (S::Stopped, E::Stop) => S::Stopped,
            (S::Stopped, E::OpenClose) => S::Open,
            (S::Playing, E::Stop) => S::Stopped,
            (S::Playing, E::Pause) => S::Paused,
            (S::Playing, E::OpenClose) => S::Open,
            (S::Paused, E::Pause) => S::Playing,
            (S::Paused, E::Stop) => S::Stopped,
            (S::Paused, E::OpenClose) => S::Open,
            _ => return None,
        })
    }

    /// The data the `Deck` actions change, changed by hand.
    #[derive(Clone, Copy, Default)]
    pub struct Data {
        pub track: u8,
        pub plays: u32,
        pub pauses: u32,
    }

    /// `next`, plus the same data changes as the `Deck` actions.
    #[inline]
    pub fn next_with_data(state: State, event: Event, data: &mut Data) -> Option<State> {
        let to = next(state, event)?;
        match (state, event) {
            (State::Empty, Event::CdDetected) => data.track = 1,
            (State::Stopped, Event::Play) => data.plays += 1,
            (State::Playing, Event::Pause) => data.pauses += 1,
            _ => {}
        }
        Some(to)
    }
}

/// The player in statig.
mod with_statig {
    use statig::prelude::*;

    #[derive(Default)]
    pub struct Player;

    pub enum Event {
        OpenClose,
        CdDetected,
        Play,
        Stop,
        Pause,
    }

    #[state_machine(initial = "State::empty()")]
    impl Player {
        #[state]
        fn empty(event: &Event) -> Outcome<State> {
            match event {
                Event::OpenClose => Transition(State::open()),
                Event::CdDetected => Transition(State::stopped()),
                _ => Super,
            }
        }

        #[state]
        fn open(event: &Event) -> Outcome<State> {
            match event {
                Event::OpenClose => Transition(State::empty()),
                _ => Super,
            }
        }

        #[state]
        fn stopped(event: &Event) -> Outcome<State> {
            match event {
                Event::Play => Transition(State::playing()),
                Event::Stop => Transition(State::stopped()),
                Event::OpenClose => Transition(State::open()),
                _ => Super,
            }
        }

        #[state]
        fn playing(event: &Event) -> Outcome<State> {
            match event {
                Event::Stop => Transition(State::stopped()),
                Event::Pause => Transition(State::paused()),
                Event::OpenClose => Transition(State::open()),
                _ => Super,
            }
        }

        #[state]
        fn paused(event: &Event) -> Outcome<State> {
            match event {
                Event::Pause => Transition(State::playing()),
                Event::Stop => Transition(State::stopped()),
                Event::OpenClose => Transition(State::open()),
                _ => Super,
            }
        }
    }
}

/// The player in smlang.
mod with_smlang {
    smlang::statemachine! {
        derive_events: [Clone, Copy],
        transitions: {
            *Empty + OpenClose = Open,
            Empty + CdDetected = Stopped,
            Open + OpenClose = Empty,
            Stopped + Play = Playing,
            Stopped + Stop = Stopped,
            Stopped + OpenClose = Open,
            Playing + Stop = Stopped,
            Playing + Pause = Paused,
            Playing + OpenClose = Open,
            Paused + Pause = Playing,
            Paused + Stop = Stopped,
            Paused + OpenClose = Open,
        }
    }

    pub struct Context;

    impl StateMachineContext for Context {}
}

/// The player in rust-fsm.
mod with_rust_fsm {
    rust_fsm::state_machine! {
        pub player(Empty)

        Empty => {
            OpenClose => Open,
            CdDetected => Stopped,
        },
        Open(OpenClose) => Empty,
        Stopped => {
            Play => Playing,
            Stop => Stopped,
            OpenClose => Open,
        },
        Playing => {
            Stop => Stopped,
            Pause => Paused,
            OpenClose => Open,
        },
        Paused => {
            Pause => Playing,
            Stop => Stopped,
            OpenClose => Open,
        },
    }
}

/// A walk of `WALK` events, each accepted by the state it arrives in,
/// chosen from the declared table with a fixed-seed generator.
fn walk() -> Vec<player::Event> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut state = <Player as Component>::INITIAL;
    let mut events = Vec::with_capacity(WALK);
    for _ in 0..WALK {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let choices: Vec<_> = Player::TRANSITIONS
            .iter()
            .filter(|t| t.from == state)
            .collect();
        let pick = choices[(seed >> 33) as usize % choices.len()];
        events.push(pick.event);
        state = pick.to;
    }
    events
}

fn hand_event(e: player::Event) -> hand::Event {
    match e {
        player::Event::OpenClose => hand::Event::OpenClose,
        player::Event::CdDetected => hand::Event::CdDetected,
        player::Event::Play => hand::Event::Play,
        player::Event::Stop => hand::Event::Stop,
        player::Event::Pause => hand::Event::Pause,
    }
}

fn deck_event(e: player::Event) -> deck::Event {
    deck::Event::ALL[e.index()]
}

fn statig_event(e: player::Event) -> with_statig::Event {
    use with_statig::Event as E;
    match e {
        player::Event::OpenClose => E::OpenClose,
        player::Event::CdDetected => E::CdDetected,
        player::Event::Play => E::Play,
        player::Event::Stop => E::Stop,
        player::Event::Pause => E::Pause,
    }
}

fn smlang_event(e: player::Event) -> with_smlang::Events {
    use with_smlang::Events as E;
    match e {
        player::Event::OpenClose => E::OpenClose,
        player::Event::CdDetected => E::CdDetected,
        player::Event::Play => E::Play,
        player::Event::Stop => E::Stop,
        player::Event::Pause => E::Pause,
    }
}

fn rust_fsm_event(e: player::Event) -> with_rust_fsm::player::Input {
    use with_rust_fsm::player::Input as E;
    match e {
        player::Event::OpenClose => E::OpenClose,
        player::Event::CdDetected => E::CdDetected,
        player::Event::Play => E::Play,
        player::Event::Stop => E::Stop,
        player::Event::Pause => E::Pause,
    }
}

fn cd_player(c: &mut Criterion) {
    let events = walk();
    let hand_events: Vec<_> = events.iter().copied().map(hand_event).collect();
    let deck_events: Vec<_> = events.iter().copied().map(deck_event).collect();
    let statig_events: Vec<_> = events.iter().copied().map(statig_event).collect();
    let smlang_events: Vec<_> = events.iter().copied().map(smlang_event).collect();
    let rust_fsm_events: Vec<_> = events.iter().copied().map(rust_fsm_event).collect();

    let mut group = c.benchmark_group("cd_player");
    group.throughput(criterion::Throughput::Elements(WALK as u64));

    group.bench_function("hand-written match", |b| {
        cpu_iter(b, || {
            let mut state = hand::State::Empty;
            for &event in black_box(&hand_events) {
                if let Some(next) = hand::next(state, event) {
                    state = next;
                }
            }
            state
        })
    });

    group.bench_function("hand-written match + data", |b| {
        cpu_iter(b, || {
            let mut state = hand::State::Empty;
            let mut data = hand::Data::default();
            for &event in black_box(&hand_events) {
                if let Some(next) = hand::next_with_data(state, event, &mut data) {
                    state = next;
                }
            }
            (state, data.track, data.plays, data.pauses)
        })
    });

    group.bench_function("typestep plain", |b| {
        cpu_iter(b, || {
            let mut m = StateMachine::new(Player);
            for &event in black_box(&events) {
                let _ = m.fire(event);
            }
            m.state()
        })
    });

    group.bench_function("typestep history only", |b| {
        cpu_iter(b, || {
            let mut m = StateMachine::new(Player).with_history(64);
            for &event in black_box(&events) {
                let _ = m.fire(event);
            }
            m.state()
        })
    });

    group.bench_function("typestep history + snapshot", |b| {
        cpu_iter(b, || {
            // One allocation of the 64-record ring per walk of 1024 moves.
            let mut m = StateMachine::new(Deck::default()).with_history(64);
            for &event in black_box(&deck_events) {
                let _ = m.fire(event);
            }
            (m.state(), m.data().plays)
        })
    });

    group.bench_function("typestep history + snapshot + timing", |b| {
        cpu_iter(b, || {
            let mut m = StateMachine::new(Deck::default())
                .with_history(64)
                .with_timing(true);
            for &event in black_box(&deck_events) {
                let _ = m.fire(event);
            }
            (m.state(), m.data().plays)
        })
    });

    group.bench_function("statig", |b| {
        use statig::prelude::*;
        cpu_iter(b, || {
            let mut m = with_statig::Player.state_machine();
            for event in black_box(&statig_events) {
                m.handle(event);
            }
            black_box(&m);
        })
    });

    group.bench_function("smlang", |b| {
        cpu_iter(b, || {
            let mut m = with_smlang::StateMachine::new(with_smlang::Context);
            for &event in black_box(&smlang_events) {
                let _ = m.process_event(event);
            }
            black_box(m.state());
        })
    });

    group.bench_function("rust-fsm", |b| {
        cpu_iter(b, || {
            let mut m = with_rust_fsm::player::StateMachine::new();
            for event in black_box(&rust_fsm_events) {
                let _ = m.consume(event);
            }
            black_box(m.state());
        })
    });

    group.finish();
}

criterion_group!(benches, cd_player);
criterion_main!(benches);
