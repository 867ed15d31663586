//! Unit tests of the component validator and of the expansion's robustness.
//!
//! The validator is tested as plain Rust: a `syn::DeriveInput` goes through
//! `attr::parse` and `check::check`, and the tests look at the
//! messages and at the resulting graph. The robustness tests feed
//! `component::expand` malformed attributes (a hand-written list and
//! proptest-generated token soups) and require a `compile_error!` and no panic.
//!
//! The files: this one (helpers, valid declarations, several mistakes in
//! one build), `design` (one error per design mistake), `syntax` (malformed
//! attributes and the robustness tests) and `spans` (where errors point).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;
use syn::{parse_quote, DeriveInput};

use super::model::Graph;
use super::{attr, check, diagram};
use crate::ctxt::Ctxt;

/// Parses and checks `input`: the error messages and the valid graph.
fn validate(input: &DeriveInput) -> (Vec<String>, Graph) {
    let mut cx = Ctxt::new();
    let decl = attr::parse(&mut cx, input);
    let graph = check::check(&mut cx, &decl);
    (cx.into_messages(), graph)
}

/// The error messages for `input`.
fn errors(input: DeriveInput) -> Vec<String> {
    validate(&input).0
}

/// Asserts that `input` gives exactly one error, containing every fragment.
fn assert_one_error(input: DeriveInput, fragments: &[&str]) {
    let messages = errors(input);
    assert_eq!(messages.len(), 1, "expected one error, got {messages:#?}");
    for fragment in fragments {
        assert!(
            messages[0].contains(fragment),
            "{:?} does not contain {fragment:?}",
            messages[0]
        );
    }
}

/// The graph's leaf moves as `(from, event, to)` indices.
fn moves(graph: &Graph) -> Vec<(usize, usize, usize)> {
    graph
        .edges
        .iter()
        .map(|e| (e.from, e.event, e.to))
        .collect()
}

fn names(idents: &[crate::name::Name]) -> Vec<String> {
    idents.iter().map(ToString::to_string).collect()
}

mod design;
mod history;
mod nested;
mod spans;
mod syntax;

// ---- valid declarations and the graph they give ----

#[test]
fn the_contract_example_is_valid_and_gives_its_graph() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, Ready, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
        #[transition(Created -> Ready on Init)]
        #[transition(Ready -> Running on Start, guard = Self::has_workers, action = Self::spawn)]
        #[transition(Running -> Stopped on Stop)]
        #[transition(Created | Ready | Running -> Failed on Fail)]
        pub struct Worker { workers: usize }
    });
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(
        names(&graph.states),
        ["Created", "Ready", "Running", "Stopped", "Failed"]
    );
    assert_eq!(names(&graph.events), ["Init", "Start", "Stop", "Fail"]);
    assert_eq!(graph.initial, Some(0));
    assert_eq!(graph.terminal, [3, 4]);
    // `A | B | C -> D` declares one edge per source.
    let edges = moves(&graph);
    assert_eq!(
        edges,
        [
            (0, 0, 1),
            (1, 1, 2),
            (2, 2, 3),
            (0, 3, 4),
            (1, 3, 4),
            (2, 3, 4)
        ]
    );
    let start = &graph.edges[1];
    assert!(start.guard.is_some() && start.action.is_some() && start.is_fallible());
    assert!(!graph.edges[0].is_fallible());
}

#[test]
fn self_loops_and_components_without_terminal_states_are_valid() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Stopped, Playing, Paused), initial = Stopped)]
        #[transition(Stopped -> Playing on Play)]
        #[transition(Playing -> Playing on Seek)]
        #[transition(Playing -> Paused on Pause)]
        #[transition(Paused -> Playing on Play)]
        struct Player;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    assert!(graph.terminal.is_empty());
    assert_eq!(graph.edges.len(), 4);
}

#[test]
fn a_sixty_state_machine_is_valid() {
    let states: Vec<String> = (0..60).map(|i| format!("S{i}")).collect();
    let mut source = format!(
        "#[component(states({}), initial = S0, terminal(S59))]\n",
        states.join(", ")
    );
    for i in 0..59 {
        source += &format!("#[transition(S{i} -> S{} on Next)]\n", i + 1);
    }
    source += &format!(
        "#[transition({} -> S0 on Reset)]\n",
        states[1..59].join(" | ")
    );
    source += "#[transition(S0 -> S59 on Abort)]\nstruct Big;";
    let input: DeriveInput = syn::parse_str(&source).expect("valid Rust");
    let (messages, graph) = validate(&input);
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(graph.states.len(), 60);
    assert_eq!(graph.edges.len(), 118);
}

