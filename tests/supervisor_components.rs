//! Tasks supervised as the work of coordinator components (feature `tokio`),
//! on tokio's paused clock: a panic, an error return or a missed heartbeat
//! fails the component through its state machine, runs the task's cleanup
//! and restarts it by strategy; rest-for-one follows a system's init order;
//! the graceful stop runs in reverse init order and kills at the timeout.
#![cfg(feature = "tokio")]

use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::Mutex;
use typestep::cleanup::StepOutcome;
use typestep::coordinator::{
    ComponentCoordinator, CoordinatorConfig, CoordinatorError, FailureAction, FailureCause,
    Lifecycle, Managed, RestartPolicy, StateChange,
};
use typestep::pool::{Quotas, ResourcePool};
use typestep::prelude::*;
use typestep::supervisor::{ChildSpec, Exit, Restart, Strategy, Supervisor, SupervisorEvent};

#[derive(Component, Clone)]
#[component(
    states(Created, Running, Failed, Stopping, Stopped),
    initial = Created,
    terminal(Stopped)
)]
#[transition(Created -> Running on Start)]
#[transition(Running | Stopping -> Failed on Fail)]
#[transition(Failed -> Running on Restart)]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Failed -> Stopped on Abandon)]
struct Part;

fn lifecycle(restarts: bool) -> Lifecycle<Part> {
    let lifecycle = Lifecycle::new(part::Fail)
        .start(part::Start)
        .stop(part::Stop, Some(part::Done.into()))
        .abandon(part::Abandon);
    if restarts {
        lifecycle.restart(
            part::Restart,
            RestartPolicy::new(10, Duration::from_secs(60)),
        )
    } else {
        lifecycle
    }
}

fn coordinator() -> (ComponentCoordinator, Receiver<StateChange>) {
    let pool = ResourcePool::builder().build().unwrap();
    let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
    let changes = coordinator.subscribe();
    (coordinator, changes)
}

fn register(coordinator: &ComponentCoordinator, name: &str, restarts: bool) -> Managed<Part> {
    coordinator
        .register(
            name,
            StateMachine::new(Part),
            lifecycle(restarts),
            Quotas::new(),
        )
        .unwrap()
}

/// What a test tells a task to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Fail,
    Panic,
    /// Stop beating the heartbeat (and ignore the token).
    Stall,
}

/// A task that beats every 10 ms until told otherwise or cancelled; it
/// ignores its token when `stubborn`.
fn task(
    coordinator: &ComponentCoordinator,
    component: &Managed<Part>,
    stubborn: bool,
) -> (ChildSpec, UnboundedSender<Cmd>) {
    let (tx, rx) = unbounded_channel::<Cmd>();
    let rx = Arc::new(Mutex::new(rx));
    let spec = ChildSpec::new(component.name().to_owned(), move |cx| {
        let rx = rx.clone();
        async move {
            let mut rx = rx.lock().await;
            loop {
                cx.heartbeat.beat();
                tokio::select! {
                    _ = cx.token.cancelled(), if !stubborn => return Ok(()),
                    _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                    cmd = rx.recv() => match cmd {
                        Some(Cmd::Fail) => return Err("told to fail".into()),
                        Some(Cmd::Panic) => panic!("told to panic"),
                        Some(Cmd::Stall) => std::future::pending::<()>().await,
                        None => std::future::pending::<()>().await,
                    },
                }
            }
        }
    })
    .heartbeat(Duration::from_millis(100))
    .shutdown(Duration::from_millis(50))
    .component(coordinator, component.id())
    .unwrap();
    (spec, tx)
}

/// Lets every task run until all are idle (the paused clock then jumps).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn moves(changes: &Receiver<StateChange>) -> Vec<String> {
    changes
        .try_iter()
        .map(|c| format!("{} {}->{}", c.component, c.from, c.to))
        .collect()
}

fn drain(events: &mut UnboundedReceiver<SupervisorEvent>) -> Vec<SupervisorEvent> {
    let mut all = Vec::new();
    while let Ok(event) = events.try_recv() {
        all.push(event);
    }
    all
}

fn started(events: &[SupervisorEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SupervisorEvent::Started { child, .. } => Some(child.to_string()),
            _ => None,
        })
        .collect()
}

