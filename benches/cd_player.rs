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

#[path = "cd/mod.rs"]
mod cd;
use cd::*;

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
