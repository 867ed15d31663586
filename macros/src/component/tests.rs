//! Unit tests of the component validator and of the expansion's robustness.
//!
//! The validator is tested as plain Rust: a `syn::DeriveInput` goes through
//! `attr::parse` and `check::check`, and the tests look at the
//! messages and at the resulting graph. The robustness tests feed
//! `component::expand` malformed attributes (a hand-written list and
//! proptest-generated token soups) and require a `compile_error!` and no panic.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;
use syn::{parse_quote, DeriveInput};

use super::check::Graph;
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

fn names(idents: &[crate::name::Name]) -> Vec<String> {
    idents.iter().map(ToString::to_string).collect()
}

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
    let edges: Vec<(usize, usize, usize)> = graph
        .edges
        .iter()
        .map(|e| (e.from, e.event, e.to))
        .collect();
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

// ---- one error per design mistake ----

#[test]
fn unknown_states_are_named_with_a_suggestion() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Created -> Runing on Start)]
            #[transition(Running -> Stopped on Stop)]
            struct Worker;
        },
        &[
            "unknown state `Runing` as a transition target of `Worker`",
            "did you mean `Running`?",
        ],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Zebra -> Stopped on Stop)]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &[
            "unknown state `Zebra` as a transition source of `Worker`",
            "add it to `states(...)`",
        ],
    );
}

#[test]
fn a_duplicate_state_is_reported_once_and_still_usable() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Ready, Ready, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Created -> Ready on Init)]
            #[transition(Ready -> Stopped on Stop)]
            struct Worker;
        },
        &["duplicate state `Ready` in `Worker`"],
    );
}

#[test]
fn initial_and_terminal_must_be_declared_states() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), initial = Creatd, terminal(Stopped))]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &[
            "unknown state `Creatd` as the initial state of `Worker`",
            "did you mean `Created`?",
        ],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), initial = Created, terminal(Stoped))]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &[
            "unknown state `Stoped` in `terminal(...)` of `Worker`",
            "did you mean `Stopped`?",
        ],
    );
}

#[test]
fn a_missing_initial_state_is_reported_once() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), terminal(Stopped))]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &["`Worker` has no initial state", "initial = <state>"],
    );
}

#[test]
fn a_missing_component_attribute_is_one_error() {
    assert_one_error(
        parse_quote! {
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &["`Worker` derives `Component` but has no `#[component(...)]`"],
    );
}

#[test]
fn empty_lists_are_one_error_each() {
    assert_one_error(
        parse_quote! {
            #[component(states(), initial = Created)]
            struct Worker;
        },
        &["`Worker` has an empty `states()`"],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), initial = Created, terminal())]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &["`Worker` has an empty `terminal()`"],
    );
}

#[test]
fn one_missing_transition_is_one_unreachable_error() {
    // `Created -> Loading` is missing: `Loading` is cut off, and `Ready`,
    // `Running` (and the cycle back) are unreachable only behind it.
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Loading, Ready, Running, Done), initial = Created, terminal(Done))]
            #[transition(Created -> Done on Abort)]
            #[transition(Loading -> Ready on Loaded)]
            #[transition(Ready -> Running on Start)]
            #[transition(Running -> Ready on Pause)]
            #[transition(Running -> Done on Finish)]
            struct Job;
        },
        &[
            "state `Loading` of `Job` is unreachable from the initial state `Created`",
            "(`Ready`, `Running` after it are unreachable too)",
        ],
    );
    // An unreachable cycle with no way in is reported once, at its first state.
    assert_one_error(
        parse_quote! {
            #[component(states(A, B, C), initial = A)]
            #[transition(B -> C on Go)]
            #[transition(C -> B on Back)]
            struct Ring;
        },
        &["state `B` of `Ring` is unreachable", "(`C` after it"],
    );
}

#[test]
fn one_attribute_declares_several_transitions_separated_by_semicolons() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(A, B, C), initial = A, terminal(C))]
        #[transition(A -> B on Go; B -> C on Go, guard = Self::ok;)]
        struct Chain;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(graph.edges.len(), 2);
    assert!(graph.edges[1].guard.is_some());

    // A broken piece is reported at its own token, the others are kept.
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(A, B, C), initial = A)]
        #[transition(A -> B on Go; B C on Go; B -> C on Go)]
        struct Chain;
    });
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains("missing `->` between the source state `B` and `C`"));
    assert_eq!(graph.edges.len(), 2);

    assert_one_error(
        parse_quote! {
            #[component(states(A), initial = A)]
            #[transition(;)]
            struct Chain;
        },
        &["`#[transition]` of `Chain` declares no transition"],
    );
}

