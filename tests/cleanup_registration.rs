//! Registration validates the graph; registration during cleanup joins it.

use std::sync::{Arc, Mutex};

use typestep::cleanup::{CleanupCoordinator, CleanupError, CleanupStep, Registered, StepOutcome};

fn noop(name: &str) -> CleanupStep {
    CleanupStep::new(name.to_owned(), || Ok::<(), std::io::Error>(()))
}

#[test]
fn a_cycle_is_an_error_naming_the_whole_path_and_nothing_is_registered() {
    let coordinator = CleanupCoordinator::new();
    let error = coordinator
        .register_all([
            noop("entry"),
            noop("a").depends_on("b").depends_on("entry"),
            noop("b").depends_on("c"),
            noop("c").depends_on("a"),
        ])
        .unwrap_err();
    assert_eq!(
        error,
        CleanupError::Cycle {
            path: ["a", "b", "c", "a"].map(String::from).to_vec()
        }
    );
    assert_eq!(
        error.to_string(),
        "cleanup dependencies form a cycle: a -> b -> c -> a"
    );
    assert!(coordinator.is_empty());
}

#[test]
fn a_step_depending_on_itself_is_a_cycle() {
    let coordinator = CleanupCoordinator::new();
    let error = coordinator.register(noop("a").depends_on("a")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cleanup dependencies form a cycle: a -> a"
    );
}

#[test]
fn a_missing_dependency_is_an_error_naming_it() {
    let coordinator = CleanupCoordinator::new();
    coordinator.register(noop("pool")).unwrap();
    let error = coordinator
        .register_all([
            noop("buffers").depends_on("pool"),
            noop("monitor").depends_on("pol"),
        ])
        .unwrap_err();
    assert_eq!(
        error,
        CleanupError::MissingDependency {
            step: "monitor".into(),
            missing: "pol".into()
        }
    );
    // The whole batch was refused: `buffers` is not registered either.
    assert_eq!(coordinator.len(), 1);
}

#[test]
fn a_duplicate_name_is_an_error() {
    let coordinator = CleanupCoordinator::new();
    coordinator.register(noop("pool")).unwrap();
    assert_eq!(
        coordinator.register(noop("pool")).unwrap_err(),
        CleanupError::Duplicate("pool".into())
    );
}

#[test]
fn batch_order_does_not_matter_and_the_plan_lists_levels() {
    let coordinator = CleanupCoordinator::new();
    // Registered users-first: dependencies named before they appear in the batch.
    coordinator
        .register_all([
            noop("buffers").depends_on("pool"),
            noop("components").depends_on("pool"),
            noop("monitor")
                .depends_on("buffers")
                .depends_on("components"),
            noop("pool"),
        ])
        .unwrap();
    assert_eq!(
        coordinator.levels(),
        vec![vec!["monitor"], vec!["buffers", "components"], vec!["pool"]]
    );
}

#[test]
fn a_step_registered_during_cleanup_joins_it_at_once() {
    let coordinator = Arc::new(CleanupCoordinator::new().sequential());
    let seen = Arc::new(Mutex::new(None));
    let (inner, answer) = (coordinator.clone(), seen.clone());
    coordinator.register(noop("pool")).unwrap();
    coordinator
        .register(
            CleanupStep::new("late-comer-spawner", move || {
                // A component appearing while cleanup runs registers its own step.
                let registered = inner.register(noop("late-comer").depends_on("pool"));
                *answer.lock().unwrap() = Some((registered, inner.is_cleaning()));
                Ok::<(), std::io::Error>(())
            })
            .depends_on("pool"),
        )
        .unwrap();
    let report = coordinator.cleanup();
    assert_eq!(
        *seen.lock().unwrap(),
        Some((Ok(Registered::JoinedRunningCleanup), true))
    );
    // It ran in the same cleanup, and before the pool it depends on.
    let order: Vec<&str> = report.steps.iter().map(|row| row.name.as_str()).collect();
    assert_eq!(order, ["late-comer-spawner", "late-comer", "pool"]);
    assert!(!coordinator.is_cleaning());
}

