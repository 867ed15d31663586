//! The tokio supervisor (feature `tokio`), on tokio's paused clock: each
//! strategy, restart type, the intensity limit, heartbeats, the graceful stop
//! in reverse order, and a property test against a model of the three
//! strategies (children registered in a shuffled order, ordered by the init
//! order given to the supervisor).
#![cfg(feature = "tokio")]

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::Mutex;
use typestep::coordinator::RestartPolicy;
use typestep::recovery::{EventKind, RecoveryLogger};
use typestep::supervisor::{
    ChildSpec, Exit, Restart, Strategy, Supervisor, SupervisorEvent, TaskResult,
};

/// What a test tells a child to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Return,
    Fail,
    Panic,
}

/// A child that runs until told to return, fail or panic, or until its token
/// is cancelled. Its command queue outlives restarts.
fn child(name: &str, restart: Restart) -> (ChildSpec, UnboundedSender<Cmd>) {
    let (tx, rx) = unbounded_channel::<Cmd>();
    let rx = Arc::new(Mutex::new(rx));
    let spec = ChildSpec::new(name, move |cx| {
        let rx = rx.clone();
        async move {
            let mut rx = rx.lock().await;
            tokio::select! {
                _ = cx.token.cancelled() => Ok(()),
                cmd = rx.recv() => match cmd {
                    Some(Cmd::Return) | None => Ok(()),
                    Some(Cmd::Fail) => Err("told to fail".into()),
                    Some(Cmd::Panic) => panic!("told to panic"),
                },
            }
        }
    })
    .restart(restart)
    .shutdown(Duration::from_millis(50));
    (spec, tx)
}

/// Lets every task run until all are idle (the paused clock then jumps).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
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

/// Three permanent children `a`, `b`, `c` under `strategy`; `b` panics.
async fn b_panics(strategy: Strategy) -> Vec<String> {
    let (a, _ta) = child("a", Restart::Permanent);
    let (b, tb) = child("b", Restart::Permanent);
    let (c, _tc) = child("c", Restart::Permanent);
    let mut supervisor = Supervisor::new(strategy).child(a).child(b).child(c);
    let mut events = supervisor.events();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(supervisor.run_until(async move {
        let _ = stop_rx.await;
    }));
    settle().await;
    assert_eq!(started(&drain(&mut events)), ["a", "b", "c"]);
    tb.send(Cmd::Panic).unwrap();
    settle().await;
    let after = drain(&mut events);
    assert!(after.contains(&SupervisorEvent::Exited {
        child: "b".into(),
        exit: Exit::Panicked("told to panic".into()),
    }));
    stop_tx.send(()).unwrap();
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.restarts, 1);
    let order: Vec<&str> = report.children.iter().map(|c| &*c.child).collect();
    assert_eq!(order, ["c", "b", "a"], "stopped in reverse order");
    assert!(report.is_clean());
    started(&after)
}

#[tokio::test(start_paused = true)]
async fn one_for_one_restarts_only_the_failed_child() {
    assert_eq!(b_panics(Strategy::OneForOne).await, ["b"]);
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_restarts_the_failed_child_and_those_after_it() {
    assert_eq!(b_panics(Strategy::RestForOne).await, ["b", "c"]);
}

#[tokio::test(start_paused = true)]
async fn one_for_all_restarts_everyone_in_order() {
    assert_eq!(b_panics(Strategy::OneForAll).await, ["a", "b", "c"]);
}

#[tokio::test(start_paused = true)]
async fn restart_types_decide_whether_a_child_comes_back() {
    let (transient, t1) = child("transient", Restart::Transient);
    let (temporary, t2) = child("temporary", Restart::Temporary);
    let (permanent, t3) = child("permanent", Restart::Permanent);
    let mut supervisor = Supervisor::new(Strategy::OneForOne)
        .child(transient)
        .child(temporary)
        .child(permanent);
    let mut events = supervisor.events();
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_secs(60))));
    settle().await;
    drain(&mut events);
    // A transient child's normal exit: not restarted; its failure: restarted.
    t1.send(Cmd::Return).unwrap();
    settle().await;
    assert!(started(&drain(&mut events)).is_empty());
    // A temporary child is never restarted, even after a failure.
    t2.send(Cmd::Fail).unwrap();
    settle().await;
    assert!(started(&drain(&mut events)).is_empty());
    // A permanent child comes back even after a normal exit.
    t3.send(Cmd::Return).unwrap();
    settle().await;
    assert_eq!(started(&drain(&mut events)), ["permanent"]);
    let report = run.await.unwrap().unwrap();
    let stopped: Vec<&str> = report.children.iter().map(|c| &*c.child).collect();
    assert_eq!(stopped, ["permanent"]);
}

