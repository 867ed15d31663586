//! Two components in one module, with the same state and event names: each
//! gets its own module, enums and impls, and nothing clashes.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Toggle, action = Self::count)]
#[transition(On -> Off on Toggle)]
struct Lamp {
    switched: u32,
}

impl Lamp {
    fn count(&mut self) -> Result<(), std::convert::Infallible> {
        self.switched += 1;
        Ok(())
    }
}

#[derive(Component)]
#[component(states(Off, On, Broken), initial = Off, terminal(Broken))]
#[transition(Off -> On on Toggle)]
#[transition(On -> Off on Toggle)]
#[transition(Off | On -> Broken on Smash)]
struct Fan;

fn main() {
    let lamp = Typed::new(Lamp { switched: 0 });
    let lamp = lamp.fire(lamp::Toggle).expect("counts");
    let lamp: Typed<Lamp, lamp::Off> = lamp.fire(lamp::Toggle);
    assert_eq!(lamp.data().switched, 1);

    let fan = Typed::new(Fan);
    let fan: Typed<Fan, fan::On> = fan.fire(fan::Toggle);
    let fan = fan.fire(fan::Smash);
    assert_eq!(fan.state(), fan::State::Broken);

    assert_eq!(lamp::State::ALL.len(), 2);
    assert_eq!(fan::State::ALL.len(), 3);
    assert_eq!(<Lamp as Component>::TRANSITIONS.len(), 2);
    assert_eq!(<Fan as Component>::TRANSITIONS.len(), 4);
    assert!(<Lamp as Component>::TERMINAL.is_empty());
    assert_eq!(<Fan as Component>::TERMINAL, [fan::State::Broken]);
}