#[test]
fn raw_and_plain_identifiers_are_one_name_printed_without_r_hash() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, r#Ready, r#type), initial = Created, terminal(r#type))]
        #[transition(Created -> Ready on r#Go)]
        #[transition(r#Ready -> r#type on Go)]
        struct Worker;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(names(&graph.states), ["Created", "Ready", "type"]);
    assert_eq!(names(&graph.events), ["Go"]);
    // The generated code keeps the `r#` only where a keyword needs it.
    assert_eq!(graph.states[1].ident().to_string(), "Ready");
    assert_eq!(graph.states[2].ident().to_string(), "r#type");
    let mermaid = diagram::mermaid(&graph);
    assert!(mermaid.contains("Ready --> type: Go"), "{mermaid}");
    assert!(!mermaid.contains("r#"), "{mermaid}");

    assert_one_error(
        parse_quote! {
            #[component(states(Foo, r#Foo), initial = Foo)]
            struct Twice;
        },
        &["duplicate state `Foo` in `Twice`"],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(A, r#type), initial = A)]
            #[transition(A -> typo on Go)]
            struct Typo;
        },
        &["unknown state `typo`", "did you mean `type`?"],
    );
}

#[test]
fn a_module_named_like_the_struct_is_an_error_with_a_valid_fix() {
    assert_one_error(
        parse_quote! {
            #[component(states(A), initial = A, module = Worker)]
            struct Worker;
        },
        &[
            "the state module of `Worker` cannot be named `Worker` like the struct itself",
            "`module = worker_states`",
        ],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(A), initial = A)]
            struct worker;
        },
        &[
            "would be named `worker` like the type itself",
            "#[component(module = worker_states)]",
        ],
    );
    // A name that snake-cases to a leading digit keeps its underscore.
    let mut cx = Ctxt::new();
    let input: DeriveInput = parse_quote! {
        #[component(states(A), initial = A)]
        struct _1A;
    };
    assert_eq!(attr::parse(&mut cx, &input).module, "_1a");
    assert!(cx.into_messages().is_empty());
}

#[test]
fn unreachable_states_are_named() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Running, Paused, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Created -> Running on Start)]
            #[transition(Running -> Stopped on Stop)]
            #[transition(Paused -> Running on Resume)]
            struct Player;
        },
        &["state `Paused` of `Player` is unreachable from the initial state `Created`"],
    );
}

#[test]
fn states_that_cannot_finish_are_named_only_when_terminal_states_exist() {
    let stuck: DeriveInput = parse_quote! {
        #[component(states(Created, Running, Stuck, Stopped), initial = Created, terminal(Stopped))]
        #[transition(Created -> Running on Start)]
        #[transition(Running -> Stopped on Stop)]
        #[transition(Running -> Stuck on Hang)]
        #[transition(Stuck -> Stuck on Poke)]
        struct Worker;
    };
    assert_one_error(
        stuck,
        &["state `Stuck` of `Worker` can never finish", "(`Stopped`)"],
    );
    // Without `terminal(...)` a component may run forever.
    let (messages, _) = validate(&parse_quote! {
        #[component(states(Created, Running, Stuck), initial = Created)]
        #[transition(Created -> Running on Start)]
        #[transition(Running -> Stuck on Hang)]
        #[transition(Stuck -> Stuck on Poke)]
        struct Worker;
    });
    assert!(messages.is_empty(), "{messages:#?}");
}

#[test]
fn a_terminal_state_has_no_outgoing_transition() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
        #[transition(Created -> Running on Start)]
        #[transition(Running -> Stopped on Stop)]
        #[transition(Stopped -> Running on Restart)]
        struct Worker;
    });
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0]
        .contains("terminal state `Stopped` of `Worker` has an outgoing transition on `Restart`"));
    // The edge is still generated, so code that fires it has no follow-on error.
    assert_eq!(graph.edges.len(), 3);
}