#[tokio::test(start_paused = true)]
async fn too_many_restarts_escalate_after_stopping_everyone() {
    let log = Arc::new(RecoveryLogger::default());
    let (a, _ta) = child("a", Restart::Permanent);
    let (b, tb) = child("b", Restart::Permanent);
    let mut supervisor = Supervisor::new(Strategy::OneForOne)
        .intensity(RestartPolicy::new(2, Duration::from_secs(10)))
        .logger(log.clone())
        .child(a)
        .child(b);
    let mut events = supervisor.events();
    let run = tokio::spawn(supervisor.run_until(std::future::pending::<()>()));
    for _ in 0..2 {
        settle().await;
        tb.send(Cmd::Fail).unwrap();
    }
    settle().await;
    assert!(!run.is_finished(), "two restarts are within the limit");
    tb.send(Cmd::Fail).unwrap();
    let escalated = run.await.unwrap().unwrap_err();
    assert_eq!(&*escalated.child, "b");
    assert_eq!(escalated.exit, Exit::Failed("told to fail".into()));
    assert_eq!(escalated.report.restarts, 2);
    let stopped: Vec<&str> = escalated
        .report
        .children
        .iter()
        .map(|c| &*c.child)
        .collect();
    assert_eq!(stopped, ["a"], "b had already exited; a was stopped");
    assert!(drain(&mut events).contains(&SupervisorEvent::Escalated { child: "b".into() }));
    let failures = log
        .collect()
        .iter()
        .filter(|e| e.kind == EventKind::Failure)
        .count();
    assert_eq!(failures, 4, "three failures and the escalation");
}

#[tokio::test(start_paused = true)]
async fn failures_outside_the_window_do_not_add_up() {
    let (b, tb) = child("b", Restart::Permanent);
    let mut supervisor = Supervisor::new(Strategy::OneForOne)
        .intensity(RestartPolicy::new(1, Duration::from_secs(10)))
        .child(b);
    let mut events = supervisor.events();
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_secs(100))));
    for _ in 0..5 {
        settle().await;
        tb.send(Cmd::Fail).unwrap();
        tokio::time::sleep(Duration::from_secs(11)).await;
    }
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.restarts, 5);
    assert_eq!(started(&drain(&mut events)).len(), 6);
}

