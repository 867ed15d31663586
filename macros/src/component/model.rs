//! The checked model of a component that code generation reads: the leaf
//! states, the events, and the flattened moves (`Edge`) of the valid part
//! of a declaration, as `check` leaves them.

use syn::ExprPath;

use super::hierarchy::{Arrow, Tree};
use crate::name::Name;

/// The valid part of a declaration, with states and events numbered in
/// declaration order.
pub struct Graph {
    /// The leaves: the states a machine is ever in.
    pub states: Vec<Name>,
    pub events: Vec<Name>,
    pub initial: Option<usize>,
    /// The state generated code starts in when `initial` is missing or
    /// misspelled (its error is already reported): the suggested state, or
    /// the first one.
    pub stand_in_initial: Option<usize>,
    pub terminal: Vec<usize>,
    /// The moves of the leaves, nested transitions flattened.
    pub edges: Vec<Edge>,
    /// Every valid state, leaves and superstates (node indices).
    pub tree: Tree,
    /// The transitions as declared, on any state (for diagrams).
    pub arrows: Vec<Arrow>,
}

/// One valid transition `from -> to on event`.
pub struct Edge {
    pub from: usize,
    pub event: usize,
    pub to: usize,
    pub guard: Option<ExprPath>,
    pub action: Option<ExprPath>,
    /// The guard is an async fn.
    pub guard_async: bool,
    /// The action is an async fn.
    pub action_async: bool,
    /// The states whose exit action runs, innermost first (node indices
    /// into `Graph::tree`).
    pub exits: Vec<usize>,
    /// The states whose entry action runs, outermost first.
    pub entries: Vec<usize>,
    /// Some exit or entry action of the move is `async` (for a resuming
    /// move: of any of the leaves it may enter).
    pub hooks_async: bool,
    /// For a move whose leaf is decided at run time (it enters a
    /// superstate with `history` by default): the declared target node,
    /// whose default entry picks which of the edges with this `from` and
    /// `event` is taken. `None` for a move with one target.
    pub resume: Option<usize>,
    /// Whether this is the edge the table and the typed handles see: the
    /// only one of its `from` and `event`, or the first entry of a resuming
    /// move.
    pub first: bool,
}

impl Graph {
    /// The leaf states (indices into `states`) in or under tree node `node`,
    /// in the order written.
    pub fn leaf_states(&self, node: usize) -> Vec<usize> {
        self.tree
            .leaves_under(node)
            .into_iter()
            .filter_map(|n| self.tree.nodes[n].leaf)
            .collect()
    }
}

impl Edge {
    pub fn is_fallible(&self) -> bool {
        self.guard.is_some() || self.action.is_some() || self.has_hooks()
    }

    /// Whether the move runs an exit or entry action.
    pub fn has_hooks(&self) -> bool {
        !self.exits.is_empty() || !self.entries.is_empty()
    }
}
