//! A leaf accepts its own events and its superstates'; `Idle` accepts
//! neither `Tick` (declared on `LedOn`) nor `Stop` (declared on `Blinking`):
//! the same E0277 as for a flat machine.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
#[state(Blinking, initial = LedOn)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop)]
struct Led;

fn main() {
    let idle = Typed::new(Led);
    let _ = idle.fire(led::Stop);
}