#[tokio::test(start_paused = true)]
async fn a_missed_heartbeat_fails_and_restarts_the_task() {
    let spec = ChildSpec::new("beater", |cx| async move {
        // The first run beats three times, then hangs; later runs beat
        // until cancelled.
        let beats = if cx.generation == 0 { 3 } else { u32::MAX };
        for _ in 0..beats {
            cx.heartbeat.beat();
            tokio::select! {
                _ = cx.token.cancelled() => return Ok(()),
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
        std::future::pending::<TaskResult>().await
    })
    .heartbeat(Duration::from_millis(250));
    let mut supervisor = Supervisor::new(Strategy::OneForOne).child(spec);
    let mut events = supervisor.events();
    let start = tokio::time::Instant::now();
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_secs(2))));
    let report = run.await.unwrap().unwrap();
    let all = drain(&mut events);
    let missed = all
        .iter()
        .filter(|e| {
            matches!(
                e,
                SupervisorEvent::Exited {
                    exit: Exit::MissedHeartbeat,
                    ..
                }
            )
        })
        .count();
    assert_eq!(missed, 1, "{all:?}");
    assert_eq!(started(&all), ["beater", "beater"]);
    assert_eq!(report.restarts, 1);
    assert_eq!(report.children[0].exit, Exit::ShutDown);
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_task_that_ignores_its_token_is_killed_at_its_shutdown_timeout() {
    let polite = ChildSpec::new("polite", |cx| async move {
        cx.token.cancelled().await;
        tokio::time::sleep(Duration::from_millis(30)).await; // tidies up
        Ok(())
    })
    .shutdown(Duration::from_millis(100));
    let stubborn = ChildSpec::new("stubborn", |_| async move {
        std::future::pending::<TaskResult>().await
    })
    .shutdown(Duration::from_millis(200));
    let supervisor = Supervisor::new(Strategy::OneForOne)
        .child(polite)
        .child(stubborn);
    let report = supervisor
        .run_until(tokio::time::sleep(Duration::from_secs(1)))
        .await
        .unwrap();
    assert_eq!(&*report.children[0].child, "stubborn");
    assert_eq!(report.children[0].exit, Exit::Killed);
    assert_eq!(report.children[0].took, Duration::from_millis(200));
    assert_eq!(&*report.children[1].child, "polite");
    assert_eq!(report.children[1].exit, Exit::ShutDown);
    assert_eq!(report.children[1].took, Duration::from_millis(30));
    assert!(!report.is_clean());
    assert_eq!(report.killed().collect::<Vec<_>>(), ["stubborn"]);
}

/// The model: which children start after each exit, and when escalation
/// happens.
struct Model {
    strategy: Strategy,
    restart: Vec<Restart>,
    running: Vec<bool>,
    gone: Vec<bool>,
    restarts: u32,
    max: u32,
}

impl Model {
    /// Applies an exit of `i`; the children started, or `None` on escalation.
    fn exit(&mut self, i: usize, cmd: Cmd) -> Option<Vec<usize>> {
        self.running[i] = false;
        let abnormal = cmd != Cmd::Return;
        let restart = match self.restart[i] {
            Restart::Permanent => true,
            Restart::Transient => abnormal,
            Restart::Temporary => false,
        };
        if self.restart[i] == Restart::Temporary {
            self.gone[i] = true;
        }
        if !restart {
            return Some(Vec::new());
        }
        if self.restarts >= self.max {
            return None;
        }
        self.restarts += 1;
        let n = self.running.len();
        let group: Vec<usize> = match self.strategy {
            Strategy::OneForOne => vec![i],
            Strategy::OneForAll => (0..n).collect(),
            Strategy::RestForOne => (i..n).collect(),
        };
        for &j in &group {
            if j != i && self.running[j] {
                self.running[j] = false;
                if self.restart[j] == Restart::Temporary {
                    self.gone[j] = true;
                }
            }
        }
        let starts: Vec<usize> = group.into_iter().filter(|&j| !self.gone[j]).collect();
        for &j in &starts {
            self.running[j] = true;
        }
        Some(starts)
    }
}

fn strategy() -> impl proptest::strategy::Strategy<Value = Strategy> {
    prop_oneof![
        Just(Strategy::OneForOne),
        Just(Strategy::OneForAll),
        Just(Strategy::RestForOne)
    ]
}

fn restart() -> impl proptest::strategy::Strategy<Value = Restart> {
    prop_oneof![
        Just(Restart::Permanent),
        Just(Restart::Transient),
        Just(Restart::Temporary)
    ]
}

fn cmd() -> impl proptest::strategy::Strategy<Value = Cmd> {
    prop_oneof![Just(Cmd::Return), Just(Cmd::Fail), Just(Cmd::Panic)]
}

