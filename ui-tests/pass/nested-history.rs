//! A generic component with a superstate declared with `history`, an entry
//! action on a leaf it may resume, and a guarded move into it: typed moves
//! that do not enter it by default compile as before; the run-time machine
//! resumes.
use typestep::prelude::*;

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}

impl std::error::Error for Never {}

#[derive(Component, Clone)]
#[component(states(Parked, Driving(Low, High)), initial = Parked)]
#[state(Driving, initial = Low, history)]
#[state(High, entry = Self::count)]
#[transition(Parked -> Driving on Go, guard = Self::has_fuel)]
#[transition(Parked -> High on Launch)]
#[transition(Low -> High on Up)]
#[transition(High -> Low on Down)]
#[transition(Driving -> Parked on Park)]
struct Car<T: Clone> {
    fuel: T,
    highs: u32,
}

impl<T: Clone> Car<T> {
    fn has_fuel(&self) -> bool {
        true
    }
    fn count(&mut self) -> Result<(), Never> {
        self.highs += 1;
        Ok(())
    }
}

fn main() {
    let typed = Typed::new(Car { fuel: 1u8, highs: 0 });
    let high: Typed<Car<u8>, car::High> = typed.fire(car::Launch).unwrap();
    let parked: Typed<Car<u8>, car::Parked> = high.fire(car::Park);
    let mut machine = StateMachine::from(parked);
    machine.fire(car::Go).unwrap();
    machine.fire(car::Up).unwrap();
    machine.fire(car::Park).unwrap();
    machine.fire(car::Go).unwrap();
    assert_eq!(machine.state(), car::State::High);
    // Entered `High` on `Launch`, on `Up`, and resumed on the last `Go`.
    assert_eq!(machine.data().highs, 3);
}
