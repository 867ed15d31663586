//! A handle that is somewhere in `Blinking` (after a move that resumed its
//! history) accepts the transitions declared on `Blinking`; `Tick` is
//! declared on the leaves, with a target that depends on the leaf, so firing
//! it there is a compile error that says to split the handle first.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
#[state(Blinking, initial = LedOn, history)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop)]
struct Led;

fn main() {
    let blinking = Typed::new(Led).fire(led::Start);
    let _ = blinking.fire(led::Tick);
}
