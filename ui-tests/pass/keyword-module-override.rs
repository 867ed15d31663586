//! A struct whose snake_case name is a keyword (`Type` -> `type`) names its
//! state module with `#[component(module = ...)]`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Unchecked, Checked), initial = Unchecked, terminal(Checked), module = type_states)]
#[transition(Unchecked -> Checked on Check)]
struct Type;

#[derive(Component)]
#[component(module = loop_states, states(Idle, Busy), initial = Idle)]
#[transition(Idle -> Busy on Go)]
#[transition(Busy -> Idle on Rest)]
struct Loop;

fn main() {
    let checked: Typed<Type, type_states::Checked> = Typed::new(Type).fire(type_states::Check);
    assert_eq!(checked.state(), type_states::State::Checked);
    let busy = Typed::new(Loop).fire(loop_states::Go);
    assert_eq!(busy.state(), loop_states::State::Busy);
}