#[test]
fn a_state_and_event_with_two_targets_point_at_both() {
    let messages = errors(parse_quote! {
        #[component(states(Created, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
        #[transition(Created -> Running on Start)]
        #[transition(Running -> Stopped on Stop)]
        #[transition(Running -> Failed on Stop)]
        struct Worker;
    });
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0]
        .contains("`Worker` in state `Running` on `Stop` goes to both `Stopped` and `Failed`"));
    assert!(messages[1].contains("first goes to `Stopped` here"));
    // `Failed` is still reachable as declared: no follow-on "unreachable".
}

#[test]
fn a_repeated_transition_is_a_duplicate() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Created -> Stopped on Stop)]
            #[transition(Created -> Stopped on Stop)]
            struct Worker;
        },
        &["duplicate transition `Created -> Stopped on Stop` in `Worker`"],
    );
}

#[test]
fn a_name_is_a_state_or_an_event_not_both() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
        #[transition(Created -> Running on Running)]
        #[transition(Running -> Stopped on Stop)]
        struct Worker;
    });
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains("`Running` is used both as a state and as an event of `Worker`"));
    assert_eq!(names(&graph.events), ["Stop"]);
}

#[test]
fn reserved_names_are_reported_where_declared_only() {
    assert_one_error(
        parse_quote! {
            #[component(states(Idle, State), initial = Idle)]
            #[transition(Idle -> State on Go)]
            struct Machine;
        },
        &["`State` cannot be a state of `Machine`"],
    );
    assert_one_error(
        parse_quote! {
            #[component(states(Idle, Busy), initial = Idle)]
            #[transition(Idle -> Busy on Event)]
            #[transition(Busy -> Idle on Rest)]
            struct Machine;
        },
        &["`Event` cannot be an event of `Machine`"],
    );
}

#[test]
fn a_keyword_module_name_is_an_error_with_the_fix() {
    let mut cx = Ctxt::new();
    let input: DeriveInput = parse_quote! {
        #[component(states(Idle, Busy), initial = Idle)]
        #[transition(Idle -> Busy on Go)]
        #[transition(Busy -> Idle on Rest)]
        struct Loop;
    };
    let decl = attr::parse(&mut cx, &input);
    let messages = cx.into_messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains("would be named `loop`"));
    assert!(messages[0].contains("#[component(module = loop_states)]"));
    // The suggested name stands in, so the user's other code still resolves.
    assert_eq!(decl.module, "loop_states");
}

#[test]
fn a_misspelled_state_is_replaced_by_its_match_in_the_generated_code() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, Running, Stopped), initial = Creatd, terminal(Stopped))]
        #[transition(Created -> Runing on Start)]
        #[transition(Running -> Stopped on Stop)]
        #[transition(Created -> Zebra on Skip)]
        struct Worker;
    });
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].contains("unknown state `Creatd`"));
    assert!(messages[1].contains("unknown state `Runing`"));
    assert!(
        messages[2].contains("unknown state `Zebra`")
            && messages[2].contains("add it to `states(...)`")
    );
    // The initial state and the `Start` edge use the suggestion; `Skip` has
    // no plausible target and is left out.
    assert_eq!(graph.initial, None);
    assert_eq!(graph.stand_in_initial, Some(0));
    let edges: Vec<(usize, usize, usize)> = graph
        .edges
        .iter()
        .map(|e| (e.from, e.event, e.to))
        .collect();
    assert_eq!(edges, [(0, 0, 1), (1, 1, 2)]);
}

#[test]
fn a_stand_in_never_conflicts_with_a_declared_transition() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, Running, Stopped), initial = Created, terminal(Stopped))]
        #[transition(Created -> Running on Start)]
        #[transition(Created -> Stoped on Start)]
        #[transition(Running -> Stopped on Stop)]
        struct Worker;
    });
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains("unknown state `Stoped`"));
    assert_eq!(graph.edges.len(), 2);
}

#[test]
fn an_event_used_as_a_state_is_named_as_an_event() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Stopped), initial = Created, terminal(Stopped))]
            #[transition(Created -> Stopped on Finish)]
            #[transition(Created -> Finish on Halt)]
            struct Worker;
        },
        &[
            "unknown state `Finish`",
            "`Finish` is an event of `Worker`, not a state",
        ],
    );
}

