//! Fault injection: every outcome of a cleanup step, and the policy for the
//! dependencies of a step that did not finish cleanly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use typestep::cleanup::{
    CleanupCoordinator, CleanupStep, FailurePolicy, StepOutcome, Verification,
};

type Log = Arc<Mutex<Vec<&'static str>>>;

/// A step that notes its name in `log` when it runs and succeeds.
fn ok(name: &'static str, log: &Log) -> CleanupStep {
    let log = log.clone();
    CleanupStep::new(name, move || {
        log.lock().unwrap().push(name);
        Ok::<(), std::io::Error>(())
    })
}

#[test]
fn a_failing_step_is_recorded_with_its_error_and_the_rest_runs() {
    let log = Log::default();
    let coordinator = CleanupCoordinator::new().sequential();
    coordinator
        .register_all([
            ok("pool", &log),
            CleanupStep::new("buffers", || {
                Err::<(), _>(std::io::Error::other("3 buffers still borrowed"))
            })
            .depends_on("pool"),
            ok("monitor", &log).depends_on("buffers"),
        ])
        .unwrap();
    let report = coordinator.cleanup();
    let row = report.get("buffers").unwrap();
    assert_eq!(row.outcome, StepOutcome::Failed);
    assert_eq!(row.verification, Verification::NotDeclared);
    assert_eq!(row.context.as_deref(), Some("3 buffers still borrowed"));
    // Default policy: the dependencies of a failed step still run.
    assert_eq!(*log.lock().unwrap(), ["monitor", "pool"]);
    assert_eq!(report.count(StepOutcome::Ok), 2);
    assert!(!report.is_clean());
}

#[test]
fn a_panicking_step_is_recorded_with_its_message_and_the_rest_runs() {
    let log = Log::default();
    let coordinator = CleanupCoordinator::new();
    coordinator
        .register_all([
            ok("pool", &log),
            CleanupStep::new("workers", || -> Result<(), std::io::Error> {
                panic!("worker thread poisoned its queue")
            })
            .depends_on("pool"),
        ])
        .unwrap();
    let report = coordinator.cleanup();
    let row = report.get("workers").unwrap();
    assert_eq!(row.outcome, StepOutcome::Panicked);
    assert!(row
        .context
        .as_deref()
        .unwrap()
        .contains("worker thread poisoned its queue"));
    assert_eq!(report.outcome("pool"), Some(StepOutcome::Ok));
    assert_eq!(*log.lock().unwrap(), ["pool"]);
}

#[test]
fn a_step_whose_verification_fails_or_panics_is_unverified() {
    let coordinator = CleanupCoordinator::new();
    coordinator
        .register_all([
            CleanupStep::new("threads", || Ok::<(), std::io::Error>(())).verify_that(|| false),
            CleanupStep::new("files", || Ok::<(), std::io::Error>(()))
                .verify(|| Err::<(), _>("2 files still open")),
            CleanupStep::new("sockets", || Ok::<(), std::io::Error>(()))
                .verify(|| -> Result<(), std::io::Error> { panic!("socket table corrupted") }),
            CleanupStep::new("pool", || Ok::<(), std::io::Error>(())).verify_that(|| true),
        ])
        .unwrap();
    let report = coordinator.cleanup();
    for name in ["threads", "files", "sockets"] {
        let row = report.get(name).unwrap();
        assert_eq!(row.outcome, StepOutcome::Unverified, "{name}");
        assert_eq!(row.verification, Verification::Failed, "{name}");
    }
    assert!(report
        .get("files")
        .unwrap()
        .context
        .as_deref()
        .unwrap()
        .contains("2 files still open"));
    assert!(report
        .get("sockets")
        .unwrap()
        .context
        .as_deref()
        .unwrap()
        .contains("verification panicked: socket table corrupted"));
    let pool = report.get("pool").unwrap();
    assert_eq!(
        (pool.outcome, pool.verification),
        (StepOutcome::Ok, Verification::Passed)
    );
}

#[test]
fn verification_also_runs_after_a_failed_action() {
    let coordinator = CleanupCoordinator::new();
    coordinator
        .register(
            CleanupStep::new("pool", || Err::<(), _>("close returned EINTR")).verify_that(|| true),
        )
        .unwrap();
    let row = coordinator.cleanup().get("pool").cloned().unwrap();
    assert_eq!(row.outcome, StepOutcome::Failed);
    assert_eq!(row.verification, Verification::Passed);
}

