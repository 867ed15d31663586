//! A generic component with a superstate declared with `history`, an entry
//! action on a leaf it may resume, and a guarded move into it: typed
//! handles and the run-time machine resume the same leaf, and hand their
//! memory over.
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
    // The typed handle remembers where it left `Driving`, and so does the
    // machine made from it.
    assert_eq!(parked.remembered(car::Driving), Some(car::State::High));
    let mut machine = StateMachine::from(parked.clone());
    machine.fire(car::Go).unwrap();
    assert_eq!(machine.state(), car::State::High);
    machine.fire(car::Down).unwrap();
    machine.fire(car::Park).unwrap();
    machine.fire(car::Go).unwrap();
    assert_eq!(machine.state(), car::State::Low);
    // Entered `High` on `Launch` and resumed it on the first `Go`.
    assert_eq!(machine.data().highs, 2);

    // Typed, on a generic component: the guarded resume gives a `Result`
    // of a handle somewhere in `Driving`.
    let driving: Within<Car<u8>, car::Driving> = parked.fire(car::Go).unwrap();
    assert_eq!(driving.state(), car::State::High);
    let low = match driving.into_leaf() {
        car::InDriving::High(high) => high.fire(car::Down),
        car::InDriving::Low(low) => low,
    };
    let _parked: Typed<Car<u8>, car::Parked> = low.fire(car::Park);
}