#[test]
fn names_listed_twice_in_one_list_are_reported_once() {
    assert_one_error(
        parse_quote! {
            #[component(states(Created, Ready, Failed), initial = Created, terminal(Failed, Failed))]
            #[transition(Created -> Ready on Init)]
            #[transition(Created | Ready -> Failed on Fail)]
            struct Worker;
        },
        &["terminal state `Failed` of `Worker` is listed twice in `terminal(...)`"],
    );
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Created, Ready, Failed), initial = Created, terminal(Failed))]
        #[transition(Created -> Ready on Init)]
        #[transition(Created | Ready | Created -> Failed on Fail)]
        struct Worker;
    });
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains(
        "state `Created` is listed twice among the sources of the transition on `Fail` of `Worker`"
    ));
    assert_eq!(graph.edges.len(), 3);
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

// ---- malformed syntax ----

/// The errors for a component with `items` in `#[component(...)]`.
fn component_errors(items: &str) -> Vec<String> {
    let source = format!("#[component({items})] struct Worker;");
    errors(syn::parse_str(&source).expect("valid attribute syntax"))
}

/// The errors for a valid component with one extra `#[transition(...)]`.
fn transition_errors(transition: &str) -> Vec<String> {
    let source = format!(
        "#[component(states(Created, Stopped), initial = Created, terminal(Stopped))] \
         #[transition(Created -> Stopped on Stop)] #[transition({transition})] struct Worker;"
    );
    errors(syn::parse_str(&source).expect("valid attribute syntax"))
}

#[test]
fn transition_syntax_errors_say_what_is_missing() {
    let cases: &[(&str, &str)] = &[
        (
            "Created -> Stopped Halt",
            "missing `on` between the target state `Stopped` and the event `Halt`",
        ),
        (
            "Created Stopped on Halt",
            "missing `->` between the source state `Created` and `Stopped`",
        ),
        (
            "Created",
            "incomplete transition of `Worker`: expected `-> To on Event` after `Created`",
        ),
        ("Created ->", "expected a target state after `->`"),
        (
            "Created -> Stopped",
            "expected `on Event` after the target state `Stopped`",
        ),
        ("Created -> Stopped on", "expected an event name after `on`"),
        (
            "Created -> Stopped on Halt Now",
            "unexpected `Now` after the event `Halt`",
        ),
        (
            "Created | -> Stopped on Halt",
            "expected a source state after `|`",
        ),
        ("-> Stopped on Halt", "expected a source state"),
        (
            "Created => Stopped on Halt",
            "expected `->` after the source state `Created`",
        ),
        (
            "Created -> Stopped on Halt, gaurd = Self::f",
            "did you mean `guard`?",
        ),
        ("Created -> Stopped on Halt, guard", "needs a function"),
        (
            "Created -> Stopped on Halt, guard =",
            "expected a path to a function after `guard =`",
        ),
        (
            "Created -> Stopped on Halt, guard = true",
            "must be a path to a `fn(&Worker) -> bool`",
        ),
        (
            "Created -> Stopped on Halt, guard = 42",
            "must be a path to a `fn(&Worker) -> bool`",
        ),
        (
            "Created -> Stopped on Halt, guard = |w| true",
            "must name a function, not a closure",
        ),
        (
            "Created -> Stopped on Halt, action = Self::stop()",
            "not a call: write `action = Self::stop`",
        ),
        (
            "Created -> Stopped on Halt, action = \"stop\"",
            "`fn(&mut Worker) -> Result<(), E>`",
        ),
        (
            "Created -> Stopped on Halt, guard = a::f, guard = a::g",
            "`guard` is declared more than once",
        ),
        (
            "Created -> Stopped on Halt guard = a::f",
            "options follow a comma",
        ),
        ("type -> Stopped on Halt", "a keyword cannot name a state"),
    ];
    for (transition, expected) in cases {
        let messages = transition_errors(transition);
        assert_eq!(messages.len(), 1, "{transition}: {messages:#?}");
        assert!(
            messages[0].contains(expected),
            "{transition}: {:?} lacks {expected:?}",
            messages[0]
        );
        assert!(
            messages[0].contains("Worker"),
            "{transition}: {:?} does not name the component",
            messages[0]
        );
    }
}

