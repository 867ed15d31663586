//! Moves of a machine with nested states against their peers, side by side
//! in one run.
//!
//! * `inherited_vs_own`: in leaf `A` of `Run(A, B)`, `Stop` is declared on
//!   `Run` (inherited) and `Halt` on `A` itself; both go to `Off`, and `Go`
//!   comes back. The flattened table makes both one arm of the same `match`,
//!   so they should cost the same.
//! * `exit_entry_vs_handwritten`: `Stop` leaves `A` (exit action) and enters
//!   `Off` (entry action) under one snapshot; the peer is a hand-written
//!   `match` that calls the same two functions and restores a copy of the
//!   data when either fails (without catching panics, which typestep does).
//!   `typestep_error_with_data` is the same move with hooks whose error
//!   carries a value, so that reporting a failure must allocate.
//!
//! Every state and event passes through `black_box`, so each move must
//! really happen.
//!
//! Run: `cargo bench --bench nested_move -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{criterion_main, Criterion};
use typestep::component::{Component, Step};
use typestep::prelude::*;

/// The error of a hook that cannot fail in practice.
#[derive(Debug)]
pub struct Jammed;

impl std::fmt::Display for Jammed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("jammed")
    }
}

impl std::error::Error for Jammed {}

/// Nested states without actions: `Stop` is inherited, `Halt` is `A`'s own.
#[derive(Component, Clone, Copy, Debug, Default)]
#[component(states(Off, Run(A, B)), initial = Off)]
#[state(Run, initial = A)]
#[transition(Off -> Run on Go)]
#[transition(A -> B on Next)]
#[transition(A -> Off on Halt)]
#[transition(Run -> Off on Stop)]
pub struct Plain;

/// A hook error that carries a value: boxing it on the failure path is a
/// call (the zero-sized `Jammed` boxes without one).
#[derive(Debug)]
pub struct JammedAt(pub u64);

impl std::fmt::Display for JammedAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "jammed at {}", self.0)
    }
}

impl std::error::Error for JammedAt {}

/// A component where `Stop` from `A` runs `A`'s exit action and `Off`'s
/// entry action, whose hooks fail (never, in practice) with `$error`.
macro_rules! hooked {
    ($(#[$doc:meta])* $name:ident, $error:ty, $jam:expr) => {
        $(#[$doc])*
        #[derive(Component, Clone, Copy, Debug, Default)]
        #[component(states(Off, Run(A, B)), initial = Off)]
        #[state(Run, initial = A)]
        #[state(A, exit = Self::leave)]
        #[state(Off, entry = Self::arrive)]
        #[transition(Off -> Run on Go)]
        #[transition(A -> B on Next)]
        #[transition(Run -> Off on Stop)]
        pub struct $name {
            left: u64,
            arrived: u64,
        }

        impl $name {
            #[inline]
            fn leave(&mut self) -> Result<(), $error> {
                self.left += 1;
                if self.left == u64::MAX {
                    return Err($jam(self.left));
                }
                Ok(())
            }

            #[inline]
            fn arrive(&mut self) -> Result<(), $error> {
                self.arrived += 1;
                if self.arrived == u64::MAX {
                    return Err($jam(self.arrived));
                }
                Ok(())
            }
        }
    };
}

hooked!(
    /// The exit/entry move, its hooks failing with the zero-sized `Jammed`.
    Hooked,
    Jammed,
    |_| Jammed
);
hooked!(
    /// The same move, its hooks failing with `JammedAt`, which carries a value.
    HookedAt,
    JammedAt,
    JammedAt
);

/// One move by the derive's table: the state it leads to, or the old one.
#[inline(never)]
fn step<C: Component>(data: &mut C, from: C::State, event: C::Event) -> C::State {
    match C::step(data, from, event) {
        Step::Moved(to) => to,
        _ => from,
    }
}

/// The same moves as `Hooked`, hand-written.
#[inline(never)]
fn handwritten(data: &mut Hooked, from: hooked::State, event: hooked::Event) -> hooked::State {
    use hooked::{Event, State};
    match (from, event) {
        (State::A, Event::Stop) | (State::B, Event::Stop) => {
            let saved = *data;
            let exited = if from == State::A {
                data.leave()
            } else {
                Ok(())
            };
            if exited.and_then(|()| data.arrive()).is_err() {
                *data = saved;
                return from;
            }
            State::Off
        }
        (State::Off, Event::Go) => State::A,
        (State::A, Event::Next) => State::B,
        _ => from,
    }
}

fn inherited_vs_own(c: &mut Criterion) {
    let mut group = c.benchmark_group("inherited_vs_own");
    for (name, event) in [
        ("inherited", plain::Event::Stop),
        ("own", plain::Event::Halt),
    ] {
        group.bench_function(name, |b| {
            let mut data = Plain;
            b.iter(|| {
                let off = step(&mut data, black_box(plain::State::A), black_box(event));
                let back = step(&mut data, black_box(off), black_box(plain::Event::Go));
                black_box(back)
            })
        });
    }
    group.finish();
}

fn exit_entry_vs_handwritten(c: &mut Criterion) {
    let mut group = c.benchmark_group("exit_entry_vs_handwritten");
    group.bench_function("typestep", |b| {
        let mut data = Hooked::default();
        b.iter(|| {
            let off = step(
                &mut data,
                black_box(hooked::State::A),
                black_box(hooked::Event::Stop),
            );
            let back = step(&mut data, black_box(off), black_box(hooked::Event::Go));
            black_box(back)
        })
    });
    group.bench_function("typestep_error_with_data", |b| {
        let mut data = HookedAt::default();
        b.iter(|| {
            let off = step(
                &mut data,
                black_box(hooked_at::State::A),
                black_box(hooked_at::Event::Stop),
            );
            let back = step(&mut data, black_box(off), black_box(hooked_at::Event::Go));
            black_box(back)
        })
    });
    group.bench_function("handwritten", |b| {
        let mut data = Hooked::default();
        b.iter(|| {
            let off = handwritten(
                &mut data,
                black_box(hooked::State::A),
                black_box(hooked::Event::Stop),
            );
            let back = handwritten(&mut data, black_box(off), black_box(hooked::Event::Go));
            black_box(back)
        })
    });
    group.finish();
}

fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    inherited_vs_own(&mut criterion);
    exit_entry_vs_handwritten(&mut criterion);
}

criterion_main!(benches);
