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
//! Two comparisons on each workload: the plain move against the hand-written
//! match and the peers; and typestep with a history ring of 64 and actions
//! under a snapshot of small `Copy` data (`Deck`) against the hand-written
//! match making the same data changes (and typestep without the ring, and
//! the hand-written match with a hand-written ring of the same records in a
//! fixed array: the least a history can cost).
//!
//! `cargo bench --bench cd_isolated` (`CD_EVENTS=N` sets the events per run,
//! 10,000,000 by default; `CD_ROUNDS=N` the rounds, 15 by default). It
//! prints one table per workload and comparison; the criterion bench
//! `cd_player` stays the in-context comparison. The predictable rows move
//! with code layout: `scripts/cd_layouts.sh` builds and runs this bench in
//! three layouts of the same code.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use cpu_time::ThreadTime;
use typestep::prelude::*;

#[path = "cd/mod.rs"]
mod cd;
use cd::*;

/// One workload in every implementation's own event type.
struct Workload {
    name: &'static str,
    typestep: Vec<player::Event>,
    hand: Vec<hand::Event>,
    deck: Vec<deck::Event>,
    statig: Vec<with_statig::Event>,
    smlang: Vec<with_smlang::Events>,
    rust_fsm: Vec<with_rust_fsm::player::Input>,
    /// Events not accepted in the state they arrive in.
    rejected: usize,
}

impl Workload {
    fn new(name: &'static str, events: Vec<player::Event>) -> Self {
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
            deck: events.iter().map(|&e| deck_event(e)).collect(),
            statig: events.iter().map(|&e| statig_event(e)).collect(),
            smlang: events.iter().map(|&e| smlang_event(e)).collect(),
            rust_fsm: events.iter().map(|&e| rust_fsm_event(e)).collect(),
            typestep: events,
            rejected,
        }
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

/// A layout pad, built only by `scripts/cd_layouts.sh` (`--cfg cd_pad`):
/// unrelated code before the history rows moves their loops by a few cache
/// lines, so that a claim on them can be checked in more than one layout.
#[cfg(any(cd_pad = "1", cd_pad = "2"))]
#[inline(never)]
fn pad_layout(x: u64) -> u64 {
    let mut acc = x;
    for i in 0..x {
        acc = acc.wrapping_mul(31).wrapping_add(i);
        #[cfg(cd_pad = "2")]
        {
            acc ^= acc >> 7;
            acc = acc.rotate_left(5).wrapping_sub(i * 3);
        }
    }
    acc
}

/// typestep with a history ring of 64 and the `Deck` actions (each under a
/// snapshot of its small `Copy` data): item 3 of issue 13.
#[inline(never)]
fn run_typestep_history(events: &[deck::Event]) -> (deck::State, u32) {
    let mut m = StateMachine::new(Deck::default()).with_history(64);
    for &event in events {
        let _ = m.fire(event);
    }
    (m.state(), m.data().plays)
}

/// The same moves and data changes by hand: the baseline of item 3.
#[inline(never)]
fn run_hand_data(events: &[hand::Event]) -> (hand::State, u32) {
    let mut state = hand::State::Empty;
    let mut data = hand::Data::default();
    for &event in events {
        if let Some(next) = hand::next_with_data(state, event, &mut data) {
            state = next;
        }
    }
    (state, data.plays)
}

/// The same moves and data changes by hand, plus a hand-written ring of
/// the last 64 moves (sequence number, from, event, to: what typestep's
/// history keeps of a move without its clock fields) in a fixed array:
/// what recording a history costs at least, the floor of item 3.
#[inline(never)]
fn run_hand_ring(events: &[hand::Event]) -> (hand::State, u32) {
    // Written for what writing costs; read only through `black_box`.
    #[allow(dead_code)]
    #[derive(Clone, Copy)]
    struct Entry {
        seq: u64,
        from: hand::State,
        event: hand::Event,
        to: hand::State,
    }
    let mut ring = [Entry {
        seq: 0,
        from: hand::State::Empty,
        event: hand::Event::OpenClose,
        to: hand::State::Empty,
    }; 64];
    let mut seq = 0u64;
    let mut state = hand::State::Empty;
    let mut data = hand::Data::default();
    for &event in events {
        if let Some(next) = hand::next_with_data(state, event, &mut data) {
            seq += 1;
            ring[(seq % 64) as usize] = Entry {
                seq,
                from: state,
                event,
                to: next,
            };
            state = next;
        }
    }
    // The ring is read, so none of its stores can be left out.
    black_box(&ring);
    (state, data.plays)
}

/// typestep with the `Deck` actions and no history (what the ring costs).
#[inline(never)]
fn run_typestep_deck(events: &[deck::Event]) -> (deck::State, u32) {
    let mut m = StateMachine::new(Deck::default());
    for &event in events {
        let _ = m.fire(event);
    }
    (m.state(), m.data().plays)
}

/// One comparison: implementations by name, the first one compared with
/// each of the others.
struct Table {
    title: &'static str,
    names: &'static [&'static str],
    /// Runs implementation `which` once over a workload.
    run: fn(usize, &Workload),
}

