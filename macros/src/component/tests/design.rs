//! One error per design mistake, naming the rule and the fix.

use super::*;

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
    let edges = moves(&graph);
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

#[test]
fn more_states_than_two_bytes_number_is_one_error() {
    // A machine keeps a state's index in two bytes: 65536 states build,
    // one more is an error at `states`, and no graph check follows it.
    let declare = |count: usize| -> DeriveInput {
        let names = (0..count).map(|i| quote::format_ident!("S{i}"));
        parse_quote! {
            #[component(states(#(#names),*), initial = S0, terminal(S0))]
            struct Worker;
        }
    };
    assert_one_error(
        declare(65_537),
        &["`Worker` declares 65537 states: a typestep component has at most 65536"],
    );
    // 65536 states are allowed: the only errors are the unreachable
    // states (no transitions), one each, found in linear time.
    let messages = errors(declare(65_536));
    assert_eq!(messages.len(), 65_535);
    assert!(
        messages.iter().all(|e| e.contains("unreachable")),
        "{:?}",
        &messages[..3]
    );
}
