//! A move into a superstate with `history` resumes a leaf decided at run
//! time, from a memory a typed handle does not carry: firing it on a typed
//! handle is a compile error that says so and points to `StateMachine`.
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
    let idle = Typed::new(Led);
    let _ = idle.fire(led::Start);
}