const PLAIN: Table = Table {
    title: "plain move",
    names: &[
        "typestep",
        "hand-written match",
        "statig 0.4",
        "smlang 0.8",
        "rust-fsm 0.8",
    ],
    run: |which, w| match which {
        0 => drop(black_box(run_typestep(black_box(&w.typestep)))),
        1 => drop(black_box(run_hand(black_box(&w.hand)))),
        2 => run_statig(black_box(&w.statig)),
        3 => run_smlang(black_box(&w.smlang)),
        _ => run_rust_fsm(black_box(&w.rust_fsm)),
    },
};

const HISTORY: Table = Table {
    title: "history (64) + snapshot of small Copy data",
    names: &[
        "typestep history + snapshot",
        "hand-written match + data",
        "typestep snapshot only",
        "hand-written match + data + ring",
    ],
    run: |which, w| match which {
        0 => drop(black_box(run_typestep_history(black_box(&w.deck)))),
        1 => drop(black_box(run_hand_data(black_box(&w.hand)))),
        2 => drop(black_box(run_typestep_deck(black_box(&w.deck)))),
        _ => drop(black_box(run_hand_ring(black_box(&w.hand)))),
    },
};

/// Runs implementation `which` of `table` once over `w`; its CPU time.
fn time(table: &Table, which: usize, w: &Workload) -> Duration {
    let start = ThreadTime::now();
    (table.run)(which, w);
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
    if !benching {
        // A figure from this run is not a measurement: say so where a
        // binary run by hand (without `--bench`) prints its tables.
        println!("cd_isolated: smoke test (pass --bench to measure)");
    }
    #[cfg(any(cd_pad = "1", cd_pad = "2"))]
    black_box(pad_layout(black_box(3)));
    for workload in [
        Workload::new("predictable", predictable(n)),
        Workload::new("random", random(n)),
    ] {
        for table in [&PLAIN, &HISTORY] {
            compare(table, &workload, n, rounds);
        }
    }
}

/// Runs every implementation of `table` `rounds` times over `workload`,
/// rotating their order, and prints the medians.
fn compare(table: &Table, workload: &Workload, n: usize, rounds: usize) {
    let count = table.names.len();
    // Warm-up: one run of each.
    for which in 0..count {
        time(table, which, workload);
    }
    let mut times = vec![Vec::new(); count];
    for round in 0..rounds {
        for k in 0..count {
            let which = (round + k) % count;
            times[which].push(time(table, which, workload).as_secs_f64());
        }
    }
    println!(
        "cd_isolated/{}, {}: {} events, {:.1}% not accepted, {} rounds (median of per-round ratios)",
        workload.name,
        table.title,
        n,
        100.0 * workload.rejected as f64 / n as f64,
        rounds
    );
    let first = table.names[0];
    for (which, name) in table.names.iter().enumerate() {
        let per_event = median(times[which].clone()) / n as f64 * 1e9;
        let ratio = median((0..rounds).map(|r| times[0][r] / times[which][r]).collect());
        println!("  {name:<30} {per_event:>7.3} ns/event   {first} / this = {ratio:.3}");
    }
}