#[test]
fn a_step_depending_on_an_already_cleaned_step_is_refused() {
    let coordinator = CleanupCoordinator::new();
    coordinator.register(noop("pool")).unwrap();
    assert_eq!(coordinator.cleanup().outcome("pool"), Some(StepOutcome::Ok));
    assert_eq!(
        coordinator.register(noop("buffers").depends_on("pool")),
        Err(CleanupError::DependencyAlreadyCleaned {
            step: "buffers".into(),
            dependency: "pool".into()
        })
    );
    // An independent step registered after a cleanup runs at the next one.
    assert_eq!(
        coordinator.register(noop("metrics")),
        Ok(Registered::Queued)
    );
    assert_eq!(
        coordinator.cleanup().outcome("metrics"),
        Some(StepOutcome::Ok)
    );
}

#[test]
fn the_report_prints_as_a_table() {
    let coordinator = CleanupCoordinator::new().sequential();
    coordinator
        .register_all([
            noop("pool"),
            CleanupStep::new("buffers", || Err::<(), _>("leak")).depends_on("pool"),
        ])
        .unwrap();
    let text = coordinator.cleanup().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("step") && lines[0].contains("outcome"));
    assert!(
        lines[1].starts_with("buffers")
            && lines[1].contains("failed")
            && lines[1].ends_with("leak")
    );
    assert!(lines[2].starts_with("pool") && lines[2].contains("ok"));
    assert_eq!(lines[3], "2 steps, 1 ok, 1 with problems");
}

#[cfg(feature = "serde")]
#[test]
fn the_report_serializes_and_reads_back() {
    let coordinator = CleanupCoordinator::new();
    coordinator
        .register(CleanupStep::new("pool", || Err::<(), _>("leak")).component("Pool"))
        .unwrap();
    let report = coordinator.cleanup();
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains(r#""outcome":"Failed""#), "{json}");
    let back: typestep::cleanup::CleanupReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn registrations_racing_a_parallel_cleanup_are_run_exactly_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    const THREADS: usize = 2;
    const PER_THREAD: usize = 200;
    let coordinator = CleanupCoordinator::new().max_parallel(4);
    let runs: Arc<Vec<AtomicUsize>> = Arc::new(
        (0..THREADS * PER_THREAD)
            .map(|_| AtomicUsize::new(0))
            .collect(),
    );
    // A base step every racing step depends on: it must run after all of them.
    coordinator.register(noop("base")).unwrap();
    let mut first = None;
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let (coordinator, runs) = (&coordinator, runs.clone());
            scope.spawn(move || {
                for index in 0..PER_THREAD {
                    let id = thread * PER_THREAD + index;
                    let counter = runs.clone();
                    let step = CleanupStep::new(format!("racer{id}"), move || {
                        counter[id].fetch_add(1, Ordering::SeqCst);
                        Ok::<(), std::io::Error>(())
                    });
                    match coordinator.register(step.depends_on("base")) {
                        // Joined the running cleanup, or queued for the next.
                        Ok(_) => {}
                        // `base` was already being cleaned: the step was refused.
                        Err(CleanupError::DependencyAlreadyCleaned { .. }) => {
                            runs[id].fetch_add(1, Ordering::SeqCst);
                        }
                        Err(other) => panic!("unexpected: {other}"),
                    }
                }
            });
        }
        first = Some(coordinator.cleanup());
    });
    let second = coordinator.cleanup();
    // Every step either ran once (in the first or second cleanup) or was refused once.
    for (id, count) in runs.iter().enumerate() {
        assert_eq!(count.load(Ordering::SeqCst), 1, "racer{id}");
    }
    // `base` finished after every racer that was accepted.
    let order: Vec<&str> = second.steps.iter().map(|row| row.name.as_str()).collect();
    let base = order.iter().position(|name| *name == "base").unwrap();
    assert_eq!(base, order.len() - 1, "base must be the last step cleaned");
    assert!(first.unwrap().steps.len() <= second.steps.len());
}
