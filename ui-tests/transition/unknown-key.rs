//! `gaurd` is a misspelling of `guard`.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Stopped on Stop, gaurd = Self::ready)]
struct Worker;

impl Worker {
    #[allow(dead_code)]
    fn ready(&self) -> bool {
        true
    }
}

fn main() {}