#[test]
fn component_syntax_errors_say_what_is_missing() {
    let cases: &[(&str, &str)] = &[
        (
            "states(A B), initial = A",
            "expected `,` between the state names in `states(...)`",
        ),
        ("states(A), initial A", "expected `=` after `initial`"),
        ("states(A), initial(A)", "expected `=` after `initial`"),
        (
            "states(A), initial = 3",
            "expected a state name after `initial =`",
        ),
        (
            "states(A), initial = A terminal(A)",
            "separate the items with `,`",
        ),
        (
            "states(A), initial = A, terminal = A",
            "`terminal` of `Worker` takes a parenthesised list",
        ),
        (
            "states(A), initial = A, snapshot = 42",
            "expected a type implementing `Snapshot<Worker>`",
        ),
        (
            "states(A), initial = A, module = 7",
            "expected a module name after `module =`",
        ),
        (
            "states(A), initial = A, initial = A",
            "`initial` of `Worker` is declared more than once",
        ),
        (
            "states(A), states(B), initial = A",
            "`states` of `Worker` is declared more than once",
        ),
        (
            "states(A), initial = A, 42",
            "expected an item of `#[component(...)]` of `Worker`",
        ),
        (
            "states(A), initial = A, termnal(A)",
            "did you mean `terminal`?",
        ),
        (
            "states(A, type), initial = A",
            "a keyword cannot name a state",
        ),
    ];
    for (items, expected) in cases {
        let messages = component_errors(items);
        assert_eq!(messages.len(), 1, "{items}: {messages:#?}");
        assert!(
            messages[0].contains(expected),
            "{items}: {:?} lacks {expected:?}",
            messages[0]
        );
        assert!(
            messages[0].contains("Worker"),
            "{items}: {:?} does not name the component",
            messages[0]
        );
    }
}

// ---- the expansion never panics and always reports malformed input ----

/// Expands `source` (a struct with its attributes), failing the test if the
/// expansion panics or emits tokens that are not items.
fn expand_source(source: &str) -> String {
    let input = TokenStream::from_str(source).expect("balanced tokens");
    let output = catch_unwind(AssertUnwindSafe(|| super::expand(input)))
        .unwrap_or_else(|_| panic!("the derive panicked on {source}"));
    if let Err(error) = syn::parse2::<syn::File>(output.clone()) {
        panic!("the derive emitted invalid items for {source}: {error}\n{output}");
    }
    output.to_string()
}

fn assert_reports_error(source: &str) {
    let output = expand_source(source);
    assert!(output.contains("compile_error"), "no error for {source}");
}

/// Malformed `#[component(...)]` contents, next to a valid transition.
#[rustfmt::skip]
const MALFORMED_COMPONENT: &[&str] = &[
    "", ",", ",,", "states", "states()", "states[A]", "states{A}", "states(A,,B)", "states(,A)",
    "states(A B)", "states(A::B)", "states(A<B>)", "states(1)", "states(\"A\")",
    "states(A), initial", "states(A), initial =", "states(A), initial = ",
    "states(A), initial == A", "states(A), initial = A B", "states(A), initial = (A)",
    "states(A), initial = A::B", "states(A), initial = B", "states(A), initial = A, terminal",
    "states(A), initial = A, terminal()", "states(A), initial = A, terminal(B)",
    "states(A), initial = A, terminal(A, A)", "states(A), initial = A, module",
    "states(A), initial = A, module =", "states(A), initial = A, module = type",
    "states(A), initial = A, module = a::b", "states(A), initial = A, snapshot",
    "states(A), initial = A, snapshot =", "states(A), initial = A, snapshot = ,",
    "states(A), initial = A, snapshot = <", "states(A), initial = A, unknown",
    "states(A), initial = A, unknown = 1", "states(A), initial = A, type = A",
    "states(A), initial = A, r#type = A", "states(A), initial = A; terminal(A)",
    "states(State), initial = State", "states(Event, A), initial = A", "initial = A",
    "terminal(A)", "states(A, A), initial = A", "states(A, B), initial = A",
    "states(A), initial = A, states(B)", "#", "#[x]", "->", "A -> B on C", "'a", "42",
    "states(A), initial = 'a", "states(A), initial = A,, terminal(A)",
    "states(A), initial = A, terminal(A),, ,", "states(A) initial = A",
    "states(self), initial = self", "states(Self), initial = Self", "states(_), initial = _",
];