/// One linked task fails by `cmd`; returns the coordinator's view after the
/// restart and the stop.
async fn one_failure(cmd: Cmd) -> (ComponentCoordinator, Vec<String>) {
    let (coordinator, changes) = coordinator();
    let worker = register(&coordinator, "worker", true);
    let (spec, tx) = task(&coordinator, &worker, false);
    let supervisor = Supervisor::new(Strategy::OneForOne).child(spec);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(supervisor.run_until(async move {
        let _ = stopped.await;
    }));
    settle().await;
    assert_eq!(
        worker.state(),
        part::State::Running,
        "started through `start`"
    );
    tx.send(cmd).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(worker.state(), part::State::Running, "restarted");
    stop.send(()).unwrap();
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.restarts, 1);
    assert_eq!(report.children[0].state, Some("Stopped"));
    assert_eq!(worker.state(), part::State::Stopped);
    (coordinator, moves(&changes))
}

const FAILED_AND_RESTARTED: [&str; 5] = [
    "worker Created->Running",
    "worker Running->Failed",
    "worker Failed->Running",
    "worker Running->Stopping",
    "worker Stopping->Stopped",
];

#[tokio::test(start_paused = true)]
async fn a_panicking_task_fails_its_component_through_its_machine_and_restarts() {
    let (coordinator, moves) = one_failure(Cmd::Panic).await;
    assert_eq!(moves, FAILED_AND_RESTARTED);
    let failures = coordinator.failures();
    assert_eq!(failures.len(), 1);
    let failure = &failures[0];
    assert_eq!(
        failure.cause,
        FailureCause::Panicked("told to panic".into())
    );
    assert_eq!(
        (&*failure.component, &*failure.worker),
        ("worker", "worker")
    );
    assert_eq!(failure.state, "Failed");
    assert_eq!(failure.cleanup, Some(StepOutcome::Ok));
    assert!(matches!(failure.action, FailureAction::Restarted(_)));
    let analytics = coordinator.logger().analytics();
    assert!(analytics.failures >= 1, "logged: {analytics}");
}

#[tokio::test(start_paused = true)]
async fn an_error_return_is_a_failure_of_the_component() {
    let (coordinator, moves) = one_failure(Cmd::Fail).await;
    assert_eq!(moves, FAILED_AND_RESTARTED);
    assert_eq!(
        coordinator.failures()[0].cause,
        FailureCause::Errored("told to fail".into())
    );
}

#[tokio::test(start_paused = true)]
async fn a_missed_heartbeat_aborts_the_task_fails_the_component_and_restarts_it() {
    let (coordinator, moves) = one_failure(Cmd::Stall).await;
    assert_eq!(moves, FAILED_AND_RESTARTED);
    let failure = &coordinator.failures()[0];
    match failure.cause {
        FailureCause::MissedHeartbeat {
            silent_for,
            deadline,
        } => {
            assert_eq!(deadline, Duration::from_millis(100));
            assert!(silent_for >= deadline, "silent for {silent_for:?}");
        }
        ref other => panic!("expected a missed heartbeat, got {other:?}"),
    }
    // The aborted task ended: its cleanup is done.
    assert_eq!(failure.cleanup, Some(StepOutcome::Ok));
}

