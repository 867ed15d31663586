//! A superstate with `history` may resume any of its children: a child that
//! is itself a superstate needs an `initial` to be entered by, even when no
//! transition targets it.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, Run(Walk, Fast(Jog, Sprint))), initial = Idle)]
#[state(Run, initial = Walk, history)]
#[transition(Idle -> Run on Go)]
#[transition(Walk -> Jog on Faster)]
#[transition(Run -> Idle on Stop)]
struct Runner;

fn main() {}
