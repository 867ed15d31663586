//! The guard path names no function.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, guard = Self::may_stopp)]
struct Worker;

impl Worker {
    #[allow(dead_code)]
    fn may_stop(&self) -> bool {
        true
    }
}

fn main() {}
