//! Design checks of a component's state graph, built once with petgraph.
//!
//! [`check`] never fails: it records each independent mistake in the
//! [`Ctxt`] and returns the [`Graph`] of the declaration's valid part, from
//! which `expand` generates code (so one mistake gives one error, not a
//! cascade of follow-on errors in the user's code).
//!
//! Two rules keep one mistake to one error:
//! * a name written in `states(...)` is never reported as unknown, even when
//!   it is itself wrong (duplicate, reserved): that mistake is reported once,
//!   where the state is declared;
//! * the whole-graph checks (reachability, can-finish) run only when every
//!   declared transition was read and resolved, since a transition lost to
//!   a typo would make correct states look unreachable;
//! * a misspelled state with a close match is reported once, and the
//!   generated code uses the match in its place (thiserror's fallback
//!   idea), so the user's code that fires the transition still compiles.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::ast::Declaration;
use super::hierarchy::{self, Declared, Tree};
use super::model::{Edge, Graph};
use crate::ctxt::Ctxt;
use crate::graph;
use crate::name::Name;
use crate::suggest::closest;

/// Names the generated module uses for itself.
const RESERVED: &[&str] = &["State", "Event"];

/// The most states a component may declare: a machine keeps a state's
/// index in two bytes.
const MAX_STATES: usize = 1 << 16;

/// Checks the declaration and returns its valid part.
pub fn check(cx: &mut Ctxt, decl: &Declaration) -> Graph {
    let mut checker = Checker {
        cx,
        decl,
        graph: Graph {
            states: Vec::new(),
            events: Vec::new(),
            initial: None,
            stand_in_initial: None,
            terminal: Vec::new(),
            edges: Vec::new(),
            tree: Tree::default(),
            arrows: Vec::new(),
        },
        names: Vec::new(),
        node_edges: Vec::new(),
        state_index: HashMap::new(),
        written: HashSet::new(),
        complete: !decl.transition_dropped,
        declared_edges: Vec::new(),
    };
    checker.states();
    checker.state_options();
    checker.initial();
    let terminal_ok = checker.terminal();
    let event_index = checker.events();
    checker.transitions(&event_index);
    checker.flatten();

    if checker.complete {
        if let Some(initial) = checker.graph.initial {
            checker.graph_checks(initial, terminal_ok);
        }
    }
    checker.graph
}

/// A state name resolved to its index: `exact` when declared, otherwise the
/// close match that stands in for a misspelling (already reported).
#[derive(Clone, Copy)]
pub(super) struct Resolved {
    pub(super) index: usize,
    pub(super) exact: bool,
}

/// The checks' state; `nesting` adds the checks of nested states.
pub(super) struct Checker<'a> {
    pub(super) cx: &'a mut Ctxt,
    pub(super) decl: &'a Declaration,
    pub(super) graph: Graph,
    /// Every valid state, leaves and superstates, by node index.
    pub(super) names: Vec<Name>,
    /// The valid transitions as declared (on nodes), before flattening.
    pub(super) node_edges: Vec<(Declared, Edge)>,
    /// Valid states by name.
    pub(super) state_index: HashMap<String, usize>,
    /// Every name written in `states(...)`, valid or not.
    pub(super) written: HashSet<String>,
    /// Whether every declared transition was read and resolved.
    pub(super) complete: bool,
    /// Every resolved `(from, event, to)` node triple as declared, including the ones
    /// left out of the generated code because of another mistake (a
    /// conflicting target, an event named like a state): the graph checks
    /// judge the graph the user wrote.
    pub(super) declared_edges: Vec<(usize, String, usize)>,
}

