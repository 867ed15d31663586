//! The state module of `Loop` would be named `loop`, a keyword. The error
//! names the fix, and the suggested module stands in meanwhile, so the code
//! below gives no follow-on errors.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Idle, Busy), initial = Idle)]
#[transition(Idle -> Busy on Go)]
#[transition(Busy -> Idle on Rest)]
struct Loop;

fn main() {
    let _busy: Typed<Loop, loop_states::Busy> = Typed::new(Loop).fire(loop_states::Go);
}