/// Malformed `#[transition(...)]` contents, next to a valid component.
#[rustfmt::skip]
const MALFORMED_TRANSITION: &[&str] = &[
    "", ",", "A", "A ->", "A -> B", "A -> B on", "A -> B on C D", "A B on C", "A -> on C",
    "-> B on C", "A | -> B on C", "| A -> B on C", "A || B -> B on C", "A -> B | C on D",
    "A -> B on C, guard", "A -> B on C, guard =", "A -> B on C, guard = ,",
    "A -> B on C, guard = 1", "A -> B on C, guard = true", "A -> B on C, guard = |x| true",
    "A -> B on C, guard = f()", "A -> B on C, guard = Self::f Self::g",
    "A -> B on C, guard = #[attr] f", "A -> B on C, guard = <Self as T>::f, action = ",
    "A -> B on C, action = Self::f::<", "A -> B on C, gaurd = f", "A -> B on C, on = f",
    "A -> B on C, guard = f, guard = g", "A -> B on C, action = f, action = g",
    "A -> B on C, guard == f", "A -> B on C; guard = f", "A -> B on C guard = f", "A -> Z on C",
    "Z -> B on C", "A -> B on State", "A -> B on A", "B -> A on C", "A -> B on C, , ,",
    "(A) -> B on C", "A -> (B) on C", "A -> B on (C)", "A -> B on C, (guard = f)", "A - > B on C",
    "A > B on C", "A -> B -> C on D", "type -> B on C", "A -> B on type", "A -> B on self",
    "A -> B on C, 42 = f", "A -> B on C, guard = 'a", "A -> B on C, type = f",
];

#[test]
fn malformed_component_attributes_give_errors_and_no_panic() {
    for items in MALFORMED_COMPONENT {
        assert_reports_error(&format!(
            "#[component({items})] #[transition(A -> A on Go)] struct Worker;"
        ));
    }
}

#[test]
fn malformed_transition_attributes_give_errors_and_no_panic() {
    for transition in MALFORMED_TRANSITION {
        assert_reports_error(&format!(
            "#[component(states(A, B), initial = A, terminal(B))] #[transition(A -> B on Go)] \
             #[transition({transition})] struct Worker;"
        ));
    }
}

#[test]
fn malformed_attribute_forms_give_errors_and_no_panic() {
    let sources = [
        "struct Worker;",
        "#[component] struct Worker;",
        "#[component = 1] struct Worker;",
        "#[component[states(A)]] struct Worker;",
        "#[component{states(A)}] struct Worker;",
        "#[component(states(A), initial = A)] #[transition] struct Worker;",
        "#[component(states(A), initial = A)] #[transition = 1] struct Worker;",
        "#[component(states(A), initial = A)] #[transition()] struct Worker;",
        "#[component(states(A), initial = A)] #[transition[A -> A on B]] struct Worker;",
        "#[component(states(A), initial = A)] struct Loop;",
        "#[component(states(A), initial = A)] struct Self_;",
        "#[component(states(A), initial = A)] struct r#Type;",
        "#[component(states(A), initial = A)] struct __;",
        "#[component(states(A), initial = A)] struct Crate;",
        "#[component(states(A), initial = A)] struct Super;",
        "#[component(states(A))] enum Worker { X }",
        "#[component(states(A), initial = B)] union Worker { x: u8 }",
        "#[component(states(A), initial = A)] #[component(initial = A)] struct Worker;",
        "#[component(states(A), initial = A)] #[transition(A -> A on B)] #[transition(A -> A on B)] struct Worker<T>(T);",
    ];
    for source in sources {
        assert_reports_error(source);
    }
}

#[test]
fn input_that_is_not_a_struct_gives_an_error_and_no_panic() {
    for source in [
        "",
        "fn f() {}",
        "struct",
        "struct Worker",
        "#[component(states(A))]",
    ] {
        let input = TokenStream::from_str(source).expect("balanced tokens");
        let output = catch_unwind(AssertUnwindSafe(|| super::expand(input)))
            .unwrap_or_else(|_| panic!("the derive panicked on {source}"));
        assert!(output.to_string().contains("compile_error"), "{source}");
    }
}

