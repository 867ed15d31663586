//! `entry = async path` names a blocking function: the error points at the
//! path and says its result is not a future.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
#[state(Blinking, initial = LedOn, entry = async Self::power_on)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(Blinking -> Idle on Stop)]
struct Led;

impl Led {
    fn power_on(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {}
