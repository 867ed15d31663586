//! Stress test of `SharedMachine`: 8 threads, bounded iterations, then the
//! final state, data and history are checked against the count of
//! successful moves.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use typestep::prelude::*;

/// A switch whose actions count the moves, so the data records what the
/// state graph did.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Flip, action = Self::flip)]
#[transition(On -> Off on Flop, action = Self::flop)]
struct Switch {
    flips: u64,
    flops: u64,
}

impl Switch {
    fn flip(&mut self) -> Result<(), std::convert::Infallible> {
        self.flips += 1;
        Ok(())
    }
    fn flop(&mut self) -> Result<(), std::convert::Infallible> {
        self.flops += 1;
        Ok(())
    }
}

const THREADS: usize = 8;
const ITERATIONS: usize = 2_000;

/// The data agrees with the state.
fn consistent(m: &StateMachine<Switch>) -> bool {
    let d = m.data();
    match m.state() {
        switch::State::Off => d.flips == d.flops,
        switch::State::On => d.flips == d.flops + 1,
    }
}

#[test]
fn eight_threads_racing_keep_state_data_and_history_in_step() {
    let capacity = THREADS * ITERATIONS;
    let machine = Arc::new(SharedMachine::new(
        StateMachine::new(Switch { flips: 0, flops: 0 }).with_history(capacity),
    ));
    let successes = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(THREADS));

    let threads: Vec<_> = (0..THREADS)
        .map(|index| {
            let machine = Arc::clone(&machine);
            let successes = Arc::clone(&successes);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                let mut seed = index as u64 + 1;
                for i in 0..ITERATIONS {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let event = if seed % 2 == 0 {
                        switch::Event::Flip
                    } else {
                        switch::Event::Flop
                    };
                    // Half the threads compare-and-fire from the state they read.
                    let outcome = if index % 2 == 0 {
                        machine.fire(event)
                    } else {
                        let seen = machine.state();
                        machine.fire_from(seen, event)
                    };
                    match outcome {
                        Ok(record) => {
                            assert_eq!(record.event(), Some(event));
                            successes.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(FireError::NotAllowed { .. } | FireError::StateChanged { .. }) => {}
                        Err(other) => panic!("unexpected error: {other}"),
                    }
                    if i % 64 == 0 {
                        assert!(machine.with(consistent), "a reader saw a half-done move");
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no stress thread panics");
    }

    let successes = successes.load(Ordering::Relaxed) as u64;
    let machine = Arc::try_unwrap(machine)
        .expect("all threads are done")
        .into_inner()
        .expect("no move future was leaked");
    assert!(successes > 0);
    assert_eq!(machine.moves(), successes);
    let data = machine.data();
    assert_eq!(data.flips + data.flops, successes);
    let expected_state = if successes % 2 == 0 {
        switch::State::Off
    } else {
        switch::State::On
    };
    assert_eq!(machine.state(), expected_state);
    assert!(consistent(&machine));

    // The history holds every move, numbered 1..=n, each starting where the
    // previous one ended.
    let history: Vec<_> = machine.history().iter().collect();
    assert_eq!(history.len() as u64, successes);
    let mut state = switch::State::Off;
    for (i, record) in history.iter().enumerate() {
        assert_eq!(record.seq, i as u64 + 1);
        assert_eq!(record.from, state);
        state = record.to;
    }
    assert_eq!(state, machine.state());
}

#[test]
fn subscribers_on_other_threads_see_every_move_in_order() {
    let machine = Arc::new(SharedMachine::new(StateMachine::new(Switch {
        flips: 0,
        flops: 0,
    })));
    let receiver = machine.subscribe();
    let listener = thread::spawn(move || {
        receiver
            .iter()
            .map(|r| (r.seq, r.from, r.to))
            .collect::<Vec<_>>()
    });

    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let machine = Arc::clone(&machine);
            thread::spawn(move || {
                let mut moved = 0u64;
                for _ in 0..ITERATIONS / 4 {
                    moved += u64::from(machine.fire(switch::Flip).is_ok());
                    moved += u64::from(machine.fire(switch::Flop).is_ok());
                }
                moved
            })
        })
        .collect();
    let successes: u64 = threads
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .sum();
    // Dropping the last machine drops the sender, which ends the listener.
    drop(Arc::try_unwrap(machine).expect("all threads are done"));
    let seen = listener.join().expect("listener ends");
    assert_eq!(seen.len() as u64, successes);
    for (i, (seq, from, to)) in seen.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_ne!(from, to);
    }
}

static_assertions::assert_impl_all!(SharedMachine<Switch>: Send, Sync);
static_assertions::assert_impl_all!(StateMachine<Switch>: Send, Sync);
