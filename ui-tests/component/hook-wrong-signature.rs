//! An entry action must be a `fn(&mut Self) -> Result<(), E>`: a wrong one
//! is reported once, at the path, even when several moves run it.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Run(A, B)), initial = Idle)]
#[state(Run, initial = A)]
#[state(Idle, entry = Self::reset)]
#[transition(Idle -> Run on Go)]
#[transition(A -> B on Next)]
#[transition(Run -> Idle on Stop)]
struct Led;

impl Led {
    fn reset(&self) -> bool {
        true
    }
}

fn main() {}
