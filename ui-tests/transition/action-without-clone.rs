//! The default snapshot clones the data before an action, so a component
//! with an action must be `Clone` (or name a `snapshot = ...` strategy).
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, action = Self::stop)]
struct Worker;

impl Worker {
    fn stop(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {}
