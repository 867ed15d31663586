//! Analytics, debugging views and the JSON-lines sink of the recovery log.

use std::sync::Arc;
use std::time::Duration;

use typestep::prelude::*;
use typestep::{
    cleanup::{CleanupCoordinator, CleanupStep, StepOutcome},
    recovery::{EventKind, JsonLines, RecoveryEvent, RecoveryLogger},
};

#[derive(Component, Clone)]
#[component(states(Created, Ready, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Created | Ready | Running -> Failed on Fail)]
struct Worker;

fn us(micros: u64) -> Duration {
    Duration::from_micros(micros)
}

#[test]
fn counts_and_latency_percentiles_per_transition() {
    let logger = RecoveryLogger::new(1024);
    for micros in 1..=100 {
        logger.record(RecoveryEvent::moved(
            "Worker",
            "Ready",
            "Start",
            "Running",
            us(micros),
        ));
    }
    logger.record(RecoveryEvent::rejected(
        "Worker",
        "Ready",
        "Start",
        Some("Running"),
        "guard_refused",
    ));
    let analytics = logger.analytics();
    let start = analytics.transition("Worker", "Ready", "Start").unwrap();
    assert_eq!((start.taken, start.failed), (100, 1));
    // Latencies are kept to two significant digits (1%).
    let close = |got: Duration, want: u64| {
        let got = got.as_nanos() as f64;
        let want = us(want).as_nanos() as f64;
        assert!((got - want).abs() <= want * 0.01, "{got} vs {want}");
    };
    close(start.p50(), 50);
    close(start.p95(), 95);
    close(start.p99(), 99);
}

#[test]
fn failure_and_rollback_rates() {
    let logger = RecoveryLogger::new(64);
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Created",
        "Init",
        "Ready",
        us(1),
    ));
    logger.record(RecoveryEvent::rejected(
        "Worker",
        "Ready",
        "Stop",
        None,
        "not_allowed",
    ));
    logger.record(RecoveryEvent::rolled_back(
        "Worker",
        "Ready",
        "Start",
        "Running",
        us(5),
        "action_failed",
    ));
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Start",
        "Running",
        us(2),
    ));
    logger.record(RecoveryEvent::failure("Worker", "missed heartbeat"));
    let analytics = logger.analytics();
    assert_eq!(analytics.attempts(), 4);
    assert_eq!(analytics.failure_rate(), 0.5);
    assert_eq!(analytics.rollback_rate(), 0.25);
    assert_eq!(analytics.failures, 1);
    let start = analytics.transition("Worker", "Ready", "Start").unwrap();
    assert_eq!((start.taken, start.failed, start.rolled_back), (1, 1, 1));

    let table = analytics.to_string();
    assert!(table.lines().next().unwrap().contains("p99"));
    assert!(table.contains("Worker Ready --Start--> Running"));
    assert!(
        table.contains("failure rate 50.0%, rollback rate 25.0%"),
        "{table}"
    );
}

#[test]
fn time_in_state_is_the_time_between_entering_and_leaving_it() {
    // Precise time: the default coarse clock ticks every 1-4 ms, too coarse
    // for the 2 ms sleep below.
    let logger = RecoveryLogger::new(64).precise_time();
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Created",
        "Init",
        "Ready",
        us(1),
    ));
    std::thread::sleep(Duration::from_millis(2));
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Start",
        "Running",
        us(1),
    ));
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Running",
        "Stop",
        "Stopped",
        us(1),
    ));
    let events = logger.history("Worker", 10);
    let analytics = logger.analytics();
    assert_eq!(
        analytics.time_in_state("Worker", "Ready"),
        events[1].at - events[0].at
    );
    assert_eq!(
        analytics.time_in_state("Worker", "Running"),
        events[2].at - events[1].at
    );
    assert!(analytics.time_in_state("Worker", "Ready") >= Duration::from_millis(2));
}

#[test]
fn history_of_one_component_and_its_dump() {
    let logger = RecoveryLogger::new(64);
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Created",
        "Init",
        "Ready",
        us(1),
    ));
    logger.record(RecoveryEvent::moved("Pool", "Idle", "Open", "Open", us(1)));
    logger.record(RecoveryEvent::rolled_back(
        "Worker",
        "Ready",
        "Start",
        "Running",
        us(3),
        "action_panicked",
    ));
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Fail",
        "Failed",
        us(1),
    ));
    let history = logger.history("Worker", 2);
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].kind, EventKind::RolledBack);
    assert_eq!(history[1].to, Some("Failed"));
    let dump = logger.dump_history("Worker", 10);
    let lines: Vec<&str> = dump.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("Worker rolled_back Ready --Start--> Running"));
    assert!(lines[1].ends_with(": action_panicked"));
}

