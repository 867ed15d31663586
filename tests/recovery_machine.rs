//! A StateMachine's moves, rejections and rollbacks recorded by MoveLogger.

use std::sync::Arc;

use typestep::prelude::*;
use typestep::recovery::{EventKind, MoveLogger, RecoveryLogger};

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Ready, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start, guard = Self::has_workers, action = Self::spawn)]
#[transition(Running -> Stopped on Stop)]
#[transition(Created | Ready | Running -> Failed on Fail)]
struct Worker {
    workers: usize,
    spawned: usize,
    spawn_fails: bool,
}

impl Worker {
    fn has_workers(&self) -> bool {
        self.workers > 0
    }
    fn spawn(&mut self) -> Result<(), std::io::Error> {
        self.spawned = self.workers;
        if self.spawn_fails {
            return Err(std::io::Error::other("no threads left"));
        }
        Ok(())
    }
}

fn worker(workers: usize) -> Worker {
    Worker {
        workers,
        spawned: 0,
        spawn_fails: false,
    }
}

#[test]
fn moves_rejections_and_rollbacks_become_events() {
    let log = Arc::new(RecoveryLogger::new(256));
    let mut machine = StateMachine::new(worker(0)).with_observer(MoveLogger::new(log.clone()));
    machine.fire(worker::Init).unwrap();
    machine.fire(worker::Stop).unwrap_err(); // not allowed in Ready
    machine.fire(worker::Start).unwrap_err(); // guard: no workers
    machine.data_mut().workers = 2;
    machine.data_mut().spawn_fails = true;
    machine.fire(worker::Start).unwrap_err(); // action fails: rolled back
    machine.data_mut().spawn_fails = false;
    let checkpoint = machine.checkpoint();
    machine.fire(worker::Start).unwrap();
    machine.rollback_to(checkpoint);

    let events = log.collect();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Moved,
            EventKind::Rejected,
            EventKind::Rejected,
            EventKind::RolledBack,
            EventKind::Moved,
            EventKind::RolledBack,
        ]
    );
    assert_eq!(&*events[0].component, "Worker");
    assert_eq!(
        (events[0].from, events[0].event, events[0].to),
        (Some("Created"), Some("Init"), Some("Ready"))
    );
    assert_eq!(events[1].context.as_deref(), Some("not_allowed"));
    assert_eq!(events[1].to, None);
    assert_eq!(events[2].context.as_deref(), Some("guard_refused"));
    assert_eq!(events[2].to, Some("Running"));
    assert_eq!(events[3].context.as_deref(), Some("action_failed"));
    assert_eq!(
        (events[5].from, events[5].to),
        (Some("Running"), Some("Ready"))
    );
    assert_eq!(events[5].context.as_deref(), Some("checkpoint"));

    let analytics = log.analytics();
    let start = analytics.transition("Worker", "Ready", "Start").unwrap();
    assert_eq!((start.taken, start.failed, start.rolled_back), (1, 2, 1));
    assert_eq!(analytics.attempts(), 6);
}

#[test]
fn labelled_instances_are_told_apart_and_diagrams_show_real_counts() {
    let log = Arc::new(RecoveryLogger::new(256));
    let mut a = StateMachine::new(worker(1))
        .with_observer(MoveLogger::new(log.clone()).labelled("worker-a"));
    let mut b = StateMachine::new(worker(0))
        .with_observer(MoveLogger::new(log.clone()).labelled("worker-b"));
    a.fire(worker::Init).unwrap();
    a.fire(worker::Start).unwrap();
    a.fire(worker::Stop).unwrap();
    b.fire(worker::Init).unwrap();
    b.fire(worker::Start).unwrap_err();
    b.fire(worker::Fail).unwrap();

    assert_eq!(log.history("worker-a", 10).len(), 3);
    let mermaid_a = log.mermaid::<Worker>("worker-a");
    assert!(mermaid_a.contains("Ready --> Running: Start (taken 1, failed 0)"));
    assert!(mermaid_a.contains("Ready --> Failed: Fail (taken 0, failed 0)"));
    let mermaid_b = log.mermaid::<Worker>("worker-b");
    assert!(mermaid_b.contains("Ready --> Running: Start (taken 0, failed 1)"));
    assert!(mermaid_b.contains("Ready --> Failed: Fail (taken 1, failed 0)"));
    assert!(log
        .history("worker-a", 10)
        .iter()
        .all(|e| e.kind == EventKind::Moved));
}

/// An observer that reads the wall-clock start of each move.
struct Stamps(Vec<Option<std::time::SystemTime>>);

impl Observer<Worker> for Stamps {
    fn wants_time(&self) -> bool {
        true
    }
    fn on_move(&mut self, record: &MoveRecord<Worker>, _: &Worker) {
        self.0.push(record.at);
    }
}

#[test]
fn the_logger_asks_for_durations_not_for_wall_clock_starts() {
    let log = Arc::new(RecoveryLogger::new(16));
    let mut m = StateMachine::new(worker(1)).with_observer(MoveLogger::new(log.clone()));
    let record = m.fire(worker::Init).unwrap();
    assert!(record.took.is_some(), "the logger's events carry durations");
    assert_eq!(record.at, None, "nobody asked for the wall-clock start");
    assert_eq!(log.collect()[0].kind, EventKind::Moved);

    // Timing on, or another observer that wants the start: it is there.
    let mut timed = StateMachine::new(worker(1))
        .with_observer(MoveLogger::new(log.clone()))
        .with_timing(true);
    assert!(timed.fire(worker::Init).unwrap().at.is_some());
    let mut both =
        StateMachine::new(worker(1)).with_observer((MoveLogger::new(log), Stamps(Vec::new())));
    let record = both.fire(worker::Init).unwrap();
    assert!(record.at.is_some() && record.took.is_some());
    assert_eq!(both.observer().1 .1 .0, [record.at]);
}

#[test]
fn a_timed_move_is_stamped_from_the_reading_that_ended_it() {
    use std::time::Duration;
    // The coarse clock: a move stamps with this thread's latest read only
    // while it is fresh, so moves 20 ms apart are stamped about 20 ms apart
    // (less at most one tick of the coarse clock, 4 ms).
    let log = Arc::new(RecoveryLogger::new(16));
    let mut m = StateMachine::new(worker(1)).with_observer(MoveLogger::new(log.clone()));
    m.fire(worker::Init).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    m.fire(worker::Fail).unwrap();
    let events = log.collect();
    let apart = events[1].at - events[0].at;
    assert!(apart >= Duration::from_millis(15), "{apart:?}");
    assert!(log.uptime() >= events[1].at);

    // The precise clock: the stamp is the move's own end reading.
    let log = Arc::new(RecoveryLogger::new(16).precise_time());
    let mut m = StateMachine::new(worker(1)).with_observer(MoveLogger::new(log.clone()));
    let before = log.uptime();
    m.fire(worker::Init).unwrap();
    std::thread::sleep(Duration::from_millis(5));
    m.fire(worker::Fail).unwrap();
    let after = log.uptime();
    let events = log.collect();
    assert!(
        before <= events[0].at && events[1].at <= after,
        "{events:?}"
    );
    assert!(events[1].at - events[0].at >= Duration::from_millis(5));
}
