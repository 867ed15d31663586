//! A handle is consumed by `fire`; using it again is a plain use-after-move
//! error (E0382), not a design error.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

fn main() {
    let off = Typed::<Lamp, _>::new(Lamp);
    let _on = off.fire(lamp::Press);
    let _again = off.fire(lamp::Press);
}