#[tokio::test(start_paused = true)]
async fn a_component_without_a_restart_event_stays_failed_and_is_abandoned_at_the_stop() {
    let (coordinator, changes) = coordinator();
    let worker = register(&coordinator, "worker", false);
    let (spec, tx) = task(&coordinator, &worker, false);
    let mut supervisor = Supervisor::new(Strategy::OneForOne).child(spec);
    let mut events = supervisor.events();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(supervisor.run_until(async move {
        let _ = stopped.await;
    }));
    settle().await;
    tx.send(Cmd::Panic).unwrap();
    settle().await;
    assert_eq!(worker.state(), part::State::Failed);
    assert_eq!(started(&drain(&mut events)), ["worker"], "not restarted");
    assert_eq!(coordinator.failures()[0].action, FailureAction::LeftFailed);
    stop.send(()).unwrap();
    let report = run.await.unwrap().unwrap();
    assert!(report.children.is_empty(), "nothing was running");
    assert_eq!(
        moves(&changes),
        [
            "worker Created->Running",
            "worker Running->Failed",
            "worker Failed->Stopped",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn too_many_restarts_escalate_the_component() {
    let (coordinator, _changes) = coordinator();
    let worker = register(&coordinator, "worker", true);
    let (spec, tx) = task(&coordinator, &worker, false);
    let supervisor = Supervisor::new(Strategy::OneForOne)
        .intensity(RestartPolicy::new(1, Duration::from_secs(10)))
        .child(spec);
    let run = tokio::spawn(supervisor.run_until(std::future::pending::<()>()));
    settle().await;
    tx.send(Cmd::Fail).unwrap();
    settle().await;
    assert!(!coordinator.is_escalated(worker.id()));
    tx.send(Cmd::Fail).unwrap();
    let escalated = run.await.unwrap().unwrap_err();
    assert_eq!(&*escalated.child, "worker");
    assert!(coordinator.is_escalated(worker.id()));
    let actions: Vec<_> = coordinator
        .failures()
        .into_iter()
        .map(|f| f.action)
        .collect();
    assert!(matches!(actions[0], FailureAction::Restarted(_)));
    assert_eq!(actions[1], FailureAction::Escalated);
    assert_eq!(
        worker.state(),
        part::State::Stopped,
        "abandoned at the stop"
    );
}

/// Declared (and registered) frontend first; the init order puts the cache
/// first because the frontend depends on it.
#[derive(System)]
#[allow(dead_code)]
struct Service {
    #[depends_on(cache)]
    frontend: (),
    metrics: (),
    cache: (),
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_restarts_the_rest_in_the_systems_init_order() {
    assert_eq!(Service::INIT_ORDER, ["metrics", "cache", "frontend"]);
    let (coordinator, changes) = coordinator();
    // Registered in declaration order: frontend, metrics, cache.
    let frontend = register(&coordinator, "frontend", true);
    let metrics = register(&coordinator, "metrics", true);
    let cache = register(&coordinator, "cache", true);
    let (f, _tf) = task(&coordinator, &frontend, false);
    let (m, _tm) = task(&coordinator, &metrics, false);
    let (c, tc) = task(&coordinator, &cache, false);
    let mut supervisor = Supervisor::new(Strategy::RestForOne)
        .system::<Service>()
        .child(f)
        .child(m)
        .child(c);
    let mut events = supervisor.events();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(supervisor.run_until(async move {
        let _ = stopped.await;
    }));
    settle().await;
    assert_eq!(
        started(&drain(&mut events)),
        ["metrics", "cache", "frontend"],
        "started in init order"
    );
    let _ = moves(&changes);
    tc.send(Cmd::Panic).unwrap();
    settle().await;
    let after = drain(&mut events);
    // In registration order the rest after `cache` would be nothing.
    assert_eq!(started(&after), ["cache", "frontend"]);
    assert!(after.contains(&SupervisorEvent::Restarting {
        strategy: Strategy::RestForOne,
        children: vec!["cache".into(), "frontend".into()],
    }));
    // Only the failed component went through Failed; its dependent was
    // stopped and started again (its state accepts no restart event).
    assert_eq!(
        moves(&changes),
        ["cache Running->Failed", "cache Failed->Running"]
    );
    assert_eq!(
        coordinator.failures().len(),
        1,
        "the dependent did not fail"
    );
    stop.send(()).unwrap();
    let report = run.await.unwrap().unwrap();
    let order: Vec<&str> = report.children.iter().map(|c| &*c.child).collect();
    assert_eq!(
        order,
        ["frontend", "cache", "metrics"],
        "reverse init order"
    );
}

#[tokio::test(start_paused = true)]
async fn the_stop_cancels_in_reverse_init_order_and_kills_at_the_timeout() {
    let (coordinator, changes) = coordinator();
    let frontend = register(&coordinator, "frontend", true);
    let metrics = register(&coordinator, "metrics", true);
    let cache = register(&coordinator, "cache", true);
    let (f, _tf) = task(&coordinator, &frontend, false);
    // The metrics task ignores its token: it is aborted at its timeout.
    let (m, _tm) = task(&coordinator, &metrics, true);
    let (c, _tc) = task(&coordinator, &cache, false);
    let supervisor = Supervisor::new(Strategy::OneForOne)
        .system::<Service>()
        .child(f)
        .child(m)
        .child(c);
    let began = tokio::time::Instant::now();
    let report = supervisor
        .run_until(tokio::time::sleep(Duration::from_millis(500)))
        .await
        .unwrap();
    let rows: Vec<(&str, Exit, Option<&str>)> = report
        .children
        .iter()
        .map(|c| (&*c.child, c.exit.clone(), c.state))
        .collect();
    assert_eq!(
        rows,
        [
            ("frontend", Exit::ShutDown, Some("Stopped")),
            ("cache", Exit::ShutDown, Some("Stopped")),
            ("metrics", Exit::Killed, Some("Failed")),
        ]
    );
    assert_eq!(report.killed().collect::<Vec<_>>(), ["metrics"]);
    // On the paused clock: the stubborn task had exactly its timeout.
    assert_eq!(report.children[2].took, Duration::from_millis(50));
    assert_eq!(began.elapsed(), Duration::from_millis(550));
    let stops: Vec<String> = moves(&changes)
        .into_iter()
        .filter(|m| !m.ends_with("Created->Running"))
        .collect();
    assert_eq!(
        stops,
        [
            "frontend Running->Stopping",
            "frontend Stopping->Stopped",
            "cache Running->Stopping",
            "cache Stopping->Stopped",
            "metrics Running->Stopping",
            "metrics Stopping->Failed",
        ]
    );
    assert_eq!(metrics.state(), part::State::Failed);
}

#[tokio::test(start_paused = true)]
async fn a_child_is_linked_only_to_a_component_of_its_coordinator() {
    let (coordinator, _) = coordinator();
    let (other, _) = self::coordinator();
    let foreign = register(&other, "foreign", true);
    let linked =
        ChildSpec::new("foreign", |_| async { Ok(()) }).component(&coordinator, foreign.id());
    assert!(matches!(linked, Err(CoordinatorError::ForeignComponent(_))));
}

#[tokio::test(start_paused = true)]
async fn a_temporary_linked_task_is_not_restarted_but_still_fails_its_component() {
    let (coordinator, _changes) = coordinator();
    let worker = register(&coordinator, "worker", true);
    let (spec, tx) = task(&coordinator, &worker, false);
    let supervisor = Supervisor::new(Strategy::OneForOne).child(spec.restart(Restart::Temporary));
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_secs(1))));
    settle().await;
    tx.send(Cmd::Panic).unwrap();
    settle().await;
    assert_eq!(worker.state(), part::State::Failed);
    assert_eq!(coordinator.failures()[0].action, FailureAction::LeftFailed);
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.restarts, 0);
}

