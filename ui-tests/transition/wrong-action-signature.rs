//! An action takes `&mut self` and returns `Result<(), E>`; this one takes `&self`.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, action = Self::stop)]
struct Worker;

impl Worker {
    fn stop(&self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {}
