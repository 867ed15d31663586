//! Graph algorithms shared by the derives, on nodes numbered `0..n` and
//! edges given as `(from, to)` pairs in declaration order: the one home of
//! the petgraph searches (cycles, plans and closures of a system; reachability
//! and the can-finish search of a component). Plain Rust over petgraph, so
//! they are unit- and property-tested without the compiler.

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{depth_first_search, Bfs, Control, Dfs, DfsEvent, Reversed};

/// An edge that closes a cycle, with the cycle it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// Index (into the edge list) of the edge that closes the cycle.
    pub closing_edge: usize,
    /// The nodes of the cycle from the closing edge's target around to it
    /// again: `[a, b, c, a]` for `a -> b -> c -> a` closed by `c -> a`.
    pub path: Vec<usize>,
}

/// A graph whose neighbours are visited in declaration order, so that
/// reports and orders are deterministic.
fn build(n: usize, edges: &[(usize, usize)]) -> DiGraph<usize, usize> {
    let mut graph = DiGraph::with_capacity(n, edges.len());
    for node in 0..n {
        graph.add_node(node);
    }
    // petgraph lists a node's edges newest first: add them in reverse.
    for (index, &(from, to)) in edges.iter().enumerate().rev() {
        graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), index);
    }
    graph
}

/// Every edge that closes a cycle, found by one depth-first search in
/// declaration order (its back edges). Removing them all leaves a DAG.
/// Self-loops are reported as cycles of one node (`[a, a]`).
pub fn cycles(n: usize, edges: &[(usize, usize)]) -> Vec<Cycle> {
    let graph = build(n, edges);
    let edge_index: HashMap<(usize, usize), usize> = edges
        .iter()
        .enumerate()
        .rev()
        .map(|(index, &edge)| (edge, index))
        .collect();
    let mut stack: Vec<usize> = Vec::new();
    let mut found = Vec::new();
    depth_first_search(&graph, graph.node_indices(), |event| {
        match event {
            DfsEvent::Discover(node, _) => stack.push(node.index()),
            DfsEvent::Finish(_, _) => {
                stack.pop();
            }
            DfsEvent::BackEdge(from, to) => {
                let (from, to) = (from.index(), to.index());
                let start = stack.iter().rposition(|&node| node == to).unwrap_or(0);
                let mut path = stack[start..].to_vec();
                path.push(to);
                if let Some(&closing_edge) = edge_index.get(&(from, to)) {
                    found.push(Cycle { closing_edge, path });
                }
            }
            DfsEvent::TreeEdge(..) | DfsEvent::CrossForwardEdge(..) => {}
        }
        Control::<()>::Continue
    });
    found.sort_by_key(|cycle| cycle.closing_edge);
    found
}

/// The construction and cleanup plan of an acyclic dependency graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Nodes grouped by depth: level `k` holds the nodes whose longest chain
    /// of dependencies has `k` edges, in declaration order.
    pub init_levels: Vec<Vec<usize>>,
}

impl Plan {
    /// The init order: level by level, declaration order inside a level.
    pub fn init_order(&self) -> Vec<usize> {
        self.init_levels.iter().flatten().copied().collect()
    }

    /// The cleanup plan: the init levels in reverse, each level reversed, so
    /// that flattened it is exactly the reverse of the init order.
    pub fn cleanup_levels(&self) -> Vec<Vec<usize>> {
        self.init_levels
            .iter()
            .rev()
            .map(|level| level.iter().rev().copied().collect())
            .collect()
    }
}

/// Plans `n` nodes where edge `(part, dependency)` means `part` needs
/// `dependency` first. Edges that close a cycle (see [`cycles`]) must have
/// been removed; any left over are ignored.
pub fn plan(n: usize, dependencies: &[(usize, usize)]) -> Plan {
    let acyclic = without_cycles(n, dependencies);
    // Reverse post-order of a DFS over "dependency -> part" is a topological
    // order; depths follow from it in one pass.
    let reversed: Vec<(usize, usize)> = acyclic.iter().map(|&(p, d)| (d, p)).collect();
    let graph = build(n, &reversed);
    let mut postorder = Vec::with_capacity(n);
    depth_first_search(&graph, graph.node_indices(), |event| {
        if let DfsEvent::Finish(node, _) = event {
            postorder.push(node.index());
        }
    });
    let mut depth = vec![0usize; n];
    for &node in postorder.iter().rev() {
        for part in graph.neighbors(NodeIndex::new(node)) {
            depth[part.index()] = depth[part.index()].max(depth[node] + 1);
        }
    }
    let levels = depth.iter().copied().max().map_or(0, |max| max + 1);
    let mut init_levels = vec![Vec::new(); levels];
    for (node, &d) in depth.iter().enumerate() {
        init_levels[d].push(node);
    }
    Plan { init_levels }
}

/// `edges` without the edges that close cycles.
pub fn without_cycles(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let closing: Vec<usize> = cycles(n, edges)
        .into_iter()
        .map(|c| c.closing_edge)
        .collect();
    edges
        .iter()
        .enumerate()
        .filter(|(index, _)| !closing.contains(index))
        .map(|(_, &edge)| edge)
        .collect()
}