#[tokio::test(start_paused = true)]
async fn a_heartbeat_allocates_nothing() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    let supervisor = Supervisor::new(Strategy::OneForOne).child(
        ChildSpec::new("beater", move |cx| {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(cx.heartbeat.clone());
            }
            async move {
                cx.token.cancelled().await;
                Ok(())
            }
        })
        .heartbeat(Duration::from_millis(10)),
    );
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_millis(5))));
    let heartbeat = rx.await.unwrap();
    let counted = allocation_counter::measure(|| {
        for _ in 0..1000 {
            heartbeat.beat();
        }
    });
    assert_eq!(counted.count_total, 0);
    assert!(run.await.unwrap().unwrap().is_clean());
}

#[tokio::test(start_paused = true)]
async fn a_component_left_failed_stays_down_when_a_sibling_restarts_the_group() {
    let (coordinator, _changes) = coordinator();
    let stuck = register(&coordinator, "stuck", false);
    let other = register(&coordinator, "other", true);
    let (s, ts) = task(&coordinator, &stuck, false);
    let (o, to) = task(&coordinator, &other, false);
    let mut supervisor = Supervisor::new(Strategy::OneForAll).child(s).child(o);
    let mut events = supervisor.events();
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_secs(1))));
    settle().await;
    drain(&mut events);
    ts.send(Cmd::Panic).unwrap();
    settle().await;
    assert_eq!(stuck.state(), part::State::Failed);
    to.send(Cmd::Fail).unwrap();
    settle().await;
    let after = drain(&mut events);
    assert_eq!(started(&after), ["other"], "{after:?}");
    assert_eq!(stuck.state(), part::State::Failed);
    assert_eq!(other.state(), part::State::Running);
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.children.len(), 1);
    assert_eq!(stuck.state(), part::State::Stopped, "abandoned at the stop");
}
