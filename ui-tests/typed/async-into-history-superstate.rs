//! An async move into a superstate with `history` resumes a leaf decided at
//! run time: a typed handle has no async move for it yet, and firing it is a
//! compile error that says so and points to `StateMachine::fire_async`.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
#[state(Blinking, initial = LedOn, history, entry = async Self::power_on)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop)]
struct Led;

impl Led {
    async fn power_on(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {
    let idle = Typed::new(Led);
    let _ = idle.fire(led::Start);
}
