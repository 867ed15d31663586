//! An action is given as the function, not as a call of it.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, action = Self::stop())]
struct Worker;

impl Worker {
    #[allow(dead_code)]
    fn stop(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {}