#[test]
fn diagrams_show_every_edge_with_its_guard_and_action() {
    let (_, graph) = validate(&parse_quote! {
        #[component(states(Off, On, Broken), initial = Off, terminal(Broken))]
        #[transition(Off -> On on Press, guard = Self::powered)]
        #[transition(On -> Off on Press, action = Self::cool)]
        #[transition(Off | On -> Broken on Smash)]
        struct Lamp;
    });
    let mermaid = diagram::mermaid(&graph);
    assert_eq!(
        mermaid,
        "stateDiagram-v2\n    [*] --> Off\n    Off --> On: Press [guard]\n    On --> Off: Press / action\n    \
         Off --> Broken: Smash\n    On --> Broken: Smash\n    Broken --> [*]\n"
    );
    let dot = diagram::dot("Lamp", &graph);
    // The recovery log's style (core's `recovery::diagram`): quoted names,
    // a bold circle for the initial state, double circles for terminal ones.
    assert_eq!(
        dot,
        "digraph \"Lamp\" {\n    rankdir=LR;\n    \"Off\" [shape=circle, style=bold];\n    \
         \"Broken\" [shape=doublecircle];\n    \"Off\" -> \"On\" [label=\"Press [guard]\"];\n    \
         \"On\" -> \"Off\" [label=\"Press / action\"];\n    \"Off\" -> \"Broken\" [label=\"Smash\"];\n    \
         \"On\" -> \"Broken\" [label=\"Smash\"];\n}\n"
    );
}

#[test]
fn the_module_is_the_snake_case_name_or_the_declared_one() {
    let mut cx = Ctxt::new();
    let input: DeriveInput = parse_quote! {
        #[component(states(A), initial = A)]
        struct HttpServer;
    };
    assert_eq!(attr::parse(&mut cx, &input).module, "http_server");
    let input: DeriveInput = parse_quote! {
        #[component(states(A), initial = A, module = server_states)]
        struct HttpServer;
    };
    assert_eq!(attr::parse(&mut cx, &input).module, "server_states");
    assert!(!cx.has_errors());
}

// ---- several mistakes in one build, and no cascades ----

#[test]
fn independent_mistakes_are_reported_together() {
    let messages = errors(parse_quote! {
        #[component(states(Created, Running, Running, Stopped), initial = Created, terminal(Stopped), snapshto = Foo)]
        #[transition(Created -> Running on Start)]
        #[transition(Running -> Stoped on Stop)]
        #[transition(Running -> Stopped on Halt)]
        struct Worker;
    });
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(
        messages[0].contains("unknown key `snapshto`")
            && messages[0].contains("did you mean `snapshot`?")
    );
    assert!(messages[1].contains("duplicate state `Running`"));
    assert!(messages[2].contains("unknown state `Stoped`"));
}

#[test]
fn graph_checks_still_run_next_to_unrelated_syntax_errors() {
    let messages = errors(parse_quote! {
        #[component(states(Created, Paused, Stopped), initial = Created, terminal(Stopped), snapshto = Foo)]
        #[transition(Created -> Stopped on Stop, gaurd = Self::ready)]
        struct Player;
    });
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].contains("unknown key `snapshto`"));
    assert!(
        messages[1].contains("unknown key `gaurd`")
            && messages[1].contains("did you mean `guard`?")
    );
    assert!(messages[2].contains("state `Paused` of `Player` is unreachable"));
}

#[test]
fn a_lost_transition_does_not_make_other_states_look_unreachable() {
    // `Running` is only entered through the misspelled transition.
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Creatd -> Running on Start)]
            #[transition(Running -> Stopped on Stop)]
            struct Worker;
        },
        &["unknown state `Creatd`"],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Created Running on Start)]
            #[transition(Running -> Stopped on Stop)]
            struct Worker;
        },
        &["missing `->` between the source state `Created` and `Running`"],
    );
}

#[test]
fn a_malformed_component_item_does_not_also_report_missing_pieces() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), inital = Created, terminal(Stopped))]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &["unknown key `inital`", "did you mean `initial`?"],
    );
    assert_one_error(
        parse_quote! {
            #[component(states = Created, initial = Created)]
            struct Worker;
        },
        &["`states` of `Worker` takes a parenthesised list of state names"],
    );
    assert_one_error(
        parse_quote! {
            #[component = "states(Created)"]
            struct Worker;
        },
        &["`#[component]` of `Worker` takes a parenthesised declaration"],
    );
}
