//! A guard takes `&self` and returns `bool`; this one returns `Option<bool>`.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, guard = Self::may_stop)]
struct Worker;

impl Worker {
    fn may_stop(&self) -> Option<bool> {
        Some(true)
    }
}

fn main() {}
