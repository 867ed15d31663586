//! Runs the scenario of `examples/monitoring.rs` (the same code) and asserts
//! on its outcome.

#[path = "../examples/monitoring.rs"]
mod scenario;

#[test]
fn the_origin_system_runs_end_to_end_and_every_check_passes() {
    let outcome = scenario::run(false).expect("the scenario runs");
    let failed: Vec<&str> = outcome
        .checks
        .iter()
        .filter(|(_, passed)| !passed)
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(failed.is_empty(), "failed checks: {failed:?}");
    assert!(outcome.checks.len() >= 14);
    assert!(outcome.frames >= 40);

    let stop = outcome.stop.expect("stopped");
    assert!(stop.is_clean(), "{stop}");
    assert!(stop.leaks.is_empty());
    for part in [
        "workers",
        "component:sensor",
        "buffers",
        "components",
        "pool",
    ] {
        assert!(stop.cleanup.get(part).is_some(), "no cleanup step {part}");
    }

    // The live notifications tell the story: the driver failed and was
    // restarted, the probe failed and was abandoned at stop.
    let driver: Vec<(&str, &str)> = outcome
        .changes
        .iter()
        .filter(|c| &*c.component == "driver")
        .map(|c| (c.from, c.to))
        .collect();
    assert_eq!(
        driver,
        [
            ("Created", "Running"),
            ("Running", "Failed"),
            ("Failed", "Running"),
            ("Running", "Stopping"),
            ("Stopping", "Stopped"),
        ]
    );
    let probe: Vec<(&str, &str)> = outcome
        .changes
        .iter()
        .filter(|c| &*c.component == "probe")
        .map(|c| (c.from, c.to))
        .collect();
    assert_eq!(
        probe,
        [
            ("Created", "Running"),
            ("Running", "Failed"),
            ("Failed", "Stopped")
        ]
    );
}
