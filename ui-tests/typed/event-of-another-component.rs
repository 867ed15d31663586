//! An event type of another component is not an event of this one, even
//! when the names match.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

#[derive(Component)]
#[component(states(Up, Down), initial = Up)]
#[transition(Up -> Down on Press)]
#[transition(Down -> Up on Press)]
struct Button;

fn main() {
    let lamp = Typed::<Lamp, _>::new(Lamp);
    let _ = lamp.fire(button::Press);
}
