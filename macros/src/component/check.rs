//! Design checks of a component's state graph, built once with petgraph.
//!
//! [`check`] never fails: it records each independent mistake in the
//! [`Ctxt`] and returns the [`Graph`] of the declaration's valid part, from
//! which `expand` generates code (so one mistake gives one error, not a
//! cascade of follow-on errors in the user's code).

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Reversed};
use syn::{Ident, Path};

use super::ast::Declaration;
use crate::ctxt::Ctxt;
use crate::suggest::did_you_mean;

/// Names the generated module uses for itself.
const RESERVED: &[&str] = &["State", "Event"];

/// The valid part of a declaration, with states and events numbered in
/// declaration order.
pub struct Graph {
    pub states: Vec<Ident>,
    pub events: Vec<Ident>,
    pub initial: Option<usize>,
    pub terminal: Vec<usize>,
    pub edges: Vec<Edge>,
}

/// One valid transition `from -> to on event`.
pub struct Edge {
    pub from: usize,
    pub event: usize,
    pub to: usize,
    pub guard: Option<Path>,
    pub action: Option<Path>,
}

impl Edge {
    pub fn is_fallible(&self) -> bool {
        self.guard.is_some() || self.action.is_some()
    }
}

/// Checks the declaration and returns its valid part.
pub fn check(cx: &mut Ctxt, decl: &Declaration) -> Graph {
    let component = &decl.ident;
    let mut graph = Graph {
        states: Vec::new(),
        events: Vec::new(),
        initial: None,
        terminal: Vec::new(),
        edges: Vec::new(),
    };
    let mut state_index: HashMap<String, usize> = HashMap::new();

    // States: declared once each, not reserved, not empty.
    match &decl.states {
        None => {
            if cx_has_component_attr(decl) {
                cx.error_at(decl.anchor, format_args!("`{component}` declares no states: add `states(A, B, ...)` to `#[component(...)]`"));
            }
        }
        Some((keyword, names)) if names.is_empty() => {
            cx.error_spanned_by(
                keyword,
                format_args!(
                    "`{component}` has an empty `states()`: a component needs at least one state"
                ),
            );
        }
        Some((_, names)) => {
            for name in names {
                let text = name.to_string();
                if RESERVED.contains(&text.as_str()) {
                    cx.error_spanned_by(name, format_args!("`{text}` cannot be a state of `{component}`: the name is reserved for the generated `{text}` enum; rename the state"));
                } else if let std::collections::hash_map::Entry::Vacant(slot) =
                    state_index.entry(text.clone())
                {
                    slot.insert(graph.states.len());
                    graph.states.push(name.clone());
                } else {
                    cx.error_spanned_by(name, format_args!("duplicate state `{text}` in `{component}`: each state is declared once in `states(...)`"));
                }
            }
        }
    }
    let declared: Vec<String> = graph.states.iter().map(Ident::to_string).collect();
    let states_known = decl.states.is_some();
    let lookup = |cx: &mut Ctxt, name: &Ident, role: &str| -> Option<usize> {
        let text = name.to_string();
        match state_index.get(&text) {
            Some(&index) => Some(index),
            None => {
                if states_known {
                    cx.error_spanned_by(name, format_args!(
                        "unknown state `{text}` {role} of `{component}`: it is not listed in `states(...)`{}",
                        did_you_mean(&text, declared.iter().map(String::as_str)),
                    ));
                }
                None
            }
        }
    };

    // Initial and terminal states.
    let mut complete = true;
    match &decl.initial {
        Some(name) => match lookup(cx, name, "as the initial state") {
            Some(index) => graph.initial = Some(index),
            None => complete = false,
        },
        None => {
            complete = false;
            if cx_has_component_attr(decl) {
                cx.error_at(decl.anchor, format_args!("`{component}` has no initial state: add `initial = <state>` to `#[component(...)]`"));
            }
        }
    }
    let has_terminal = decl.terminal.is_some();
    for name in decl.terminal.iter().flatten() {
        match lookup(cx, name, "in `terminal(...)`") {
            Some(index) if graph.terminal.contains(&index) => {
                cx.error_spanned_by(name, format_args!("terminal state `{name}` of `{component}` is listed twice in `terminal(...)`"));
            }
            Some(index) => graph.terminal.push(index),
            None => complete = false,
        }
    }

    // Events: their names must not be states or reserved.
    let mut event_index: HashMap<String, usize> = HashMap::new();
    let mut event_ok: HashMap<String, bool> = HashMap::new();
    for transition in &decl.transitions {
        let text = transition.event.to_string();
        if event_ok.contains_key(&text) {
            continue;
        }
        let ok = if state_index.contains_key(&text)
            || decl.states.iter().flat_map(|(_, n)| n).any(|n| *n == text)
        {
            cx.error_spanned_by(&transition.event, format_args!("`{text}` is used both as a state and as an event of `{component}`: give the event another name, such as `{}`", event_rename(&text)));
            false
        } else if RESERVED.contains(&text.as_str()) {
            cx.error_spanned_by(&transition.event, format_args!("`{text}` cannot be an event of `{component}`: the name is reserved for the generated `{text}` enum; rename the event"));
            false
        } else {
            event_index.insert(text.clone(), graph.events.len());
            graph.events.push(transition.event.clone());
            true
        };
        event_ok.insert(text, ok);
    }

    // Transitions: known states, one target per (state, event), nothing out of a terminal state.
    let mut first_target: HashMap<(usize, usize), (usize, &Ident)> = HashMap::new();
    for transition in &decl.transitions {
        let to = lookup(cx, &transition.to, "as a transition target");
        let event = event_index.get(&transition.event.to_string()).copied();
        let mut seen_sources = Vec::new();
        for source in &transition.from {
            if seen_sources.contains(&source.to_string()) {
                cx.error_spanned_by(source, format_args!("state `{source}` is listed twice in the sources of this transition of `{component}`"));
                continue;
            }
            seen_sources.push(source.to_string());
            let from = lookup(cx, source, "as a transition source");
            let (Some(from), Some(to), Some(event)) = (from, to, event) else {
                complete = false;
                continue;
            };
            let ev = &transition.event;
            if has_terminal && graph.terminal.contains(&from) {
                cx.error_spanned_by(source, format_args!(
                    "terminal state `{source}` of `{component}` has an outgoing transition on `{ev}`: a terminal state ends the lifecycle; remove `{source}` from `terminal(...)` or remove this transition",
                ));
                continue;
            }
            match first_target.get(&(from, event)) {
                Some(&(earlier, earlier_event)) if earlier == to => {
                    cx.error_spanned_by(ev, format_args!(
                        "duplicate transition `{source} -> {} on {ev}` in `{component}`: it is already declared; remove one",
                        graph.states[to],
                    ));
                    let _ = earlier_event;
                }
                Some(&(earlier, earlier_event)) => {
                    cx.error_spanned_by(ev, format_args!(
                        "conflicting transitions: `{component}` in state `{source}` on `{ev}` goes to both `{}` and `{}`; a (state, event) pair has one target",
                        graph.states[earlier], graph.states[to],
                    ));
                    cx.error_spanned_by(earlier_event, format_args!(
                        "conflicting transitions: `{component}` in state `{source}` on `{ev}` first goes to `{}` here",
                        graph.states[earlier],
                    ));
                }
                None => {
                    first_target.insert((from, event), (to, ev));
                    graph.edges.push(Edge {
                        from,
                        event,
                        to,
                        guard: transition.guard.clone(),
                        action: transition.action.clone(),
                    });
                }
            }
        }
    }

    // Graph checks need the whole graph: skip them when a part of it was
    // dropped above, so that one typo does not also report unreachable states.
    if complete && !cx.has_errors() {
        check_reachability(cx, decl, &graph, has_terminal);
    }
    graph
}

