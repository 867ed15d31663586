//! Shallow history: the moves a resuming transition flattens into, the
//! checks that count them, and a property test of the run-time pick (the
//! generated `enter` functions, lazy memory) against the textbook reading
//! (memory written at every exit).

use super::*;
use crate::component::hierarchy::{self, Declared, Tree};

#[test]
fn a_move_into_a_history_superstate_has_one_edge_per_leaf_it_may_resume() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
        #[state(Blinking, initial = LedOn, history)]
        #[state(LedOff, entry = Self::e)]
        #[transition(Idle -> Blinking on Start)]
        #[transition(LedOn -> LedOff on Tick)]
        #[transition(LedOff -> LedOn on Tick)]
        #[transition(Blinking -> Idle on Stop)]
        struct Led;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    let starts: Vec<_> = graph
        .edges
        .iter()
        .filter(|e| graph.events[e.event] == *"Start")
        .collect();
    assert_eq!(starts.len(), 2);
    let blinking = graph.tree.nodes.iter().position(|n| n.name == *"Blinking");
    assert!(starts.iter().all(|e| e.resume == blinking));
    assert!(starts[0].first && !starts[1].first);
    assert_eq!(graph.states[starts[0].to].to_string(), "LedOn");
    assert_eq!(graph.states[starts[1].to].to_string(), "LedOff");
    // Only the resumed leaf's own entry differs.
    assert!(starts[0].entries.is_empty());
    assert_eq!(starts[1].entries.len(), 1);
    // A move with one target is as before.
    assert!(graph
        .edges
        .iter()
        .filter(|e| graph.events[e.event] != *"Start")
        .all(|e| e.first && e.resume.is_none()));
}

#[test]
fn a_child_resumed_without_an_initial_is_reported() {
    assert_one_error(
        parse_quote! {
            #[component(states(Idle, Run(A, Fast(B, C))), initial = Idle)]
            #[state(Run, initial = A, history)]
            #[transition(Idle -> Run on Go)]
            #[transition(A -> B on Next)]
            #[transition(Run -> Idle on Stop)]
            struct M;
        },
        &["superstate `Fast` of `M` is entered by a transition (resumed by the `history` of `Run`) but declares no initial state: add `#[state(Fast, initial = B)]`"],
    );
}

