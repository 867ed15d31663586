//! Nested states: each mistake one error at its token, the flattened graph,
//! and a property test of the flattening against a small interpreter.

use super::*;
use crate::component::hierarchy::{self, Declared, Node, Tree};

#[test]
fn the_led_contract_flattens_inherited_transitions() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Idle, Blinking(LedOn, LedOff), Done), initial = Idle, terminal(Done))]
        #[state(Blinking, initial = LedOn, entry = Self::power_on, exit = Self::power_off)]
        #[state(Idle, entry = Self::reset)]
        #[transition(Idle -> Blinking on Start)]
        #[transition(LedOn -> LedOff on Tick)]
        #[transition(LedOff -> LedOn on Tick)]
        #[transition(Blinking -> Idle on Stop)]
        #[transition(Blinking -> Done on Finish)]
        pub struct Led;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(names(&graph.states), ["Idle", "LedOn", "LedOff", "Done"]);
    let edges = moves(&graph);
    // Start enters LedOn; Stop and Finish are accepted in both leaves.
    assert_eq!(
        edges,
        [
            (0, 0, 1),
            (1, 1, 2),
            (2, 1, 1),
            (1, 2, 0),
            (2, 2, 0),
            (1, 3, 3),
            (2, 3, 3)
        ]
    );
    // Stop from LedOn: exit Blinking (LedOn has no exit), enter Idle.
    let stop = &graph.edges[3];
    let tree = &graph.tree;
    let named = |nodes: &[usize]| -> Vec<String> {
        nodes
            .iter()
            .map(|&n| tree.nodes[n].name.to_string())
            .collect()
    };
    assert_eq!(named(&stop.exits), ["Blinking"]);
    assert_eq!(named(&stop.entries), ["Idle"]);
    assert_eq!(named(&graph.edges[0].entries), ["Blinking"]);
    // Tick stays inside Blinking: no action runs.
    assert!(!graph.edges[1].has_hooks());
}

#[test]
fn a_leafs_own_transition_wins_over_its_superstates() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Run(A, B), Off), initial = Run)]
        #[state(Run, initial = A)]
        #[transition(Run -> Off on Stop)]
        #[transition(B -> A on Stop)]
        #[transition(A -> B on Next)]
        #[transition(Off -> Run on Go)]
        struct M;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    let edges = moves(&graph);
    // A inherits Stop -> Off; B keeps its own Stop -> A.
    assert_eq!(edges, [(0, 0, 2), (1, 0, 0), (0, 1, 1), (2, 2, 0)]);
}

#[test]
fn three_levels_exit_and_enter_in_order() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Run(Fast(A, B), Slow), Off), initial = Off)]
        #[state(Run, initial = Fast, entry = Self::e, exit = Self::x)]
        #[state(Fast, initial = B, entry = Self::e, exit = Self::x)]
        #[state(B, entry = Self::e, exit = Self::x)]
        #[state(Off, entry = Self::e, exit = Self::x)]
        #[transition(Off -> Run on Go)]
        #[transition(Run -> Off on Stop)]
        #[transition(Fast -> Fast on Again)]
        #[transition(B -> A on Left)]
        #[transition(Fast -> Slow on Brake)]
        struct M;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    let tree = &graph.tree;
    let named = |nodes: &[usize]| -> Vec<String> {
        nodes
            .iter()
            .map(|&n| tree.nodes[n].name.to_string())
            .collect()
    };
    let edge = |from: &str, event: &str| {
        graph
            .edges
            .iter()
            .find(|e| graph.states[e.from] == *from && graph.events[e.event] == *event)
            .expect("edge")
    };
    let go = edge("Off", "Go");
    assert_eq!(graph.states[go.to].to_string(), "B");
    assert_eq!(named(&go.exits), ["Off"]);
    assert_eq!(named(&go.entries), ["Run", "Fast", "B"]);
    assert_eq!(named(&edge("B", "Stop").exits), ["B", "Fast", "Run"]);
    // A self-transition on Fast leaves and re-enters it.
    let again = edge("B", "Again");
    assert_eq!(named(&again.exits), ["B", "Fast"]);
    assert_eq!(named(&again.entries), ["Fast", "B"]);
}

