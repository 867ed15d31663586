//! Property tests: random DAGs are cleaned in an order that respects every
//! edge, and a planted cycle is reported as a real cycle.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use typestep::cleanup::{CleanupCoordinator, CleanupError, CleanupStep, StepOutcome};

/// A random DAG: node `i` may depend only on nodes `j < i`; `order` is a
/// permutation in which the steps are registered.
fn dag() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<usize>)> {
    (1usize..40).prop_flat_map(|n| {
        let deps = (0..n)
            .map(|i| proptest::sample::subsequence((0..i).collect::<Vec<_>>(), 0..=i.min(4)))
            .collect::<Vec<_>>();
        (deps, Just((0..n).collect::<Vec<_>>()).prop_shuffle())
    })
}

fn clean(deps: &[Vec<usize>], order: &[usize], coordinator: CleanupCoordinator) -> Vec<usize> {
    let ran = Arc::new(Mutex::new(Vec::new()));
    let steps = order.iter().map(|&node| {
        let ran = ran.clone();
        let mut step = CleanupStep::new(format!("s{node}"), move || {
            ran.lock().unwrap().push(node);
            Ok::<(), std::io::Error>(())
        });
        for dependency in &deps[node] {
            step = step.depends_on(format!("s{dependency}"));
        }
        step
    });
    coordinator.register_all(steps).unwrap();
    let report = coordinator.cleanup();
    assert_eq!(report.count(StepOutcome::Ok), deps.len());
    let ran = ran.lock().unwrap().clone();
    ran
}

fn respects_every_edge(deps: &[Vec<usize>], ran: &[usize]) {
    assert_eq!(ran.len(), deps.len(), "each step runs exactly once");
    let mut position = vec![usize::MAX; deps.len()];
    for (index, &node) in ran.iter().enumerate() {
        assert_eq!(position[node], usize::MAX, "s{node} ran twice");
        position[node] = index;
    }
    for (node, dependencies) in deps.iter().enumerate() {
        for &dependency in dependencies {
            assert!(
                position[node] < position[dependency],
                "s{node} depends on s{dependency}, so it must be cleaned first"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn parallel_cleanup_respects_every_edge((deps, order) in dag()) {
        let ran = clean(&deps, &order, CleanupCoordinator::new().max_parallel(4));
        respects_every_edge(&deps, &ran);
    }

    #[test]
    fn sequential_cleanup_respects_every_edge((deps, order) in dag()) {
        let ran = clean(&deps, &order, CleanupCoordinator::new().sequential());
        respects_every_edge(&deps, &ran);
    }

    #[test]
    fn plan_levels_respect_every_edge((deps, order) in dag()) {
        let coordinator = CleanupCoordinator::new();
        coordinator.register_all(order.iter().map(|&node| {
            deps[node].iter().fold(
                CleanupStep::new(format!("s{node}"), || Ok::<(), std::io::Error>(())),
                |step, d| step.depends_on(format!("s{d}")),
            )
        })).unwrap();
        let levels = coordinator.levels();
        let mut level_of = vec![usize::MAX; deps.len()];
        for (index, level) in levels.iter().enumerate() {
            for name in level {
                level_of[name[1..].parse::<usize>().unwrap()] = index;
            }
        }
        for (node, dependencies) in deps.iter().enumerate() {
            prop_assert!(level_of[node] != usize::MAX);
            for &dependency in dependencies {
                prop_assert!(level_of[node] < level_of[dependency]);
            }
        }
    }

    #[test]
    fn a_planted_cycle_is_reported_as_a_real_cycle(
        (deps, order) in dag(),
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 2..6),
    ) {
        // Close a cycle through distinct nodes: c0 -> c1 -> ... -> c0.
        let n = deps.len();
        prop_assume!(n >= 2);
        let mut cycle: Vec<usize> = picks.iter().map(|p| p.index(n)).collect();
        cycle.dedup();
        let mut seen = HashSet::new();
        cycle.retain(|c| seen.insert(*c));
        prop_assume!(cycle.len() >= 2);
        let mut deps = deps;
        for pair in cycle.windows(2) {
            deps[pair[0]].push(pair[1]);
        }
        deps[cycle[cycle.len() - 1]].push(cycle[0]);
        let edges: HashSet<(String, String)> = deps.iter().enumerate()
            .flat_map(|(node, ds)| ds.iter().map(move |d| (format!("s{node}"), format!("s{d}"))))
            .collect();

        let coordinator = CleanupCoordinator::new();
        let error = coordinator.register_all(order.iter().map(|&node| {
            deps[node].iter().fold(
                CleanupStep::new(format!("s{node}"), || Ok::<(), std::io::Error>(())),
                |step, d| step.depends_on(format!("s{d}")),
            )
        })).unwrap_err();
        let CleanupError::Cycle { path } = error else {
            panic!("expected a cycle, got {error}");
        };
        prop_assert!(path.len() >= 2);
        prop_assert_eq!(path.first(), path.last());
        for pair in path.windows(2) {
            prop_assert!(edges.contains(&(pair[0].clone(), pair[1].clone())), "{:?} is not an edge", pair);
        }
        prop_assert!(coordinator.is_empty());
    }
}