/// A step that blocks until the returned sender is used or dropped.
fn hanging(name: &'static str) -> (CleanupStep, mpsc::Sender<()>) {
    let (release, wait) = mpsc::channel::<()>();
    let step = CleanupStep::new(name, move || {
        let _ = wait.recv();
        Ok::<(), std::io::Error>(())
    })
    .timeout(Duration::from_millis(50));
    (step, release)
}

#[test]
fn a_hung_step_times_out_is_reported_as_possibly_running_and_the_rest_runs() {
    let log = Log::default();
    let (step, release) = hanging("watchdog");
    let coordinator = CleanupCoordinator::new().sequential();
    coordinator
        .register_all([ok("pool", &log), step.depends_on("pool"), ok("other", &log)])
        .unwrap();
    // `cleanup` returns while the step is still blocked: it did not wait for it.
    let report = coordinator.cleanup();
    let row = report.get("watchdog").unwrap();
    assert_eq!(row.outcome, StepOutcome::TimedOut);
    assert_eq!(row.verification, Verification::NotRun);
    assert!(row
        .context
        .as_deref()
        .unwrap()
        .contains("may still be running"));
    assert_eq!(coordinator.lingering(), ["watchdog"]);
    let mut ran = log.lock().unwrap().clone();
    ran.sort_unstable();
    assert_eq!(ran, ["other", "pool"]);

    // Once released, the thread returns and no longer lingers.
    release.send(()).unwrap();
    let mut polls = 0;
    while !coordinator.lingering().is_empty() && polls < 500 {
        std::thread::sleep(Duration::from_millis(10));
        polls += 1;
    }
    assert!(coordinator.lingering().is_empty());
    // Its late result does not change the report.
    assert_eq!(
        coordinator.report().outcome("watchdog"),
        Some(StepOutcome::TimedOut)
    );
}

#[test]
fn skip_policy_skips_the_dependencies_of_a_failed_or_hung_step_transitively() {
    let log = Log::default();
    let (step, _release) = hanging("reader");
    let coordinator = CleanupCoordinator::new().policy(FailurePolicy::SkipDependencies);
    coordinator
        .register_all([
            ok("disk", &log),
            ok("cache", &log).depends_on("disk"),
            step.depends_on("cache"),
            ok("unrelated", &log),
        ])
        .unwrap();
    let report = coordinator.cleanup();
    assert_eq!(report.outcome("reader"), Some(StepOutcome::TimedOut));
    assert_eq!(report.outcome("cache"), Some(StepOutcome::Skipped));
    assert_eq!(report.outcome("disk"), Some(StepOutcome::Skipped));
    assert!(report
        .get("cache")
        .unwrap()
        .context
        .as_deref()
        .unwrap()
        .contains("`reader`"));
    assert_eq!(report.outcome("unrelated"), Some(StepOutcome::Ok));
    assert_eq!(*log.lock().unwrap(), ["unrelated"]);
}

#[test]
fn cleanup_is_idempotent_and_safe_before_anything_is_registered() {
    let coordinator = CleanupCoordinator::new();
    let empty = coordinator.cleanup();
    assert!(empty.steps.is_empty() && empty.is_clean());

    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    coordinator
        .register(CleanupStep::new("pool", move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<(), std::io::Error>(())
        }))
        .unwrap();
    let first = coordinator.cleanup();
    let second = coordinator.cleanup();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(first, second);
    assert_eq!(first.steps.len(), 1);
}

#[test]
fn concurrent_cleanup_calls_run_each_step_once() {
    let coordinator = CleanupCoordinator::new();
    let runs = Arc::new(AtomicUsize::new(0));
    for index in 0..16 {
        let counter = runs.clone();
        coordinator
            .register(CleanupStep::new(format!("step{index}"), move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<(), std::io::Error>(())
            }))
            .unwrap();
    }
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| assert_eq!(coordinator.cleanup().steps.len(), 16));
        }
    });
    assert_eq!(runs.load(Ordering::SeqCst), 16);
}