#[test]
fn hierarchy_mistakes_are_each_one_error_at_the_token() {
    let messages = errors(parse_quote! {
        #[component(states(Idle, Blinking(LedOn, LedOff), Other(X), Done), initial = Idle, terminal(Done, Other))]
        #[state(Blinking, initial = Idle)]
        #[state(Nope, entry = Self::f)]
        #[state(LedOn, initial = LedOff, history)]
        #[transition(Idle -> Blinking on Start)]
        #[transition(Idle -> Other on Go)]
        #[transition(Blinking -> Done on Stop)]
        #[transition(X -> Done on Stop)]
        struct Led;
    });
    let expected = [
        "`Idle` is not nested in `Blinking` of `Led`: the initial state of `Blinking` is one of `LedOn`, `LedOff`",
        "unknown state `Nope` in `#[state(...)]` of `Led`",
        "`initial` on `LedOn` of `Led`: `LedOn` has no nested states",
        "`history` on `LedOn` of `Led`: `LedOn` has no nested states to remember",
        "terminal state `Other` of `Led` is a superstate",
        "superstate `Blinking` of `Led` is entered by a transition but declares no initial state: add `#[state(Blinking, initial = LedOn)]`",
        "superstate `Other` of `Led` is entered by a transition but declares no initial state: add `#[state(Other, initial = X)]`",
    ];
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    for (message, fragment) in messages.iter().zip(expected) {
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    }
}

#[test]
fn a_state_nested_twice_is_a_duplicate() {
    assert_one_error(
        parse_quote! {
            #[component(states(A, Run(A, B)), initial = A)]
            #[state(Run, initial = B)]
            #[transition(A -> Run on Go)]
            struct M;
        },
        &["duplicate state `A` in `M`"],
    );
}