fn cx_has_component_attr(decl: &Declaration) -> bool {
    decl.has_component_attr
}

/// A suggestion for an event that clashes with a state name.
fn event_rename(name: &str) -> String {
    format!("{name}Event")
}

/// Reports states unreachable from the initial state and non-terminal
/// states from which no terminal state can be reached.
fn check_reachability(cx: &mut Ctxt, decl: &Declaration, graph: &Graph, has_terminal: bool) {
    let Some(initial) = graph.initial else { return };
    let component = &decl.ident;
    let mut petgraph: DiGraph<usize, usize> =
        DiGraph::with_capacity(graph.states.len(), graph.edges.len());
    let nodes: Vec<NodeIndex> = (0..graph.states.len())
        .map(|i| petgraph.add_node(i))
        .collect();
    for edge in &graph.edges {
        petgraph.add_edge(nodes[edge.from], nodes[edge.to], edge.event);
    }

    let mut reachable = vec![false; graph.states.len()];
    let mut bfs = Bfs::new(&petgraph, nodes[initial]);
    while let Some(node) = bfs.next(&petgraph) {
        reachable[petgraph[node]] = true;
    }
    let initial_name = &graph.states[initial];
    for (index, state) in graph.states.iter().enumerate() {
        if !reachable[index] {
            cx.error_spanned_by(state, format_args!(
                "state `{state}` of `{component}` is unreachable from the initial state `{initial_name}`: add a transition into `{state}` or remove it",
            ));
        }
    }

    if !has_terminal || graph.terminal.is_empty() {
        return;
    }
    let mut finishes = vec![false; graph.states.len()];
    let reversed = Reversed(&petgraph);
    for &terminal in &graph.terminal {
        let mut bfs = Bfs::new(reversed, nodes[terminal]);
        while let Some(node) = bfs.next(reversed) {
            finishes[petgraph[node]] = true;
        }
    }
    let terminal_names = graph
        .terminal
        .iter()
        .map(|&t| format!("`{}`", graph.states[t]))
        .collect::<Vec<_>>()
        .join(", ");
    for (index, state) in graph.states.iter().enumerate() {
        if reachable[index] && !finishes[index] {
            cx.error_spanned_by(state, format_args!(
                "state `{state}` of `{component}` can never finish: no terminal state ({terminal_names}) is reachable from it; add a transition out of `{state}` towards one",
            ));
        }
    }
}