#[test]
fn valid_input_expands_without_errors() {
    for source in [
        "#[component(states(A, B), initial = A, terminal(B))] #[transition(A -> B on Go, guard = Self::f, action = <Self as T>::g)] struct Worker;",
        "#[component(states(A), initial = A)] #[transition(A -> A on Go)] pub(crate) struct Worker<T: Clone>(T);",
        "#[component(module = type_states, states(A), initial = A)] struct Type;",
        "#[component(states(A), initial = A)] #[component(snapshot = crate::Snap<u8, u16>)] enum Worker { X }",
        "#[component(states(A, B), initial = A)] #[transition(A -> B on Go, guard = Self::f::<u8, u16>)] struct Worker;",
        "#[component(states(A), initial = A)] #[transition(A -> A on Worker)] struct Worker<'a, T: 'a, const N: usize> where T: Clone { x: &'a [T; N] }",
    ] {
        let output = expand_source(source);
        assert!(!output.contains("compile_error"), "{source}:\n{output}");
    }
}

/// A token of the soups: names that mean something to the macro, keywords,
/// punctuation and literals, or a group of such tokens.
fn soup_token() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("A"),
        Just("B"),
        Just("Go"),
        Just("states"),
        Just("initial"),
        Just("terminal"),
        Just("module"),
        Just("snapshot"),
        Just("guard"),
        Just("action"),
        Just("on"),
        Just("State"),
        Just("Event"),
        Just("Self"),
        Just("self"),
        Just("type"),
        Just("_"),
        Just("->"),
        Just("|"),
        Just(","),
        Just("="),
        Just("::"),
        Just(";"),
        Just("<"),
        Just(">"),
        Just("&"),
        Just("#"),
        Just("!"),
        Just("-"),
        Just("42"),
        Just("\"s\""),
        Just("'a"),
        Just("true"),
        Just("r#A"),
    ]
    .prop_map(String::from);
    leaf.prop_recursive(3, 24, 6, |inner| {
        (0..3usize, prop::collection::vec(inner, 0..6)).prop_map(|(delimiter, tokens)| {
            let tokens = tokens.join(" ");
            match delimiter {
                0 => format!("({tokens})"),
                1 => format!("[{tokens}]"),
                _ => format!("{{{tokens}}}"),
            }
        })
    })
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(soup_token(), 0..14).prop_map(|tokens| tokens.join(" "))
}

/// The tokens of a valid declaration, to mutate one token at a time.
#[rustfmt::skip]
const VALID: &[&str] = &[
    "#", "[", "component", "(", "states", "(", "A", ",", "B", ")", ",", "initial", "=", "A", ",",
    "terminal", "(", "B", ")", ")", "]", "#", "[", "transition", "(", "A", "->", "B", "on", "Go",
    ",", "guard", "=", "Self", "::", "f", ")", "]", "struct", "Worker", ";",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random token soups in both attributes. Without `on` no transition can
    /// be valid, so the expansion must report an error; in every case it
    /// must not panic and must emit well-formed items.
    #[test]
    fn token_soups_never_panic(component_items in soup(), transition in soup()) {
        let source = format!("#[component({component_items})] #[transition({transition})] struct Worker;");
        let output = expand_source(&source);
        if !transition.split_whitespace().any(|token| token.trim_matches(|c| "([{}])".contains(c)) == "on") {
            prop_assert!(output.contains("compile_error"), "no error for {}", source);
        }
    }

    /// A valid declaration with one token deleted, replaced or inserted.
    #[test]
    fn mutated_declarations_never_panic(
        index in 0..VALID.len(),
        operation in 0..3usize,
        token in soup_token(),
    ) {
        let mut tokens: Vec<String> = VALID.iter().map(|t| (*t).to_owned()).collect();
        match operation {
            0 => { tokens.remove(index); }
            1 => tokens[index] = token,
            _ => tokens.insert(index, token),
        }
        let source = tokens.join(" ");
        // Deleting or replacing a bracket may unbalance the source: such a
        // source never reaches a derive, since rustc rejects it first.
        if let Ok(input) = TokenStream::from_str(&source) {
            let output = catch_unwind(AssertUnwindSafe(|| super::expand(input)));
            prop_assert!(output.is_ok(), "the derive panicked on {}", source);
        }
    }
}

// ---- every error points at the user's token ----