#[test]
fn graph_checks_run_on_the_flattened_leaves() {
    // `Done` is reached only through the transition inherited from `Run`.
    let (messages, _) = validate(&parse_quote! {
        #[component(states(Run(A, B), Done), initial = Run, terminal(Done))]
        #[state(Run, initial = A)]
        #[transition(A -> B on Next)]
        #[transition(Run -> Done on Stop)]
        struct M;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    // B is never entered: Run enters A, and nothing goes to B.
    assert_one_error(
        parse_quote! {
            #[component(states(Run(A, B), Done), initial = Run, terminal(Done))]
            #[state(Run, initial = A)]
            #[transition(Run -> Done on Stop)]
            struct M;
        },
        &["state `B` of `M` is unreachable from the initial state `A`"],
    );
    // A terminal leaf may not inherit a way out.
    assert_one_error(
        parse_quote! {
            #[component(states(Run(A, Done)), initial = Run, terminal(Done))]
            #[state(Run, initial = A)]
            #[transition(A -> Done on Next)]
            #[transition(Run -> A on Reset)]
            struct M;
        },
        &["terminal state `Done` of `M` inherits the transition on `Reset` from its superstate `Run`"],
    );
    // Conflicting targets on a superstate are reported as on a leaf.
    let messages = errors(parse_quote! {
        #[component(states(Run(A, B), Off), initial = Run)]
        #[state(Run, initial = A)]
        #[transition(A -> B on Next)]
        #[transition(Run -> Off on Stop)]
        #[transition(Run -> A on Stop)]
        #[transition(Off -> Run on Go)]
        struct M;
    });
    assert!(
        messages[0].contains("in state `Run` on `Stop` goes to both `Off` and `A`"),
        "{messages:#?}"
    );
}

#[test]
fn a_sixty_leaf_hierarchy_is_valid() {
    // 3 levels: 4 groups of 3 subgroups of 5 leaves.
    let mut states = Vec::new();
    let mut options = String::new();
    for g in 0..4 {
        let mut subs = Vec::new();
        for s in 0..3 {
            let leaves: Vec<String> = (0..5).map(|l| format!("L{g}_{s}_{l}")).collect();
            subs.push(format!("S{g}_{s}({})", leaves.join(", ")));
            options += &format!("#[state(S{g}_{s}, initial = L{g}_{s}_0)]\n");
        }
        states.push(format!("G{g}({})", subs.join(", ")));
        options += &format!("#[state(G{g}, initial = S{g}_0)]\n");
    }
    let mut source = format!(
        "#[component(states({}), initial = G0)]\n{options}",
        states.join(", ")
    );
    for g in 0..4 {
        for s in 0..3 {
            for l in 0..4 {
                source += &format!(
                    "#[transition(L{g}_{s}_{l} -> L{g}_{s}_{} on Next)]\n",
                    l + 1
                );
            }
            source += &format!("#[transition(S{g}_{s} -> S{g}_{} on Down)]\n", (s + 1) % 3);
        }
        source += &format!("#[transition(G{g} -> G{} on Over)]\n", (g + 1) % 4);
    }
    source += "struct Big;";
    let input: DeriveInput = syn::parse_str(&source).expect("valid Rust");
    let (messages, graph) = validate(&input);
    assert!(messages.is_empty(), "{messages:#?}");
    assert_eq!(graph.states.len(), 60);
    // 48 own + 60 inherited Down + 60 inherited Over.
    assert_eq!(graph.edges.len(), 48 + 60 + 60);
}

// ---- the flattening against an interpreter ----

/// A random tree: `parents[i]` is `None` or an earlier node.
pub(super) fn tree_of(parents: &[Option<usize>], initials: &[usize]) -> Tree {
    let mut nodes: Vec<Node> = parents
        .iter()
        .enumerate()
        .map(|(i, &parent)| {
            let name = syn::Ident::new(&format!("N{i}"), proc_macro2::Span::call_site());
            Node::new(crate::name::Name::new(name), parent)
        })
        .collect();
    for (i, parent) in parents.iter().enumerate() {
        if let Some(p) = *parent {
            nodes[p].children.push(i);
        }
    }
    for (i, node) in nodes.iter_mut().enumerate() {
        if !node.children.is_empty() {
            node.initial = Some(node.children[initials[i] % node.children.len()]);
        }
    }
    Tree { nodes }
}

/// The textbook reading, written independently of `hierarchy`: the path
/// from the top to a node; the handler is the deepest state on the leaf's
/// path that declares the event; the move leaves everything below the
/// longest common proper prefix of the handler's and the target's paths.
fn interpret(
    tree: &Tree,
    leaf: usize,
    event: usize,
    declared: &[(usize, usize, usize)],
) -> Option<(usize, Vec<usize>, Vec<usize>)> {
    let path = |mut n: usize| {
        let mut p = vec![n];
        while let Some(up) = tree.nodes[n].parent {
            p.push(up);
            n = up;
        }
        p.reverse();
        p
    };
    let leaf_path = path(leaf);
    let &(source, _, target) = leaf_path
        .iter()
        .rev()
        .find_map(|&n| declared.iter().find(|d| d.0 == n && d.1 == event))?;
    let (sp, tp) = (path(source), path(target));
    let mut common = 0;
    while common < sp.len() - 1 && common < tp.len() - 1 && sp[common] == tp[common] {
        common += 1;
    }
    let exits: Vec<usize> = leaf_path[common..].iter().rev().copied().collect();
    let mut entries: Vec<usize> = tp[common..].to_vec();
    let mut at = target;
    while let Some(next) = tree.nodes[at].initial {
        entries.push(next);
        at = next;
    }
    Some((at, exits, entries))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flattened_moves_match_the_interpreter(
        shape in proptest::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..12),
        initials in proptest::collection::vec(any::<usize>(), 12),
        transitions in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..3, any::<prop::sample::Index>()), 0..12),
        events in proptest::collection::vec(0usize..3, 0..20),
    ) {
        // Node i > 0 hangs under an earlier node or at the top level.
        let parents: Vec<Option<usize>> = shape
            .iter()
            .enumerate()
            .map(|(i, (index, top))| if i == 0 || *top { None } else { Some(index.index(i)) })
            .collect();
        let tree = tree_of(&parents, &initials);
        let n = parents.len();
        // One target per (state, event), as the checks require.
        let mut declared: Vec<(usize, usize, usize)> = Vec::new();
        for (from, event, to) in &transitions {
            let (from, to) = (from.index(n), to.index(n));
            if !declared.iter().any(|d| d.0 == from && d.1 == *event) {
                declared.push((from, *event, to));
            }
        }
        let as_declared: Vec<Declared> = declared
            .iter()
            .enumerate()
            .map(|(i, &(from, event, to))| Declared { from, event, to, transition: i, source: tree.nodes[from].name.clone() })
            .collect();
        let flat = hierarchy::flatten(&tree, &as_declared);
        // Walk the flattened table and the interpreter side by side.
        let mut at = tree.leaf_of(0).expect("every superstate has an initial");
        let (mut flat_log, mut model_log) = (Vec::new(), Vec::new());
        for event in events {
            let taken = flat.iter().find(|f| f.leaf == at && declared[f.declared].1 == event);
            let model = interpret(&tree, at, event, &declared);
            prop_assert_eq!(taken.is_some(), model.is_some());
            if let (Some(taken), Some((next, exits, entries))) = (taken, model) {
                flat_log.push((taken.exits.clone(), taken.entries.clone()));
                model_log.push((exits, entries));
                prop_assert_eq!(taken.target, next);
                at = next;
            }
        }
        prop_assert_eq!(flat_log, model_log);
    }
}
