//! The CD player (5 states, 12 transitions) run through each implementation
//! in isolation: every implementation is its own `#[inline(never)]`
//! function over one pre-generated slice of events, the order of the
//! implementations is rotated every round, each run is timed in the
//! thread's CPU time (the machine is shared: wall-clock time would count
//! waiting for a core), and the figure reported is the **median of the
//! per-round ratios** over 15 rounds.
//!
//! Two workloads:
//! * `predictable`: an 11-event cycle, every event accepted (the shape of
//!   statig's CD-player benchmark): `OpenClose, OpenClose, CdDetected, Play,
//!   Pause, Pause, Pause, Stop, Stop, OpenClose, OpenClose`, back to `Empty`.
//! * `random`: events drawn uniformly (fixed seed) from the five, of which
//!   about 65% are not accepted in the state they arrive in.
//!
//! `cargo bench --bench cd_isolated` (`CD_EVENTS=N` sets the events per run,
//! 10,000,000 by default; `CD_ROUNDS=N` the rounds, 15 by default). It
//! prints one table per workload; the criterion bench `cd_player` stays the
//! in-context comparison.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use cpu_time::ThreadTime;
use typestep::prelude::*;

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

/// The baseline: a hand-written enum `match`.
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

/// One workload in every implementation's own event type.
struct Workload {
    name: &'static str,
    typestep: Vec<player::Event>,
    hand: Vec<hand::Event>,
    statig: Vec<with_statig::Event>,
    smlang: Vec<with_smlang::Events>,
    rust_fsm: Vec<with_rust_fsm::player::Input>,
    /// Events not accepted in the state they arrive in.
    rejected: usize,
}

impl Workload {
    fn new(name: &'static str, events: Vec<player::Event>) -> Self {
        use player::Event as E;
        let mut state = hand::State::Empty;
        let mut rejected = 0;
        for &event in &events {
            match hand::next(state, hand_event(event)) {
                Some(next) => state = next,
                None => rejected += 1,
            }
        }
        Workload {
            name,
            hand: events.iter().map(|&e| hand_event(e)).collect(),
            statig: events
                .iter()
                .map(|e| match e {
                    E::OpenClose => with_statig::Event::OpenClose,
                    E::CdDetected => with_statig::Event::CdDetected,
                    E::Play => with_statig::Event::Play,
                    E::Stop => with_statig::Event::Stop,
                    E::Pause => with_statig::Event::Pause,
                })
                .collect(),
            smlang: events
                .iter()
                .map(|e| match e {
                    E::OpenClose => with_smlang::Events::OpenClose,
                    E::CdDetected => with_smlang::Events::CdDetected,
                    E::Play => with_smlang::Events::Play,
                    E::Stop => with_smlang::Events::Stop,
                    E::Pause => with_smlang::Events::Pause,
                })
                .collect(),
            rust_fsm: events
                .iter()
                .map(|e| match e {
                    E::OpenClose => with_rust_fsm::player::Input::OpenClose,
                    E::CdDetected => with_rust_fsm::player::Input::CdDetected,
                    E::Play => with_rust_fsm::player::Input::Play,
                    E::Stop => with_rust_fsm::player::Input::Stop,
                    E::Pause => with_rust_fsm::player::Input::Pause,
                })
                .collect(),
            typestep: events,
            rejected,
        }
    }
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

/// statig's 11-event cycle, repeated.
fn predictable(n: usize) -> Vec<player::Event> {
    use player::Event as E;
    const CYCLE: [E; 11] = [
        E::OpenClose,
        E::OpenClose,
        E::CdDetected,
        E::Play,
        E::Pause,
        E::Pause,
        E::Pause,
        E::Stop,
        E::Stop,
        E::OpenClose,
        E::OpenClose,
    ];
    CYCLE.iter().copied().cycle().take(n).collect()
}

/// Uniformly random events (fixed-seed LCG).
fn random(n: usize) -> Vec<player::Event> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            player::Event::ALL[(seed >> 33) as usize % player::Event::ALL.len()]
        })
        .collect()
}

#[inline(never)]
fn run_hand(events: &[hand::Event]) -> hand::State {
    let mut state = hand::State::Empty;
    for &event in events {
        if let Some(next) = hand::next(state, event) {
            state = next;
        }
    }
    state
}

#[inline(never)]
fn run_typestep(events: &[player::Event]) -> player::State {
    let mut m = StateMachine::new(Player);
    for &event in events {
        let _ = m.fire(event);
    }
    m.state()
}

#[inline(never)]
fn run_statig(events: &[with_statig::Event]) {
    use statig::prelude::*;
    let mut m = with_statig::Player.state_machine();
    for event in events {
        m.handle(event);
    }
    black_box(&m);
}

#[inline(never)]
fn run_smlang(events: &[with_smlang::Events]) {
    let mut m = with_smlang::StateMachine::new(with_smlang::Context);
    for &event in events {
        let _ = m.process_event(event);
    }
    black_box(m.state());
}

#[inline(never)]
fn run_rust_fsm(events: &[with_rust_fsm::player::Input]) {
    let mut m = with_rust_fsm::player::StateMachine::new();
    for event in events {
        let _ = m.consume(event);
    }
    black_box(m.state());
}

const NAMES: [&str; 5] = [
    "typestep",
    "hand-written match",
    "statig 0.4",
    "smlang 0.8",
    "rust-fsm 0.8",
];

/// Runs implementation `which` once over `w` and returns its CPU time.
fn time(which: usize, w: &Workload) -> Duration {
    let start = ThreadTime::now();
    match which {
        0 => drop(black_box(run_typestep(black_box(&w.typestep)))),
        1 => drop(black_box(run_hand(black_box(&w.hand)))),
        2 => run_statig(black_box(&w.statig)),
        3 => run_smlang(black_box(&w.smlang)),
        _ => run_rust_fsm(black_box(&w.rust_fsm)),
    }
    start.elapsed()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // run a smoke-sized workload so the test stays quick.
    let benching = std::env::args().any(|a| a == "--bench");
    let n = if benching {
        env("CD_EVENTS", 10_000_000)
    } else {
        10_000
    };
    let rounds = if benching { env("CD_ROUNDS", 15) } else { 1 };
    for workload in [
        Workload::new("predictable", predictable(n)),
        Workload::new("random", random(n)),
    ] {
        // Warm-up: one run of each.
        for which in 0..NAMES.len() {
            time(which, &workload);
        }
        let mut times = vec![Vec::new(); NAMES.len()];
        for round in 0..rounds {
            for k in 0..NAMES.len() {
                let which = (round + k) % NAMES.len();
                times[which].push(time(which, &workload).as_secs_f64());
            }
        }
        println!(
            "cd_isolated/{}: {} events, {:.1}% not accepted, {} rounds (median of per-round ratios)",
            workload.name,
            n,
            100.0 * workload.rejected as f64 / n as f64,
            rounds
        );
        for (which, name) in NAMES.iter().enumerate() {
            let per_event = median(times[which].clone()) / n as f64 * 1e9;
            let ratio = median((0..rounds).map(|r| times[0][r] / times[which][r]).collect());
            println!("  {name:<20} {per_event:>7.3} ns/event   typestep / this = {ratio:.3}");
        }
    }
}