/// Each error of `source` as (message, the source text where it starts,
/// its column). The spans come from `syn::parse_str`, so they are positions
/// in `source` (proc-macro2's `span-locations`).
fn error_positions(source: &str) -> Vec<(String, String, usize)> {
    let input: DeriveInput = syn::parse_str(source).expect("valid Rust");
    let mut cx = Ctxt::new();
    let decl = attr::parse(&mut cx, &input);
    check::check(&mut cx, &decl);
    // `to_compile_error` gives `::core::compile_error!{"message"}`: the
    // tokens up to `!` carry the start of the error's span.
    let mut positions = Vec::new();
    let mut start = None;
    for tree in cx.into_compile_errors() {
        match tree {
            proc_macro2::TokenTree::Ident(ident) if ident == "compile_error" => {
                let span = ident.span();
                start = Some((span.source_text().unwrap_or_default(), span.start().column));
            }
            proc_macro2::TokenTree::Group(group) => {
                let message = group.stream().to_string();
                let (text, column) = start.take().expect("compile_error! before its message");
                positions.push((message, text, column));
            }
            _ => {}
        }
    }
    positions
}

/// The column of the `nth` (0-based) occurrence of `token` in `source`.
fn column_of(source: &str, token: &str, nth: usize) -> usize {
    source
        .match_indices(token)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{token}` occurs fewer than {} times", nth + 1))
        .0
}

#[test]
fn errors_point_at_the_offending_token() {
    // (source, the token the single error must start at, which occurrence)
    let cases: &[(&str, &str, usize)] = &[
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> Bb on Go)] struct W;",
            "Bb", 0,
        ),
        (
            "#[component(states(A, B, B), initial = A)] #[transition(A -> B on Go)] struct W;",
            "B", 1,
        ),
        (
            "#[component(states(A, B), initial = C)] #[transition(A -> B on Go)] struct W;",
            "C", 0,
        ),
        (
            "#[component(states(A, B), initial = A, terminal(Z))] #[transition(A -> B on Go)] struct W;",
            "Z", 0,
        ),
        (
            "#[component(states(A, B), terminal(B))] #[transition(A -> B on Go)] struct W;",
            "component", 0,
        ),
        (
            "#[component(states(A, B, C), initial = A)] #[transition(A -> B on Go)] struct W;",
            "C", 0,
        ),
        (
            "#[component(states(A, B, C), initial = A, terminal(C))] #[transition(A -> B on Go)] #[transition(A -> C on Stop)] struct W;",
            "B", 0,
        ),
        (
            "#[component(states(A, B), initial = A, terminal(B))] #[transition(A -> B on Go)] #[transition(B -> A on Back)] struct W;",
            "B", 3,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on B)] struct W;",
            "B", 2,
        ),
        ("#[component(states(), initial = A)] struct W;", "states", 0),
        ("#[transition(A -> B on Go)] struct W;", "W", 0),
        ("#[component(states(A), initial = A)] struct Loop;", "Loop", 0),
        (
            "#[component(states(A, B), initial = A, inital = B)] #[transition(A -> B on Go)] struct W;",
            "inital", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A B on Go)] struct W;",
            "B", 1,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B Go)] struct W;",
            "Go", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on Go, guard = 42)] struct W;",
            "42", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on Go, gard = f)] struct W;",
            "gard", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on Go)] #[transition] struct W;",
            "#", 2,
        ),
    ];
    for &(source, token, nth) in cases {
        let positions = error_positions(source);
        assert_eq!(positions.len(), 1, "{source}: {positions:#?}");
        let (message, text, column) = &positions[0];
        assert_eq!(text, token, "{source}: {message}");
        assert_eq!(
            *column,
            column_of(source, token, nth),
            "{source}: {message}"
        );
    }
}

#[test]
fn conflicting_targets_point_at_both_transitions() {
    let source = "#[component(states(A, B, C), initial = A)] \
                  #[transition(A -> B on Go)] #[transition(A -> C on Go)] #[transition(B | C -> A on Back)] struct W;";
    let positions = error_positions(source);
    assert_eq!(positions.len(), 2, "{positions:#?}");
    assert_eq!(positions[0].2, column_of(source, "Go", 1));
    assert_eq!(positions[1].2, column_of(source, "Go", 0));
}