impl Checker<'_> {
    /// States: declared once each, not reserved, not empty.
    fn states(&mut self) {
        let component = &self.decl.ident;
        match &self.decl.states {
            None => {
                if self.decl.has_component_attr && !self.decl.component_malformed {
                    self.cx.error_at(
                        self.decl.anchor,
                        format_args!(
                            "`{component}` declares no states: add `states(A, B, ...)` to `#[component(...)]`"
                        ),
                    );
                }
            }
            Some((keyword, names)) if names.is_empty() => {
                self.cx.error_spanned_by(
                    keyword,
                    format_args!(
                        "`{component}` has an empty `states()`: a component needs at least one state, \
                         as in `states(Created, Stopped)`"
                    ),
                );
            }
            Some((keyword, names)) => {
                for name in names {
                    let text = name.to_string();
                    let first_time = self.written.insert(text.clone());
                    if RESERVED.contains(&text.as_str()) {
                        if first_time {
                            self.complete = false;
                            self.cx.error_spanned_by(name, format_args!(
                                "`{text}` cannot be a state of `{component}`: the name is reserved for the generated `{text}` enum; rename the state"
                            ));
                        }
                    } else if first_time {
                        self.state_index.insert(text, self.names.len());
                        self.names.push(name.clone());
                    } else {
                        self.cx.error_spanned_by(name, format_args!(
                            "duplicate state `{text}` in `{component}`: each state is declared once in `states(...)`; remove this one"
                        ));
                    }
                }
                // A machine keeps a state's index in two bytes (see
                // `typestep_core::component::Component::State`).
                if self.names.len() > MAX_STATES {
                    self.complete = false;
                    let count = self.names.len();
                    self.cx.error_spanned_by(keyword, format_args!(
                        "`{component}` declares {count} states: a typestep component has at most {MAX_STATES}; split it into components"
                    ));
                }
            }
        }
    }

    /// Resolves state `name`, reporting it when it is unknown (unless it was
    /// written in `states(...)`, where its own mistake is already reported,
    /// or there is no usable state list to compare with). An unknown name
    /// with a close match resolves to that match as a stand-in.
    pub(super) fn resolve(&mut self, name: &Name, role: &str) -> Option<Resolved> {
        let text = name.to_string();
        if let Some(&index) = self.state_index.get(&text) {
            return Some(Resolved { index, exact: true });
        }
        let has_list = matches!(&self.decl.states, Some((_, names)) if !names.is_empty());
        if !has_list || self.written.contains(&text) {
            return None;
        }
        let names: Vec<String> = self.names.iter().map(Name::to_string).collect();
        let closest = closest(&text, names.iter().map(String::as_str));
        let is_event = self.decl.transitions.iter().any(|t| t.event == *text);
        let fix = match closest {
            Some(state) => format!("; did you mean `{state}`?"),
            None if is_event => format!(
                "; `{text}` is an event of `{}`, not a state",
                self.decl.ident
            ),
            None => String::from("; add it to `states(...)`"),
        };
        self.cx.error_spanned_by(
            name,
            format_args!(
                "unknown state `{text}` {role} of `{}`: it is not listed in `states(...)`{fix}",
                self.decl.ident
            ),
        );
        closest
            .and_then(|state| self.state_index.get(state))
            .map(|&index| Resolved {
                index,
                exact: false,
            })
    }

    /// The index of state `name` when it is declared; see [`Self::resolve`].
    pub(super) fn lookup(&mut self, name: &Name, role: &str) -> Option<usize> {
        self.resolve(name, role)
            .filter(|resolved| resolved.exact)
            .map(|resolved| resolved.index)
    }

    fn initial(&mut self) {
        let component = &self.decl.ident;
        match &self.decl.initial {
            Some(name) => match self.resolve(name, "as the initial state") {
                Some(Resolved { index, exact: true }) => self.graph.initial = Some(index),
                Some(Resolved {
                    index,
                    exact: false,
                }) => self.graph.stand_in_initial = Some(index),
                None => {}
            },
            None => {
                let states_given =
                    matches!(&self.decl.states, Some((_, names)) if !names.is_empty());
                if states_given && !self.decl.component_malformed {
                    self.cx.error_at(
                        self.decl.anchor,
                        format_args!(
                            "`{component}` has no initial state: add `initial = <state>` to `#[component(...)]`"
                        ),
                    );
                }
            }
        }
    }

    /// Terminal states; returns whether the list is usable for the
    /// can-finish check (declared, non-empty, every name resolved).
    fn terminal(&mut self) -> bool {
        let component = &self.decl.ident;
        let Some((keyword, names)) = &self.decl.terminal else {
            return false;
        };
        if names.is_empty() {
            self.cx.error_spanned_by(
                keyword,
                format_args!(
                    "`{component}` has an empty `terminal()`: list the states where its lifecycle ends, \
                     or remove `terminal()` if it may run forever"
                ),
            );
            return false;
        }
        let mut usable = true;
        for name in names {
            match self.lookup(name, "in `terminal(...)`") {
                Some(index) if self.graph.terminal.contains(&index) => {
                    self.cx.error_spanned_by(
                        name,
                        format_args!(
                            "terminal state `{name}` of `{component}` is listed twice in `terminal(...)`; remove this one"
                        ),
                    );
                }
                Some(index) if !self.graph.tree.is_leaf(index) => {
                    usable = false;
                    self.cx.error_spanned_by(
                        name,
                        format_args!(
                            "terminal state `{name}` of `{component}` is a superstate: a machine is only ever in a leaf, \
                             so list the nested states where the lifecycle ends"
                        ),
                    );
                }
                Some(index) => self.graph.terminal.push(index),
                None => usable = false,
            }
        }
        usable
    }

    /// Events: their names must not be states or reserved. Returns the
    /// index of each valid event by name.
    fn events(&mut self) -> HashMap<String, usize> {
        let component = &self.decl.ident;
        let mut event_index = HashMap::new();
        let mut seen = HashSet::new();
        for transition in &self.decl.transitions {
            let event = &transition.event;
            let text = event.to_string();
            if !seen.insert(text.clone()) {
                continue;
            }
            if self.written.contains(&text) {
                self.cx.error_spanned_by(event, format_args!(
                    "`{text}` is used both as a state and as an event of `{component}`: a name is one or the other; \
                     rename the event, for example to `{text}Event`"
                ));
            } else if RESERVED.contains(&text.as_str()) {
                self.cx.error_spanned_by(event, format_args!(
                    "`{text}` cannot be an event of `{component}`: the name is reserved for the generated `{text}` enum; rename the event"
                ));
            } else {
                event_index.insert(text, self.graph.events.len());
                self.graph.events.push(event.clone());
            }
        }
        event_index
    }

    /// Transitions: known states, one target per (state, event), nothing
    /// out of a terminal state.
    fn transitions(&mut self, event_index: &HashMap<String, usize>) {
        let decl = self.decl;
        let component = &decl.ident;
        let mut first_target: HashMap<(usize, usize), (usize, &Name)> = HashMap::new();
        for (transition_index, transition) in decl.transitions.iter().enumerate() {
            let ev = &transition.event;
            let to = self.resolve(&transition.to, "as a transition target");
            let event = event_index.get(&ev.to_string()).copied();
            let mut seen_sources = HashSet::new();
            for source in &transition.from {
                if !seen_sources.insert(source.to_string()) {
                    self.cx.error_spanned_by(source, format_args!(
                        "state `{source}` is listed twice among the sources of the transition on `{ev}` of `{component}`; remove this one"
                    ));
                    continue;
                }
                let from = self.resolve(source, "as a transition source");
                let (Some(from), Some(to)) = (from, to) else {
                    self.complete = false;
                    continue;
                };
                let exact = from.exact && to.exact;
                let (from, to) = (from.index, to.index);
                if exact {
                    self.declared_edges.push((from, ev.to_string(), to));
                } else {
                    self.complete = false;
                }
                let Some(event) = event else { continue };
                let edge = Edge {
                    from,
                    event,
                    to,
                    guard: transition.guard.clone(),
                    action: transition.action.clone(),
                    guard_async: transition.guard_async,
                    action_async: transition.action_async,
                    exits: Vec::new(),
                    entries: Vec::new(),
                    hooks_async: false,
                    resume: None,
                    first: true,
                };
                let edge = (
                    Declared {
                        from,
                        event,
                        to,
                        transition: transition_index,
                        source: source.clone(),
                    },
                    edge,
                );
                if !exact {
                    // A stand-in edge only fills a free slot, silently.
                    if let Entry::Vacant(slot) = first_target.entry((from, event)) {
                        slot.insert((to, ev));
                        self.node_edges.push(edge);
                    }
                    continue;
                }
                let states = &self.names;
                match first_target.get(&(from, event)) {
                    Some(&(earlier, _)) if earlier == to => {
                        self.cx.error_spanned_by(ev, format_args!(
                            "duplicate transition `{source} -> {} on {ev}` in `{component}`: it is already declared; remove one",
                            states[to],
                        ));
                    }
                    Some(&(earlier, earlier_event)) => {
                        let (first, second) = (&states[earlier], &states[to]);
                        self.cx.error_spanned_by(ev, format_args!(
                            "conflicting transitions: `{component}` in state `{source}` on `{ev}` goes to both `{first}` and `{second}`; \
                             a state and an event have one target, so remove one of the two",
                        ));
                        self.cx.error_spanned_by(earlier_event, format_args!(
                            "conflicting transitions: `{component}` in state `{source}` on `{ev}` first goes to `{first}` here",
                        ));
                    }
                    None => {
                        if self.graph.terminal.contains(&from) {
                            // Reported, but still generated: the edge itself
                            // is well-formed, and code that uses it compiles.
                            self.cx.error_spanned_by(source, format_args!(
                                "terminal state `{source}` of `{component}` has an outgoing transition on `{ev}`: \
                                 a terminal state ends the lifecycle; remove `{source}` from `terminal(...)` or remove this transition",
                            ));
                        }
                        first_target.insert((from, event), (to, ev));
                        self.node_edges.push(edge);
                    }
                }
            }
        }
    }

    /// Reports states unreachable from the initial state (once per missing
    /// transition: the state it cuts off, naming what lies behind it) and,
    /// when terminal states are declared, reachable states from which none
    /// of them can be reached. The searches are [`crate::graph`]'s.
    fn graph_checks(&mut self, initial: usize, terminal_ok: bool) {
        let component = &self.decl.ident;
        let tree = &self.graph.tree;
        let pairs = hierarchy::flatten_pairs(tree, &self.declared_edges);
        let leaf_edges = hierarchy::possible_edges(tree, &pairs, initial);
        let states = &self.graph.states;
        let n = states.len();
        let initial_name = &states[initial];
        for cut in graph::cut_off(n, &leaf_edges, initial) {
            let state = &states[cut.node];
            let behind = if cut.behind.is_empty() {
                String::new()
            } else {
                let names = cut
                    .behind
                    .iter()
                    .map(|&s| format!("`{}`", states[s]))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(" ({names} after it are unreachable too)")
            };
            self.cx.error_spanned_by(state, format_args!(
                "state `{state}` of `{component}` is unreachable from the initial state `{initial_name}`{behind}: \
                 add a transition into `{state}` or remove it",
            ));
        }

        if !terminal_ok {
            return;
        }
        let reachable = graph::reachable(n, &leaf_edges, initial);
        let finishes = graph::reaching(n, &leaf_edges, &self.graph.terminal);
        let terminal_names = self
            .graph
            .terminal
            .iter()
            .map(|&t| format!("`{}`", states[t]))
            .collect::<Vec<_>>()
            .join(", ");
        for (index, state) in states.iter().enumerate() {
            if reachable[index] && !finishes[index] {
                self.cx.error_spanned_by(state, format_args!(
                    "state `{state}` of `{component}` can never finish: no terminal state ({terminal_names}) is reachable from it; \
                     add a transition out of `{state}` towards one, or declare it terminal",
                ));
            }
        }
    }
}
