//! A self-loop `Running -> Running on Tick` keeps the state type and runs
//! its action each time.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Running, Done), initial = Idle, terminal(Done))]
#[transition(Idle -> Running on Start)]
#[transition(Running -> Running on Tick, action = Self::tick)]
#[transition(Running -> Done on Finish)]
struct Clock {
    ticks: u32,
}

impl Clock {
    fn tick(&mut self) -> Result<(), std::fmt::Error> {
        self.ticks += 1;
        Ok(())
    }
}

fn main() {
    let mut running: Typed<Clock, clock::Running> = Typed::new(Clock { ticks: 0 }).fire(clock::Start);
    for _ in 0..3 {
        running = running.fire(clock::Tick).expect("ticks");
    }
    assert_eq!(running.data().ticks, 3);
    let done = running.fire(clock::Finish);
    assert_eq!(done.state(), clock::State::Done);
    assert!(<Clock as Component>::MERMAID.contains("Running --> Running: Tick / action"));
}
