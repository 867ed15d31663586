//! An action's error must implement `std::error::Error`; `String` does not.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, action = Self::stop)]
struct Worker;

impl Worker {
    fn stop(&mut self) -> Result<(), String> {
        Ok(())
    }
}

fn main() {}
