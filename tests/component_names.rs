//! Names as the user wrote them: `r#x` and `x` are one name, printed without
//! `r#` (in `Label::name`, `Debug`, `Display`, diagrams), and a module name
//! derived from an unusual struct name is still a valid identifier.

#![allow(non_camel_case_types)]

use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, r#Ready, r#type), initial = Created, terminal(r#type))]
#[transition(Created -> Ready on r#Init)]
#[transition(r#Ready -> r#type on r#loop)]
struct Raw;

#[test]
fn raw_names_print_without_r_hash() {
    assert_eq!(raw::State::r#type.name(), "type");
    assert_eq!(raw::State::Ready.name(), "Ready");
    assert_eq!(raw::Event::r#loop.to_string(), "loop");
    assert_eq!(format!("{:?}", raw::r#type), "type");
    assert_eq!(raw::State::from_name("type"), Some(raw::State::r#type));
    assert!(!Raw::MERMAID.contains("r#") && !Raw::DOT.contains("r#"));
    assert!(Raw::MERMAID.contains("Ready --> type: loop"));
}

#[test]
fn a_raw_state_is_rehydrated_by_its_plain_name() {
    let machine = StateMachine::rehydrate_named("type", Raw).expect("declared state");
    assert_eq!(machine.state(), raw::State::r#type);
    let mut machine = StateMachine::new(Raw);
    machine.fire(raw::Init).expect("declared");
    machine.fire(raw::r#loop).expect("declared");
    assert_eq!(machine.state().name(), "type");
}

/// `_1A` snake-cases to `1a`, which is no identifier; the module keeps the
/// leading underscore.

#[derive(Component, Clone)]
#[component(states(A), initial = A)]
struct _1A;

#[test]
fn a_struct_name_with_a_leading_digit_gives_a_valid_module() {
    assert_eq!(_1a::State::A.name(), "A");
}
