//! Independent mistakes in nested states, all reported in one build, each at
//! its token: an `initial` that is not a child, `#[state]` on an unknown
//! state, `initial` and `history` on a leaf, a terminal superstate, a
//! targeted superstate without `initial`, and a terminal leaf that inherits
//! a transition. `history` on the superstate `Other` is fine.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, Blinking(LedOn, LedOff), Other(X, Y), Done), initial = Idle, terminal(Done, Other, Y))]
#[state(Blinking, initial = Idle)]
#[state(Nope, entry = Self::reset)]
#[state(LedOn, initial = LedOff, history)]
#[state(Other, initial = X, history)]
#[transition(Idle -> Blinking on Start)]
#[transition(Idle -> Other on Go)]
#[transition(Other -> Done on Stop)]
struct Led;

fn main() {}
