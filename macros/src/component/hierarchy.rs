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

use super::ast::Hook;
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
    pub entry: Option<Hook>,
    pub exit: Option<Hook>,
}

impl Node {
    /// A state named `name` under `parent`, with no children or options yet.
    pub fn new(name: Name, parent: Option<usize>) -> Node {
        Node {
            name,
            parent,
            children: Vec::new(),
            leaf: None,
            initial: None,
            history: false,
            entry: None,
            exit: None,
        }
    }
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
    /// When the target is decided at run time (the move enters a
    /// superstate with `history` by default): the declared target, whose
    /// default entry picks the leaf. `None` for a move with one leaf.
    pub resume: Option<usize>,
    /// Whether this is the move of the first entry (no memory yet), or of a
    /// move with one leaf: the one the table and the typed handles see.
    pub first: bool,
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

    /// The superstates (node indices), in the order written: the order of
    /// `Component::NESTING`.
    pub fn superstates(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&n| !self.is_leaf(n))
            .collect()
    }

    /// The superstates declared with `history`, in the order of
    /// `Component::HISTORY`.
    pub fn history_superstates(&self) -> Vec<usize> {
        self.superstates()
            .into_iter()
            .filter(|&n| self.nodes[n].history)
            .collect()
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

    /// The superstate without `initial` met on the way down from `node`
    /// (through `initial`, and through any child of a superstate with
    /// `history`, which may resume it), if any, with the superstate whose
    /// `history` leads there (`None`: on the way through `initial`s).
    pub fn missing_initial(&self, node: usize) -> Option<(usize, Option<usize>)> {
        if self.is_leaf(node) {
            return None;
        }
        let here = &self.nodes[node];
        let Some(initial) = here.initial else {
            return Some((node, None));
        };
        if let Some(found) = self.missing_initial(initial) {
            return Some(found);
        }
        if !here.history {
            return None;
        }
        here.children
            .iter()
            .filter(|&&c| c != initial)
            .find_map(|&c| self.missing_initial(c))
            .map(|(missing, via)| (missing, via.or(Some(node))))
    }

    /// Every way down from `node` when it is entered by default (the states
    /// entered below it, ending at a leaf): a superstate with `history`
    /// may resume any child, any other goes through its `initial`. The
    /// first way is the first entry, through `initial`s (as
    /// [`descend`](Self::descend)). `None` when a superstate on the way has
    /// no `initial`.
    pub fn descents(&self, node: usize) -> Option<Vec<Vec<usize>>> {
        if self.is_leaf(node) {
            return Some(vec![Vec::new()]);
        }
        let here = &self.nodes[node];
        let initial = here.initial?;
        let others = here.children.iter().copied().filter(|&c| c != initial);
        let children: Vec<usize> = if here.history {
            std::iter::once(initial).chain(others).collect()
        } else {
            vec![initial]
        };
        let mut out = Vec::new();
        for child in children {
            for below in self.descents(child)? {
                out.push(std::iter::once(child).chain(below).collect());
            }
        }
        Some(out)
    }

    /// Whether entering `node` by default may end in more than one leaf
    /// (a superstate with `history` on the way).
    pub fn resumes(&self, node: usize) -> bool {
        self.descents(node).is_some_and(|d| d.len() > 1)
    }

    /// The innermost state that is a proper ancestor of both `a` and `b`
    /// (`None`: the top level). A transition from a state to itself or to
    /// a state nested in it leaves and re-enters it (an external move).
    pub fn domain(&self, a: usize, b: usize) -> Option<usize> {
        let above_a: Vec<usize> = self.ancestors(a).skip(1).collect();
        self.ancestors(b).skip(1).find(|n| above_a.contains(n))
    }

    /// The moves of `leaf` along a transition declared on `source` (`leaf`
    /// or one of its ancestors) into `target`: one, or one per leaf it may
    /// resume when it enters a superstate with `history` (the first is the
    /// first entry); empty when the target has no leaf to enter.
    pub fn flat_moves(&self, leaf: usize, source: usize, target: usize) -> Vec<Flat> {
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
        let descents = self.descents(target).unwrap_or_default();
        let resume = (descents.len() > 1).then_some(target);
        descents
            .into_iter()
            .enumerate()
            .map(|(way, below)| Flat {
                leaf,
                declared: usize::MAX,
                target: below.last().copied().unwrap_or(target),
                exits: exits.clone(),
                entries: entries.iter().copied().chain(below).collect(),
                resume,
                first: way == 0,
            })
            .collect()
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
            for mut flat in tree.flat_moves(leaf, edge.from, edge.to) {
                flat.declared = index;
                out.push(flat);
            }
        }
    }
    out
}

