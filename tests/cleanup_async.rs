//! Async cleanup (feature `tokio`) on tokio's paused clock: order,
//! concurrency, time-outs, failures, verification, logging, idempotence.
#![cfg(feature = "tokio")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{sleep, Instant};
use typestep::cleanup::{AsyncCleanup, AsyncCleanupStep, CleanupError, StepOutcome, Verification};
use typestep::recovery::{EventKind, RecoveryLogger};

type Log = Arc<Mutex<Vec<(&'static str, Duration)>>>;

/// A step that sleeps `took`, then notes its name and the time.
fn step(name: &'static str, took: u64, log: &Log, start: Instant) -> AsyncCleanupStep {
    let log = log.clone();
    AsyncCleanupStep::new(name, async move {
        sleep(Duration::from_millis(took)).await;
        log.lock().unwrap().push((name, start.elapsed()));
        Ok::<(), std::io::Error>(())
    })
}

#[tokio::test(start_paused = true)]
async fn dependents_first_and_independent_steps_concurrently() {
    let start = Instant::now();
    let log: Log = Arc::default();
    let cleanup = AsyncCleanup::new();
    cleanup.register(step("pool", 10, &log, start)).unwrap();
    cleanup
        .register(step("buffers", 100, &log, start).depends_on("pool"))
        .unwrap();
    cleanup
        .register(step("cache", 100, &log, start).depends_on("pool"))
        .unwrap();
    let report = cleanup.cleanup_async().await;
    assert!(report.is_clean(), "{report}");
    let log = log.lock().unwrap().clone();
    // buffers and cache ran side by side (both done at 100 ms), then pool.
    assert_eq!(
        log,
        [
            ("buffers", Duration::from_millis(100)),
            ("cache", Duration::from_millis(100)),
            ("pool", Duration::from_millis(110)),
        ]
    );
    assert_eq!(report.steps.len(), 3);
    assert_eq!(report.steps[2].name, "pool");
    // Idempotent: nothing is left to run.
    assert!(cleanup.cleanup_async().await.steps.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_hung_step_is_dropped_at_its_timeout_and_the_rest_goes_on() {
    let logger = Arc::new(RecoveryLogger::default());
    let cleanup = AsyncCleanup::new().with_logger(logger.clone());
    let dropped = Arc::new(Mutex::new(false));
    struct SetOnDrop(Arc<Mutex<bool>>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = true;
        }
    }
    cleanup
        .register(AsyncCleanupStep::new("pool", async {
            Ok::<(), std::io::Error>(())
        }))
        .unwrap();
    let guard = SetOnDrop(dropped.clone());
    cleanup
        .register(
            AsyncCleanupStep::new("socket", async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                Ok::<(), std::io::Error>(())
            })
            .depends_on("pool")
            .timeout(Duration::from_millis(250))
            .component("server"),
        )
        .unwrap();
    let report = cleanup.cleanup_async().await;
    let socket = report.get("socket").unwrap();
    assert_eq!(socket.outcome, StepOutcome::TimedOut);
    assert_eq!(socket.duration, Duration::from_millis(250));
    assert_eq!(socket.verification, Verification::NotRun);
    assert_eq!(socket.component.as_deref(), Some("server"));
    assert!(*dropped.lock().unwrap(), "the hung future was dropped");
    assert_eq!(report.outcome("pool"), Some(StepOutcome::Ok));
    let events = logger.collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, EventKind::Cleanup(StepOutcome::TimedOut));
    assert_eq!(&*events[0].component, "server");
}

#[tokio::test(start_paused = true)]
async fn failures_panics_and_failed_verifications_are_reported() {
    let cleanup = AsyncCleanup::new();
    cleanup
        .register(AsyncCleanupStep::new("fails", async {
            Err::<(), _>(std::io::Error::other("disk gone"))
        }))
        .unwrap();
    cleanup
        .register(AsyncCleanupStep::new("panics", async {
            if true {
                panic!("oops");
            }
            Ok::<(), std::io::Error>(())
        }))
        .unwrap();
    cleanup
        .register(
            AsyncCleanupStep::new("unverified", async { Ok::<(), std::io::Error>(()) })
                .verify(async { Err::<(), _>(std::io::Error::other("still open")) }),
        )
        .unwrap();
    cleanup
        .register(
            AsyncCleanupStep::new("verified", async { Ok::<(), std::io::Error>(()) })
                .verify(async { Ok::<(), std::io::Error>(()) }),
        )
        .unwrap();
    let report = cleanup.cleanup_async().await;
    assert_eq!(report.outcome("fails"), Some(StepOutcome::Failed));
    assert_eq!(
        report.get("fails").unwrap().context.as_deref(),
        Some("disk gone")
    );
    assert_eq!(report.outcome("panics"), Some(StepOutcome::Panicked));
    assert_eq!(
        report.get("panics").unwrap().context.as_deref(),
        Some("panicked: oops")
    );
    assert_eq!(report.outcome("unverified"), Some(StepOutcome::Unverified));
    assert_eq!(
        report.get("unverified").unwrap().verification,
        Verification::Failed
    );
    assert_eq!(
        report.get("verified").unwrap().verification,
        Verification::Passed
    );
    assert_eq!(report.problems().count(), 3);
}

#[test]
fn registration_refuses_duplicates_and_unknown_dependencies() {
    let cleanup = AsyncCleanup::new();
    cleanup
        .register(AsyncCleanupStep::new("a", async {
            Ok::<(), std::io::Error>(())
        }))
        .unwrap();
    assert_eq!(
        cleanup
            .register(AsyncCleanupStep::new("a", async {
                Ok::<(), std::io::Error>(())
            }))
            .unwrap_err(),
        CleanupError::Duplicate("a".into())
    );
    assert!(matches!(
        cleanup.register(
            AsyncCleanupStep::new("b", async { Ok::<(), std::io::Error>(()) }).depends_on("zzz")
        ),
        Err(CleanupError::MissingDependency { .. })
    ));
}