#[test]
fn a_leaf_reached_only_by_resuming_is_reachable_and_history_alone_reaches_nothing() {
    // `C` is entered only when `Gear` resumes `Low` (by `Low`'s initial).
    let (messages, _) = validate(&parse_quote! {
        #[component(states(Off, Gear(Low(C, D), High)), initial = Off)]
        #[state(Gear, initial = High, history)]
        #[state(Low, initial = C)]
        #[transition(Off -> Gear on Shift)]
        #[transition(High -> D on Down)]
        #[transition(C -> D on Next)]
        #[transition(Gear -> Off on Halt)]
        struct M;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    // Without a way into `Low`, resuming cannot reach it.
    assert_one_error(
        parse_quote! {
            #[component(states(Off, Gear(Low(C, D), High)), initial = Off)]
            #[state(Gear, initial = High, history)]
            #[state(Low, initial = C)]
            #[transition(Off -> Gear on Shift)]
            #[transition(C -> D on Next)]
            #[transition(Gear -> Off on Halt)]
            struct M;
        },
        &["state `C` of `M` is unreachable", "`D`"],
    );
}

#[test]
fn history_on_a_superstate_never_targeted_is_fine() {
    let (messages, graph) = validate(&parse_quote! {
        #[component(states(Run(A, B), Off), initial = A)]
        #[state(Run, initial = A, history)]
        #[transition(A -> B on Next)]
        #[transition(Run -> Off on Stop)]
        #[transition(Off -> A on Go)]
        struct M;
    });
    assert!(messages.is_empty(), "{messages:#?}");
    assert!(graph.edges.iter().all(|e| e.resume.is_none()));
}

// ---- the run-time pick against the textbook reading ----

fn tree_with_history(parents: &[Option<usize>], initials: &[usize], history: &[bool]) -> Tree {
    let mut tree = super::nested::tree_of(parents, initials);
    for (node, &remembers) in tree.nodes.iter_mut().zip(history) {
        node.history = remembers && !node.children.is_empty();
    }
    tree
}

fn path(tree: &Tree, mut n: usize) -> Vec<usize> {
    let mut p = vec![n];
    while let Some(up) = tree.nodes[n].parent {
        p.push(up);
        n = up;
    }
    p.reverse();
    p
}

fn inside(tree: &Tree, leaf: usize, node: usize) -> bool {
    tree.ancestors(leaf).any(|n| n == node)
}

/// UML, written apart from `hierarchy`: exits (innermost first) write the
/// memory of each history state they leave; then the entries go down from
/// the target, a history state resuming the child holding its memory.
fn interpret(
    tree: &Tree,
    leaf: usize,
    event: usize,
    declared: &[(usize, usize, usize)],
    memory: &mut [Option<usize>],
) -> Option<(usize, Vec<usize>, Vec<usize>)> {
    let leaf_path = path(tree, leaf);
    let &(source, _, target) = leaf_path
        .iter()
        .rev()
        .find_map(|&n| declared.iter().find(|d| d.0 == n && d.1 == event))?;
    let (sp, tp) = (path(tree, source), path(tree, target));
    let mut common = 0;
    while common < sp.len() - 1 && common < tp.len() - 1 && sp[common] == tp[common] {
        common += 1;
    }
    let exits: Vec<usize> = leaf_path[common..].iter().rev().copied().collect();
    for &n in &exits {
        if tree.nodes[n].history {
            memory[n] = Some(leaf);
        }
    }
    let mut entries: Vec<usize> = tp[common..].to_vec();
    let mut at = target;
    while let Some(initial) = tree.nodes[at].initial {
        let resumed = memory[at].filter(|_| tree.nodes[at].history).and_then(|m| {
            tree.nodes[at]
                .children
                .iter()
                .copied()
                .find(|&c| inside(tree, m, c))
        });
        let next = resumed.unwrap_or(initial);
        entries.push(next);
        at = next;
    }
    Some((at, exits, entries))
}

/// What the generated `enter` functions pick: the memory of a superstate
/// the machine is in is the leaf it is in; otherwise what was stored.
fn pick(tree: &Tree, node: usize, from: usize, stored: &[Option<usize>]) -> usize {
    let Some(initial) = tree.nodes[node].initial else {
        return node;
    };
    if tree.nodes[node].history {
        let last = if inside(tree, from, node) {
            Some(from)
        } else {
            stored[node]
        };
        if let Some(child) = last.and_then(|m| {
            tree.nodes[node]
                .children
                .iter()
                .copied()
                .find(|&c| inside(tree, m, c))
        }) {
            return pick(tree, child, from, stored);
        }
    }
    pick(tree, initial, from, stored)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn resumed_moves_match_the_textbook_reading(
        shape in proptest::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..12),
        initials in proptest::collection::vec(any::<usize>(), 12),
        history in proptest::collection::vec(any::<bool>(), 12),
        transitions in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..3, any::<prop::sample::Index>()), 0..12),
        events in proptest::collection::vec(0usize..3, 0..30),
    ) {
        let parents: Vec<Option<usize>> = shape
            .iter()
            .enumerate()
            .map(|(i, (index, top))| if i == 0 || *top { None } else { Some(index.index(i)) })
            .collect();
        let tree = tree_with_history(&parents, &initials, &history);
        let n = parents.len();
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
        let mut at = tree.leaf_of(0).expect("every superstate has an initial");
        let mut textbook = vec![None; n];
        let mut stored = vec![None; n];
        for event in events {
            let model = interpret(&tree, at, event, &declared, &mut textbook);
            let candidates: Vec<_> = flat
                .iter()
                .filter(|f| f.leaf == at && declared[f.declared].1 == event)
                .collect();
            prop_assert_eq!(candidates.is_empty(), model.is_none());
            let Some((next, exits, entries)) = model else { continue };
            // The run-time pick: one candidate, or the one whose target the
            // resuming superstate picks.
            let taken = match candidates[0].resume {
                None => {
                    prop_assert_eq!(candidates.len(), 1);
                    candidates[0]
                }
                Some(target) => {
                    let leaf = pick(&tree, target, at, &stored);
                    let found = candidates.iter().find(|f| f.target == leaf);
                    prop_assert!(found.is_some(), "no edge to the picked leaf");
                    found.copied().expect("checked")
                }
            };
            prop_assert_eq!(taken.target, next);
            prop_assert_eq!(&taken.exits, &exits);
            prop_assert_eq!(&taken.entries, &entries);
            // The machine's memory: written when a move ends outside.
            for (s, slot) in stored.iter_mut().enumerate() {
                if tree.nodes[s].history && inside(&tree, at, s) && !inside(&tree, next, s) {
                    *slot = Some(at);
                }
            }
            at = next;
        }
    }
}

#[test]
fn a_state_named_like_the_leaf_enum_of_a_history_superstate_is_reported() {
    assert_one_error(
        parse_quote! {
            #[component(states(Idle, Blinking(LedOn, InBlinking)), initial = Idle)]
            #[state(Blinking, initial = LedOn, history)]
            #[transition(Idle -> Blinking on Start)]
            #[transition(LedOn -> InBlinking on Tick)]
            #[transition(Blinking -> Idle on Stop)]
            struct Led;
        },
        &["state `InBlinking` of `Led` has the name the derive gives the enum of `Blinking`'s leaf handles (`Blinking` is declared with `history`): rename the state"],
    );
}