/// A leaf-level move for the whole-graph checks: `from` and `to` leaves
/// (node indices), and the children of superstates with `history` it
/// resumes (other than their `initial`): it can happen only once the
/// machine has been in each of them, since a superstate remembers only a
/// child it was left from.
pub struct Pair {
    pub from: usize,
    pub to: usize,
    pub resumes: Vec<usize>,
}

/// The leaf-level pairs of node-level `(from, event, to)` pairs, for the
/// whole-graph checks: each leaf takes the pairs of the innermost state
/// that declares the event (all of them, so that a conflicting pair still
/// counts as the user wrote it), one per leaf a superstate with `history`
/// may resume.
pub fn flatten_pairs(tree: &Tree, pairs: &[(usize, String, usize)]) -> Vec<Pair> {
    let mut out = Vec::new();
    for (from, event, to) in pairs {
        let Some(descents) = tree.descents(*to) else {
            continue;
        };
        let sources: Vec<usize> = tree
            .leaves_under(*from)
            .into_iter()
            .filter(|&leaf| {
                let handler = tree
                    .ancestors(leaf)
                    .find(|&n| pairs.iter().any(|(f, e, _)| *f == n && e == event));
                handler == Some(*from)
            })
            .collect();
        for below in descents {
            let path: Vec<usize> = std::iter::once(*to).chain(below.iter().copied()).collect();
            let resumes: Vec<usize> = path
                .windows(2)
                .filter(|w| tree.nodes[w[0]].history && tree.nodes[w[0]].initial != Some(w[1]))
                .map(|w| w[1])
                .collect();
            let target = below.last().copied().unwrap_or(*to);
            for &leaf in &sources {
                out.push(Pair {
                    from: leaf,
                    to: target,
                    resumes: resumes.clone(),
                });
            }
        }
    }
    out
}

/// The leaf-level `(from, to)` edges of `pairs` (leaf indices) that can
/// happen: a resuming move only once the machine can have been in each
/// child it resumes, found by growing the reachable set from `initial`.
pub fn possible_edges(tree: &Tree, pairs: &[Pair], initial: usize) -> Vec<(usize, usize)> {
    let leaf = |node: usize| tree.nodes[node].leaf;
    let count = tree.nodes.iter().filter(|n| n.leaf.is_some()).count();
    let mut reached = vec![false; count];
    if let Some(slot) = reached.get_mut(initial) {
        *slot = true;
    }
    let been_in = |reached: &[bool], child: usize| {
        tree.leaves_under(child)
            .into_iter()
            .any(|l| leaf(l).is_some_and(|l| reached[l]))
    };
    loop {
        let mut grew = false;
        for pair in pairs {
            let (Some(from), Some(to)) = (leaf(pair.from), leaf(pair.to)) else {
                continue;
            };
            if reached[from] && !reached[to] && pair.resumes.iter().all(|&c| been_in(&reached, c)) {
                reached[to] = true;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    pairs
        .iter()
        .filter(|pair| pair.resumes.iter().all(|&c| been_in(&reached, c)))
        .filter_map(|pair| Some((leaf(pair.from)?, leaf(pair.to)?)))
        .collect()
}
