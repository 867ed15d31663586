//! `action = async path` names a blocking function: the error points at the
//! path and says its result is not a future.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Connected), initial = Idle)]
#[transition(Idle -> Connected on Connect, action = async Self::connect)]
struct Link;

impl Link {
    fn connect(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {}
