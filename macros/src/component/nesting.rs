//! The checks of nested states: the tree of `states(...)`, the options of
//! `#[state(...)]`, and the flattening of transitions into leaf moves (with
//! their exit and entry actions), each mistake a spanned error at the
//! user's token.

use std::collections::HashSet;

use super::check::Checker;
use super::hierarchy::Arrow;
use super::hierarchy::{self, Node};
use super::model::Edge;
use crate::name::Name;

impl Checker<'_> {
    /// Builds the tree from `states(...)` and applies every `#[state(...)]`.
    pub(super) fn state_options(&mut self) {
        let decl = self.decl;
        let component = &decl.ident;
        let mut nodes: Vec<Node> = self
            .names
            .iter()
            .map(|name| Node::new(name.clone(), None))
            .collect();
        if let Some((_, written)) = &decl.states {
            let mut seen = HashSet::new();
            for (position, name) in written.iter().enumerate() {
                let text = name.to_string();
                // Only the first writing of a name is its node (a second one
                // is reported as a duplicate).
                if !seen.insert(text.clone()) {
                    continue;
                }
                let Some(&node) = self.state_index.get(&text) else {
                    continue;
                };
                let parent = decl
                    .state_parents
                    .get(position)
                    .copied()
                    .flatten()
                    .and_then(|p| self.state_index.get(&written[p].to_string()).copied())
                    .filter(|&p| p != node);
                if let Some(parent) = parent {
                    nodes[node].parent = Some(parent);
                    nodes[parent].children.push(node);
                }
            }
        }
        let mut leaves = 0;
        for node in &mut nodes {
            if node.children.is_empty() {
                node.leaf = Some(leaves);
                leaves += 1;
            }
        }
        self.graph.tree.nodes = nodes;

        let mut configured = HashSet::new();
        for state in &decl.state_attrs {
            let Some(node) = self.lookup(&state.name, "in `#[state(...)]`") else {
                continue;
            };
            let name = &state.name;
            if !configured.insert(node) {
                self.cx.error_spanned_by(name, format_args!(
                    "state `{name}` of `{component}` has a second `#[state({name}, ...)]`: put its options in one"
                ));
                continue;
            }
            let leaf = self.graph.tree.is_leaf(node);
            if let Some((key, child)) = &state.initial {
                if leaf {
                    self.cx.error_spanned_by(
                        key,
                        format_args!(
                        "`initial` on `{name}` of `{component}`: `{name}` has no nested states; \
                         `initial` names the child a superstate enters first"
                    ),
                    );
                } else if let Some(child_node) = self.lookup(child, "after `initial =`") {
                    if self.graph.tree.nodes[child_node].parent == Some(node) {
                        self.graph.tree.nodes[node].initial = Some(child_node);
                    } else {
                        self.complete = false;
                        let children = self.graph.tree.nodes[node]
                            .children
                            .iter()
                            .map(|&c| format!("`{}`", self.graph.tree.nodes[c].name))
                            .collect::<Vec<_>>()
                            .join(", ");
                        self.cx.error_spanned_by(child, format_args!(
                            "`{child}` is not nested in `{name}` of `{component}`: the initial state of `{name}` is one of {children}"
                        ));
                    }
                }
            }
            if let Some(key) = &state.history {
                if leaf {
                    self.cx.error_spanned_by(key, format_args!(
                        "`history` on `{name}` of `{component}`: `{name}` has no nested states to remember"
                    ));
                } else {
                    self.graph.tree.nodes[node].history = true;
                    // The derive names the enum of its leaves' typed handles
                    // `In{name}`, in the same module as the states.
                    let taken = format!("In{name}");
                    if let Some(clash) = self
                        .graph
                        .tree
                        .nodes
                        .iter()
                        .find(|n| n.name == *taken.as_str())
                    {
                        self.cx.error_spanned_by(&clash.name, format_args!(
                            "state `{taken}` of `{component}` has the name the derive gives the enum of \
                             `{name}`'s leaf handles (`{name}` is declared with `history`): rename the state"
                        ));
                    }
                }
            }
            self.graph.tree.nodes[node].entry = state.entry.clone();
            self.graph.tree.nodes[node].exit = state.exit.clone();
        }
    }

    /// Turns the declared transitions into leaf moves, the initial and
    /// terminal states into leaves, and reports what flattening finds: a
    /// targeted superstate with no `initial`, a terminal leaf that inherits
    /// a transition.
    pub(super) fn flatten(&mut self) {
        let component = &self.decl.ident;
        let tree = &self.graph.tree;
        let leaf_index = |node: usize| tree.nodes[node].leaf;

        // A superstate entered with no `initial` on the way down: once each.
        let mut reported = HashSet::new();
        let complete = &mut self.complete;
        let mut no_initial = |cx: &mut crate::ctxt::Ctxt, node: usize, at: &Name, role: &str| {
            if let Some((superstate, via)) = tree.missing_initial(node) {
                *complete = false;
                if reported.insert(superstate) {
                    let name = &tree.nodes[superstate].name;
                    let first = tree.nodes[tree.nodes[superstate].children[0]].name.clone();
                    let resumed = via
                        .map(|h| format!(" (resumed by the `history` of `{}`)", tree.nodes[h].name))
                        .unwrap_or_default();
                    cx.error_spanned_by(at, format_args!(
                        "superstate `{name}` of `{component}` is entered {role}{resumed} but declares no initial state: \
                         add `#[state({name}, initial = {first})]`"
                    ));
                }
            }
        };
        if let Some(initial) = self.graph.initial {
            if let Some(name) = &self.decl.initial {
                no_initial(self.cx, initial, name, "as the initial state");
            }
        }
        for (declared, _) in &self.node_edges {
            let target = &self.decl.transitions[declared.transition].to;
            no_initial(self.cx, declared.to, target, "by a transition");
        }

        let first_leaf = |node: usize| tree.leaves_under(node).first().and_then(|&l| leaf_index(l));
        self.graph.stand_in_initial = self.graph.stand_in_initial.and_then(first_leaf);
        self.graph.initial = self
            .graph
            .initial
            .and_then(|node| match tree.leaf_of(node) {
                Some(leaf) => leaf_index(leaf),
                None => {
                    self.graph.stand_in_initial = first_leaf(node);
                    None
                }
            });
        self.graph.terminal = self
            .graph
            .terminal
            .iter()
            .filter_map(|&t| leaf_index(t))
            .collect();

        let declared: Vec<_> = self.node_edges.iter().map(|(d, _)| d).collect();
        let declared_owned: Vec<hierarchy::Declared> = declared
            .iter()
            .map(|d| hierarchy::Declared {
                from: d.from,
                event: d.event,
                to: d.to,
                transition: d.transition,
                source: d.source.clone(),
            })
            .collect();
        let hooks = |nodes: &[usize], exit: bool| -> Vec<usize> {
            nodes
                .iter()
                .copied()
                .filter(|&n| {
                    let node = &tree.nodes[n];
                    if exit {
                        node.exit.is_some()
                    } else {
                        node.entry.is_some()
                    }
                })
                .collect()
        };
        let mut inherited_by_terminal = HashSet::new();
        let mut edges = Vec::new();
        for flat in hierarchy::flatten(tree, &declared_owned) {
            let (decl_edge, edge) = &self.node_edges[flat.declared];
            let (Some(from), Some(to)) = (leaf_index(flat.leaf), leaf_index(flat.target)) else {
                continue;
            };
            if flat.leaf != decl_edge.from
                && self.graph.terminal.contains(&from)
                && inherited_by_terminal.insert(flat.declared)
            {
                let (leaf, source) = (&tree.nodes[flat.leaf].name, &decl_edge.source);
                let event = &self.graph.events[decl_edge.event];
                self.cx.error_spanned_by(source, format_args!(
                    "terminal state `{leaf}` of `{component}` inherits the transition on `{event}` from its superstate `{source}`: \
                     a terminal state ends the lifecycle; move `{leaf}` out of `{source}` or remove it from `terminal(...)`"
                ));
            }
            let (exits, entries) = (hooks(&flat.exits, true), hooks(&flat.entries, false));
            let hooks_async = exits
                .iter()
                .map(|&n| &tree.nodes[n].exit)
                .chain(entries.iter().map(|&n| &tree.nodes[n].entry))
                .any(|hook| hook.as_ref().is_some_and(|h| h.is_async));
            edges.push(Edge {
                from,
                event: edge.event,
                to,
                guard: edge.guard.clone(),
                action: edge.action.clone(),
                guard_async: edge.guard_async,
                action_async: edge.action_async,
                exits,
                entries,
                hooks_async,
                resume: flat.resume,
                first: flat.first,
            });
        }
        // A resuming move is one move whichever leaf it enters: async if
        // any of its leaves' entries is.
        let awaits: HashSet<(usize, usize)> = edges
            .iter()
            .filter(|e| e.resume.is_some() && e.hooks_async)
            .map(|e| (e.from, e.event))
            .collect();
        for edge in edges.iter_mut().filter(|e| e.resume.is_some()) {
            edge.hooks_async |= awaits.contains(&(edge.from, edge.event));
        }
        self.graph.arrows = self
            .node_edges
            .iter()
            .map(|(d, e)| Arrow {
                from: d.from,
                to: d.to,
                event: d.event,
                guarded: e.guard.is_some(),
                has_action: e.action.is_some(),
            })
            .collect();
        self.graph.edges = edges;
        self.graph.states = tree
            .nodes
            .iter()
            .filter(|n| n.leaf.is_some())
            .map(|n| n.name.clone())
            .collect();
    }
}