/// The transitive closure of an acyclic graph: every `(a, b)` with a path
/// of one or more edges from `a` to `b`, sorted.
pub fn closure(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let graph = build(n, edges);
    let mut pairs = Vec::new();
    for start in graph.node_indices() {
        let mut dfs = Dfs::new(&graph, start);
        while let Some(node) = dfs.next(&graph) {
            if node != start {
                pairs.push((start.index(), node.index()));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Which nodes a path from `start` reaches (`start` included).
pub fn reachable(n: usize, edges: &[(usize, usize)], start: usize) -> Vec<bool> {
    let graph = build(n, edges);
    let mut seen = vec![false; n];
    if start < n {
        let mut bfs = Bfs::new(&graph, NodeIndex::new(start));
        while let Some(node) = bfs.next(&graph) {
            seen[node.index()] = true;
        }
    }
    seen
}

/// Which nodes have a path to at least one of `targets` (the targets
/// included): a search over the reversed graph.
pub fn reaching(n: usize, edges: &[(usize, usize)], targets: &[usize]) -> Vec<bool> {
    let graph = build(n, edges);
    let reversed = Reversed(&graph);
    let mut seen = vec![false; n];
    for &target in targets.iter().filter(|&&t| t < n) {
        let mut bfs = Bfs::new(reversed, NodeIndex::new(target));
        while let Some(node) = bfs.next(reversed) {
            seen[node.index()] = true;
        }
    }
    seen
}

/// A node cut off from the start, with the nodes cut off behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutOff {
    /// The first-declared node of a group that nothing reachable, and
    /// nothing else cut off, leads into: where a transition is missing.
    pub node: usize,
    /// The other unreachable nodes a path from `node` reaches, in order.
    pub behind: Vec<usize>,
}

/// The nodes unreachable from `start`, reported once per place where an
/// edge is missing: each group of unreachable nodes (a strongly connected
/// component) that no other unreachable node leads into gives its
/// first-declared node, and lists what lies behind it.
pub fn cut_off(n: usize, edges: &[(usize, usize)], start: usize) -> Vec<CutOff> {
    let reached = reachable(n, edges, start);
    let lost: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(from, to)| !reached[from] && !reached[to])
        .collect();
    // The graph, its groups and their members once: the loop below then
    // costs what each root reaches, not the whole graph per unreachable
    // node (which made a large component's errors quadratic).
    let graph = build(n, &lost);
    let groups = tarjan_scc(&graph);
    let mut group = vec![usize::MAX; n];
    for (index, members) in groups.iter().enumerate() {
        for node in members {
            group[node.index()] = index;
        }
    }
    let mut entered = vec![false; groups.len()];
    for &(from, to) in &lost {
        if group[from] != group[to] {
            entered[group[to]] = true;
        }
    }
    let mut roots = Vec::new();
    let mut done = vec![false; groups.len()];
    let mut dfs = Dfs::empty(&graph);
    for node in (0..n).filter(|&node| !reached[node]) {
        if done[group[node]] || entered[group[node]] {
            continue;
        }
        done[group[node]] = true;
        dfs.reset(&graph);
        dfs.move_to(NodeIndex::new(node));
        let mut behind = Vec::new();
        while let Some(next) = dfs.next(&graph) {
            if next.index() != node {
                behind.push(next.index());
            }
        }
        behind.sort_unstable();
        roots.push(CutOff { node, behind });
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_the_whole_cycle_on_its_closing_edge() {
        // a -> b -> c -> a, d -> a
        let edges = [(0, 1), (1, 2), (2, 0), (3, 0)];
        let found = cycles(4, &edges);
        assert_eq!(
            found,
            [Cycle {
                closing_edge: 2,
                path: vec![0, 1, 2, 0]
            }]
        );
        assert!(cycles(2, &[(0, 1)]).is_empty());
        assert_eq!(cycles(1, &[(0, 0)])[0].path, [0, 0]);
    }

    #[test]
    fn plans_the_monitoring_system() {
        // pool, coordinator -> pool, buffers -> pool + coordinator, logger
        let plan = plan(4, &[(1, 0), (2, 0), (2, 1)]);
        assert_eq!(plan.init_levels, [vec![0, 3], vec![1], vec![2]]);
        assert_eq!(plan.init_order(), [0, 3, 1, 2]);
        assert_eq!(plan.cleanup_levels(), [vec![2], vec![1], vec![3, 0]]);
    }

    #[test]
    fn closure_joins_a_diamond() {
        // a -> b, a -> c, b -> d, c -> d
        let pairs = closure(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
        assert_eq!(pairs, [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]);
    }

    #[test]
    fn one_missing_edge_cuts_off_one_state() {
        // 0 -> 1, then 2 -> 3 -> 4 -> 2 and 3 -> 5: the edge into 2 is missing.
        let edges = [(0, 1), (2, 3), (3, 4), (4, 2), (3, 5)];
        assert_eq!(
            cut_off(6, &edges, 0),
            [CutOff {
                node: 2,
                behind: vec![3, 4, 5]
            }]
        );
        assert_eq!(
            reachable(6, &edges, 0),
            [true, true, false, false, false, false]
        );
        assert_eq!(
            reaching(6, &edges, &[5]),
            [false, false, true, true, true, true]
        );
        // Two independent gaps are two reports; nothing cut off, no report.
        let found = cut_off(4, &[(0, 1), (2, 3)], 0);
        assert_eq!(found.iter().map(|c| c.node).collect::<Vec<_>>(), [2]);
        let found = cut_off(4, &[(0, 1)], 0);
        assert_eq!(found.iter().map(|c| c.node).collect::<Vec<_>>(), [2, 3]);
        assert!(cut_off(2, &[(0, 1)], 0).is_empty());
    }

    /// A random DAG on `n` nodes: edges only from higher to lower rank,
    /// with ranks shuffled so declaration order tells nothing.
    fn dag() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
        (1usize..40).prop_flat_map(|n| {
            let pairs = proptest::collection::vec((0..n, 0..n), 0..n * 3);
            (
                Just(n),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                pairs,
            )
                .prop_map(|(n, rank, pairs)| {
                    let mut edges: Vec<(usize, usize)> = pairs
                        .into_iter()
                        .filter(|&(a, b)| rank[a] > rank[b])
                        .collect();
                    edges.sort_unstable();
                    edges.dedup();
                    (n, edges)
                })
        })
    }

    proptest! {
        #[test]
        fn plan_respects_every_edge((n, edges) in dag()) {
            prop_assert!(cycles(n, &edges).is_empty());
            let plan = plan(n, &edges);
            let init = plan.init_order();
            let mut sorted = init.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            let position = |node: usize| init.iter().position(|&x| x == node).unwrap();
            let cleanup = plan.cleanup_levels();
            let level = |node: usize| cleanup.iter().position(|l| l.contains(&node)).unwrap();
            for &(part, dependency) in &edges {
                prop_assert!(position(dependency) < position(part));
                prop_assert!(level(part) < level(dependency));
            }
            let flat: Vec<usize> = cleanup.iter().flatten().copied().collect();
            let reversed: Vec<usize> = init.iter().rev().copied().collect();
            prop_assert_eq!(flat, reversed);
            prop_assert!(cleanup.iter().all(|l| !l.is_empty()));
        }

        #[test]
        fn cycles_are_real_and_removing_them_leaves_a_dag(
            n in 1usize..25,
            raw in proptest::collection::vec((0usize..25, 0usize..25), 0..60),
        ) {
            let mut edges: Vec<(usize, usize)> =
                raw.into_iter().map(|(a, b)| (a % n, b % n)).collect();
            edges.sort_unstable();
            edges.dedup();
            for cycle in cycles(n, &edges) {
                prop_assert_eq!(cycle.path.first(), cycle.path.last());
                for step in cycle.path.windows(2) {
                    prop_assert!(edges.contains(&(step[0], step[1])));
                }
                let closing = edges[cycle.closing_edge];
                let len = cycle.path.len();
                prop_assert_eq!((cycle.path[len - 2], cycle.path[len - 1]), closing);
            }
            let acyclic = without_cycles(n, &edges);
            prop_assert!(cycles(n, &acyclic).is_empty());
            let graph = build(n, &acyclic);
            prop_assert!(petgraph::algo::toposort(&graph, None).is_ok());
        }

        #[test]
        fn every_unreachable_node_lies_behind_exactly_one_reported_cut(
            n in 1usize..20,
            raw in proptest::collection::vec((0usize..20, 0usize..20), 0..40),
        ) {
            let edges: Vec<(usize, usize)> = raw.into_iter().map(|(a, b)| (a % n, b % n)).collect();
            let reached = reachable(n, &edges, 0);
            let cuts = cut_off(n, &edges, 0);
            for node in (0..n).filter(|&m| !reached[m]) {
                let covered = cuts.iter().any(|c| c.node == node || c.behind.contains(&node));
                prop_assert!(covered, "{node} is unreachable but not reported");
            }
            for cut in &cuts {
                prop_assert!(!reached[cut.node]);
                // Nothing unreachable leads into a reported node from outside its group.
                for &(from, to) in &edges {
                    if to == cut.node && !reached[from] {
                        prop_assert!(reachable(n, &edges, cut.node)[from]);
                    }
                }
            }
        }

        #[test]
        fn closure_is_reachability((n, edges) in dag()) {
            // Naive reachability (Warshall) as the reference.
            let mut reach = vec![vec![false; n]; n];
            for &(a, b) in &edges {
                reach[a][b] = true;
            }
            for k in 0..n {
                for i in 0..n {
                    for j in 0..n {
                        if reach[i][k] && reach[k][j] {
                            reach[i][j] = true;
                        }
                    }
                }
            }
            let mut expected = Vec::new();
            for (i, row) in reach.iter().enumerate() {
                for (j, &reachable) in row.iter().enumerate() {
                    if reachable {
                        expected.push((i, j));
                    }
                }
            }
            prop_assert_eq!(closure(n, &edges), expected);
        }
    }
}
