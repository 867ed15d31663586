//! Nested states: the tree written in `states(A, B(C, D))`, the
//! `#[state(...)]` options applied to it, and the flattening of transitions
//! declared on any state into the moves of the leaves (UML/SCXML rules: the
//! innermost state that declares an event handles it; a move exits up to
//! the least common proper ancestor of source and target, innermost first,
//! and enters down to the target leaf, outermost first).
//!
//! A machine without nesting is a tree of leaves only: every node is a leaf
//! with its own index, and flattening returns the declared edges unchanged
//! and in the same order.

use syn::ExprPath;

use crate::name::Name;

/// A state written in `states(...)`: a leaf, or a superstate with children.
pub struct Node {
    pub name: Name,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// The leaf's index in `Graph::states` (`None` for a superstate).
    pub leaf: Option<usize>,
    /// `initial = Child` of a superstate (a node index).
    pub initial: Option<usize>,
    /// `history`: re-entering resumes the last active child.
    pub history: bool,
    pub entry: Option<ExprPath>,
    pub exit: Option<ExprPath>,
}

/// Every valid state, leaves and superstates, in the order written.
#[derive(Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// A transition as declared, on any state: `from -> to on event`, with the
/// position of its `#[transition]` in the declaration.
pub struct Declared {
    pub from: usize,
    pub event: usize,
    pub to: usize,
    pub transition: usize,
    /// The source as written (for messages).
    pub source: Name,
}

/// A declared transition between two states of the tree.
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub event: usize,
    pub guarded: bool,
    pub has_action: bool,
}

/// One move of a leaf along a flattened transition.
pub struct Flat {
    /// The leaf (node index) the move leaves.
    pub leaf: usize,
    /// The declared transition it comes from (index into the declared list).
    pub declared: usize,
    /// The leaf (node index) the move enters.
    pub target: usize,
    /// The states left, innermost first (node indices).
    pub exits: Vec<usize>,
    /// The states entered, outermost first (node indices).
    pub entries: Vec<usize>,
}

impl Tree {
    pub fn is_leaf(&self, node: usize) -> bool {
        self.nodes[node].children.is_empty()
    }

    /// Whether the machine has any nesting or any entry/exit action.
    pub fn is_flat(&self) -> bool {
        self.nodes
            .iter()
            .all(|n| n.children.is_empty() && n.entry.is_none() && n.exit.is_none())
    }

    /// `node` and its ancestors, innermost first.
    pub fn ancestors(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(node), move |&n| self.nodes[n].parent)
    }

    /// The leaves in or under `node`, in the order written.
    pub fn leaves_under(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if self.is_leaf(n) {
                out.push(n);
            } else {
                stack.extend(self.nodes[n].children.iter().rev());
            }
        }
        out
    }

    /// The states entered below `node` when it is entered, down to its
    /// leaf through each `initial`; `None` when a superstate on the way has
    /// no `initial` (reported where the superstate is targeted).
    pub fn descend(&self, node: usize) -> Option<Vec<usize>> {
        let mut path = Vec::new();
        let mut at = node;
        while !self.is_leaf(at) {
            at = self.nodes[at].initial?;
            path.push(at);
        }
        Some(path)
    }

    /// The leaf entered when `node` is entered.
    pub fn leaf_of(&self, node: usize) -> Option<usize> {
        match self.descend(node)?.last() {
            Some(&leaf) => Some(leaf),
            None => Some(node),
        }
    }

    /// The superstate `Some(n)` without `initial` met on the way down from
    /// `node`, if any.
    pub fn missing_initial(&self, node: usize) -> Option<usize> {
        let mut at = node;
        while !self.is_leaf(at) {
            match self.nodes[at].initial {
                Some(next) => at = next,
                None => return Some(at),
            }
        }
        None
    }

    /// The innermost state that is a proper ancestor of both `a` and `b`
    /// (`None`: the top level). A transition from a state to itself or to
    /// a state nested in it leaves and re-enters it (an external move).
    pub fn domain(&self, a: usize, b: usize) -> Option<usize> {
        let above_a: Vec<usize> = self.ancestors(a).skip(1).collect();
        self.ancestors(b).skip(1).find(|n| above_a.contains(n))
    }

    /// The move of `leaf` along a transition declared on `source` (`leaf`
    /// or one of its ancestors) into `target`; `None` when the target has
    /// no leaf to enter.
    pub fn flat_move(&self, leaf: usize, source: usize, target: usize) -> Option<Flat> {
        let domain = self.domain(source, target);
        let exits: Vec<usize> = self
            .ancestors(leaf)
            .take_while(|&n| Some(n) != domain)
            .collect();
        let mut entries: Vec<usize> = self
            .ancestors(target)
            .take_while(|&n| Some(n) != domain)
            .collect();
        entries.reverse();
        let below = self.descend(target)?;
        let target_leaf = below.last().copied().unwrap_or(target);
        entries.extend(below);
        Some(Flat {
            leaf,
            declared: usize::MAX,
            target: target_leaf,
            exits,
            entries,
        })
    }
}

/// Flattens the declared transitions into leaf moves, in declaration order:
/// a transition declared on a superstate becomes one move per leaf under
/// it, unless the leaf (or a state between them) declares the same event.
pub fn flatten(tree: &Tree, declared: &[Declared]) -> Vec<Flat> {
    let mut out = Vec::new();
    for (index, edge) in declared.iter().enumerate() {
        for leaf in tree.leaves_under(edge.from) {
            let handler = tree.ancestors(leaf).find(|&n| {
                declared
                    .iter()
                    .any(|d| d.from == n && d.event == edge.event)
            });
            if handler != Some(edge.from) {
                continue;
            }
            if let Some(mut flat) = tree.flat_move(leaf, edge.from, edge.to) {
                flat.declared = index;
                out.push(flat);
            }
        }
    }
    out
}

/// The leaf-level `(from, to)` pairs of node-level `(from, event, to)`
/// pairs, for the whole-graph checks: each leaf takes the pairs of the
/// innermost state that declares the event (all of them, so that a
/// conflicting pair still counts as the user wrote it).
pub fn flatten_pairs(tree: &Tree, pairs: &[(usize, String, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (from, event, to) in pairs {
        let Some(target) = tree.leaf_of(*to) else {
            continue;
        };
        for leaf in tree.leaves_under(*from) {
            let handler = tree
                .ancestors(leaf)
                .find(|&n| pairs.iter().any(|(f, e, _)| *f == n && e == event));
            if handler == Some(*from) {
                out.push((leaf, target));
            }
        }
    }
    out
}