/// The init order the property test gives the supervisor.
const INIT_ORDER: [&str; 5] = ["c0", "c1", "c2", "c3", "c4"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_supervisor_follows_the_model(
        strategy in strategy(),
        restarts in proptest::collection::vec(restart(), 1..5),
        max in 0u32..6,
        exits in proptest::collection::vec((0usize..8, cmd()), 0..12),
        shuffle in proptest::collection::vec(any::<u32>(), 5),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async move {
            // The model works in init order (c0, c1, ...); the children are
            // registered in a shuffled order, and the init order is given.
            let n = restarts.len();
            let names: Vec<String> = INIT_ORDER[..n].iter().map(|s| s.to_string()).collect();
            let mut registration: Vec<usize> = (0..n).collect();
            registration.sort_by_key(|&i| shuffle[i]);
            let mut supervisor = Supervisor::new(strategy)
                .intensity(RestartPolicy::new(max, Duration::from_secs(3600)))
                .init_order(&INIT_ORDER[..n]);
            let mut senders: Vec<Option<UnboundedSender<Cmd>>> = vec![None; n];
            for &i in &registration {
                let (spec, tx) = child(&names[i], restarts[i]);
                supervisor = supervisor.child(spec);
                senders[i] = Some(tx);
            }
            let senders: Vec<UnboundedSender<Cmd>> = senders.into_iter().flatten().collect();
            let mut events = supervisor.events();
            let run = tokio::spawn(supervisor.run_until(std::future::pending::<()>()));
            settle().await;
            prop_assert_eq!(started(&drain(&mut events)), names.clone());
            let mut model = Model {
                strategy,
                restart: restarts.clone(),
                running: vec![true; restarts.len()],
                gone: vec![false; restarts.len()],
                restarts: 0,
                max,
            };
            for (pick, cmd) in exits {
                let running: Vec<usize> = (0..names.len()).filter(|&i| model.running[i]).collect();
                if running.is_empty() {
                    break;
                }
                let i = running[pick % running.len()];
                senders[i].send(cmd).unwrap();
                settle().await;
                let seen = drain(&mut events);
                match model.exit(i, cmd) {
                    Some(starts) => {
                        let expected: Vec<String> = starts.iter().map(|&j| names[j].clone()).collect();
                        prop_assert_eq!(started(&seen), expected, "exit of {} ({:?})", i, cmd);
                        prop_assert!(!run.is_finished());
                    }
                    None => {
                        let escalation = SupervisorEvent::Escalated { child: names[i].clone().into() };
                        prop_assert!(seen.contains(&escalation), "{:?}", seen);
                        let escalated = run.await.unwrap().unwrap_err();
                        prop_assert_eq!(&*escalated.child, names[i].as_str());
                        return Ok(());
                    }
                }
            }
            run.abort();
            Ok(())
        })?;
    }
}

#[tokio::test(start_paused = true)]
async fn a_sibling_failing_while_the_group_stops_is_restarted_once_with_it() {
    // `a` fails 10 ms after `b`, while `c` takes 50 ms to stop: `a`'s exit
    // arrives in the middle of the one-for-all restart and must not cause a
    // second one.
    let (b, tb) = child("b", Restart::Permanent);
    let a = ChildSpec::new("a", |cx| async move {
        if cx.generation == 0 {
            tokio::time::sleep(Duration::from_millis(1_010)).await;
            return Err("a failed too".into());
        }
        cx.token.cancelled().await;
        Ok(())
    });
    let c = ChildSpec::new("c", |cx| async move {
        cx.token.cancelled().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(())
    })
    .shutdown(Duration::from_millis(500));
    let mut supervisor = Supervisor::new(Strategy::OneForAll)
        .child(a)
        .child(b)
        .child(c);
    let mut events = supervisor.events();
    let run = tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_secs(5))));
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    drain(&mut events);
    tb.send(Cmd::Fail).unwrap();
    let report = run.await.unwrap().unwrap();
    let all = drain(&mut events);
    assert_eq!(started(&all), ["a", "b", "c"], "{all:?}");
    assert_eq!(report.restarts, 1);
    assert!(all.contains(&SupervisorEvent::Exited {
        child: "a".into(),
        exit: Exit::Failed("a failed too".into()),
    }));
}