#[test]
fn diagrams_label_each_declared_edge_with_taken_and_failed_counts() {
    let logger = RecoveryLogger::new(64);
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Created",
        "Init",
        "Ready",
        us(1),
    ));
    logger.record(RecoveryEvent::rejected(
        "Worker",
        "Ready",
        "Start",
        Some("Running"),
        "guard_refused",
    ));
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Start",
        "Running",
        us(1),
    ));
    let mermaid = logger.mermaid::<Worker>("Worker");
    assert!(mermaid.starts_with("stateDiagram-v2\n    [*] --> Created\n"));
    assert!(mermaid.contains("    Created --> Ready: Init (taken 1, failed 0)\n"));
    assert!(mermaid.contains("    Ready --> Running: Start (taken 1, failed 1)\n"));
    assert!(mermaid.contains("    Running --> Stopped: Stop (taken 0, failed 0)\n"));
    assert!(mermaid.contains("    Stopped --> [*]\n"));
    // One labelled line per declared transition.
    assert_eq!(mermaid.matches("(taken").count(), Worker::TRANSITIONS.len());

    let dot = logger.dot::<Worker>("Worker");
    assert!(dot.starts_with("digraph \"Worker\" {"));
    assert!(
        dot.contains("\"Ready\" -> \"Running\" [label=\"Start\\ntaken 1, failed 1\", color=red];")
    );
    assert!(dot.contains(
        "\"Running\" -> \"Stopped\" [label=\"Stop\\ntaken 0, failed 0\", style=dashed];"
    ));
}

#[test]
fn json_lines_one_object_per_event() {
    let logger = RecoveryLogger::new(64);
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Start",
        "Running",
        us(7),
    ));
    logger.record(RecoveryEvent::rejected(
        "Worker",
        "Ready",
        "Stop",
        None,
        "not \"allowed\"",
    ));
    let mut sink = JsonLines::new(Vec::new());
    assert_eq!(logger.drain_to(&mut sink).unwrap(), 2);
    let text = String::from_utf8(sink.into_inner()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["kind"], "moved");
    assert_eq!(lines[0]["to"], "Running");
    assert_eq!(lines[0]["duration_ns"], 7_000);
    assert_eq!(lines[1]["seq"], 1);
    assert_eq!(lines[1]["context"], "not \"allowed\"");
    assert!(lines[1].get("to").is_none());
}

#[test]
fn the_cleanup_coordinator_logs_every_step() {
    let logger = Arc::new(RecoveryLogger::new(64));
    let coordinator = CleanupCoordinator::new()
        .sequential()
        .logger(logger.clone());
    coordinator
        .register_all([
            CleanupStep::new("pool", || Ok::<(), std::io::Error>(())).component("Pool"),
            CleanupStep::new("buffers", || Err::<(), _>("2 buffers leaked")).depends_on("pool"),
        ])
        .unwrap();
    coordinator.cleanup();
    let events = logger.collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, EventKind::Cleanup(StepOutcome::Failed));
    assert_eq!(events[0].step.as_deref(), Some("buffers"));
    assert_eq!(events[0].context.as_deref(), Some("2 buffers leaked"));
    assert_eq!(events[1].kind, EventKind::Cleanup(StepOutcome::Ok));
    assert_eq!(&*events[1].component, "Pool");
    let analytics = logger.analytics();
    assert_eq!((analytics.cleanup_ok, analytics.cleanup_failed), (1, 1));
}

/// `text` with every piece from `start` up to (not including) `end` removed.
fn strip_between(text: &str, start: &str, end: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at]);
        let after = &rest[at + start.len()..];
        rest = after.find(end).map_or("", |stop| &after[stop..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn the_logs_diagrams_are_the_derives_diagrams_with_counts() {
    // One style for both pictures of a machine: the log's Mermaid and DOT,
    // without their counts and colours, are the derive's constants.
    let logger = RecoveryLogger::new(64);
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Created",
        "Init",
        "Ready",
        us(1),
    ));
    let mermaid = strip_between(&logger.mermaid::<Worker>("Worker"), " (taken", "\n");
    assert_eq!(mermaid, Worker::MERMAID);
    let dot = strip_between(&logger.dot::<Worker>("Worker"), "\\ntaken", "\"");
    let dot = dot.replace(", style=dashed", "").replace(", color=red", "");
    assert_eq!(dot, Worker::DOT);
}
