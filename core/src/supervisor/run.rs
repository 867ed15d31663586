//! The supervision loop: start, detect, restart by strategy, stop.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::report::{Escalated, Exit, StopReport, StoppedChild, SupervisorEvent};
use super::spec::{ChildSpec, Restart, Strategy, TaskContext, TaskHeartbeat, TaskResult};
use crate::component::catch_unwind_async;
use crate::coordinator::RestartPolicy;
use crate::recovery::{RecoveryEvent, RecoveryLogger};

/// Supervises tokio tasks as OTP supervisors do: restarts by
/// [`Strategy`] and [`Restart`] type, within a restart intensity, and stops
/// gracefully in reverse registration order.
///
/// Children are registered in init order (what others depend on first), as
/// `#[derive(System)]`'s init order gives them; "rest for one" means the
/// children registered after the failed one, and the stop runs in reverse.
pub struct Supervisor {
    strategy: Strategy,
    intensity: RestartPolicy,
    specs: Vec<ChildSpec>,
    logger: Option<Arc<RecoveryLogger>>,
    events: Option<UnboundedSender<SupervisorEvent>>,
}

impl Supervisor {
    /// A supervisor with `strategy`, allowing 3 restarts in 5 s.
    pub fn new(strategy: Strategy) -> Self {
        Supervisor {
            strategy,
            intensity: RestartPolicy::new(3, Duration::from_secs(5)),
            specs: Vec::new(),
            logger: None,
            events: None,
        }
    }

    /// At most `policy.max_restarts` restarts within `policy.window`; one
    /// more escalates.
    pub fn intensity(mut self, policy: RestartPolicy) -> Self {
        self.intensity = policy;
        self
    }

    /// Registers a child; registration order is the init order.
    pub fn child(mut self, spec: ChildSpec) -> Self {
        self.specs.push(spec);
        self
    }

    /// Records failures, restarts and the stop in `logger`.
    pub fn logger(mut self, logger: Arc<RecoveryLogger>) -> Self {
        self.logger = Some(logger);
        self
    }

    /// A receiver of every [`SupervisorEvent`], in order.
    pub fn events(&mut self) -> UnboundedReceiver<SupervisorEvent> {
        let (tx, rx) = unbounded_channel();
        self.events = Some(tx);
        rx
    }

    /// Starts every child in registration order and supervises them until
    /// `shutdown` completes; then stops them gracefully in reverse
    /// registration order (cancel, wait up to each shutdown timeout, abort)
    /// and returns the stop report. If the restart intensity is exceeded,
    /// every child is stopped the same way and the result is [`Escalated`].
    pub async fn run_until<F: Future>(self, shutdown: F) -> Result<StopReport, Escalated> {
        let mut run = Running::new(self);
        for index in 0..run.children.len() {
            run.start(index);
        }
        let mut shutdown = pin!(shutdown);
        loop {
            let (index, exit) = match run.pending.pop_front() {
                Some(exit) => exit,
                None => {
                    let check = run.next_check();
                    let landed = tokio::select! {
                        biased;
                        _ = shutdown.as_mut() => break,
                        Some(joined) = run.set.join_next() => run.accept(joined),
                        _ = sleep_until(check) => run.check_heartbeats(),
                    };
                    match landed {
                        Some(exit) => exit,
                        None => continue,
                    }
                }
            };
            run.exited(index, exit).await?;
        }
        Ok(run.stop_all().await)
    }
}

/// Sleeps until `at`, or forever when there is nothing to check.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One child at run time.
struct Child {
    spec: ChildSpec,
    generation: u64,
    running: bool,
    /// A temporary child that exited: never started again.
    gone: bool,
    token: CancellationToken,
    alive: Arc<AtomicBool>,
    abort: Option<AbortHandle>,
    next_check: Option<Instant>,
}

/// What a child's task hands back: who it was and how it ended.
type Joined = (usize, u64, Result<TaskResult, String>);

struct Running {
    strategy: Strategy,
    intensity: RestartPolicy,
    children: Vec<Child>,
    set: JoinSet<Joined>,
    /// Exits seen while waiting for another child to stop.
    pending: VecDeque<(usize, Exit)>,
    restarts: VecDeque<Instant>,
    restart_count: u32,
    logger: Option<Arc<RecoveryLogger>>,
    events: Option<UnboundedSender<SupervisorEvent>>,
}

impl Running {
    fn new(supervisor: Supervisor) -> Self {
        let children = supervisor
            .specs
            .into_iter()
            .map(|spec| Child {
                spec,
                generation: 0,
                running: false,
                gone: false,
                token: CancellationToken::new(),
                alive: Arc::new(AtomicBool::new(true)),
                abort: None,
                next_check: None,
            })
            .collect();
        Running {
            strategy: supervisor.strategy,
            intensity: supervisor.intensity,
            children,
            set: JoinSet::new(),
            pending: VecDeque::new(),
            restarts: VecDeque::new(),
            restart_count: 0,
            logger: supervisor.logger,
            events: supervisor.events,
        }
    }

    fn emit(&self, event: SupervisorEvent) {
        if let Some(events) = &self.events {
            // A receiver that hung up only stops listening.
            let _ = events.send(event);
        }
    }

    fn start(&mut self, index: usize) {
        let Some(child) = self.children.get_mut(index) else {
            return;
        };
        if child.gone || child.running {
            return;
        }
        let generation = child.generation;
        child.token = CancellationToken::new();
        child.alive = Arc::new(AtomicBool::new(true));
        let cx = TaskContext {
            token: child.token.clone(),
            heartbeat: TaskHeartbeat(child.alive.clone()),
            generation,
        };
        let task = (child.spec.factory)(cx);
        let abort = self
            .set
            .spawn(async move { (index, generation, catch_unwind_async(task).await) });
        child.abort = Some(abort);
        child.running = true;
        child.next_check = child.spec.heartbeat.map(|period| Instant::now() + period);
        let name = child.spec.name.clone();
        self.emit(SupervisorEvent::Started {
            child: name,
            generation,
        });
    }

    /// A finished task, if it is the current run of a running child.
    fn accept(&mut self, joined: Result<Joined, tokio::task::JoinError>) -> Option<(usize, Exit)> {
        // A `JoinError` only comes from a task the supervisor aborted (panics
        // are caught inside the task), already accounted for.
        let (index, generation, outcome) = joined.ok()?;
        let child = self.children.get_mut(index)?;
        if !child.running || child.generation != generation {
            return None;
        }
        child.running = false;
        child.generation += 1;
        child.abort = None;
        let exit = match outcome {
            Ok(Ok(())) if child.token.is_cancelled() => Exit::ShutDown,
            Ok(Ok(())) => Exit::Normal,
            Ok(Err(error)) => Exit::Failed(error.to_string()),
            Err(message) => Exit::Panicked(message),
        };
        Some((index, exit))
    }

    /// The earliest heartbeat check due.
    fn next_check(&self) -> Option<Instant> {
        self.children
            .iter()
            .filter(|c| c.running)
            .filter_map(|c| c.next_check)
            .min()
    }

    /// Checks the heartbeats that are due; the first child found silent is
    /// aborted and reported.
    fn check_heartbeats(&mut self) -> Option<(usize, Exit)> {
        let now = Instant::now();
        let mut silent = None;
        for (index, child) in self.children.iter_mut().enumerate() {
            let (Some(due), Some(period)) = (child.next_check, child.spec.heartbeat) else {
                continue;
            };
            if !child.running || due > now {
                continue;
            }
            child.next_check = Some(due + period);
            if !child.alive.swap(false, Ordering::Relaxed) && silent.is_none() {
                silent = Some(index);
            }
        }
        let index = silent?;
        self.kill(index);
        Some((index, Exit::MissedHeartbeat))
    }

    /// Aborts a running child at once.
    fn kill(&mut self, index: usize) {
        if let Some(child) = self.children.get_mut(index) {
            child.token.cancel();
            if let Some(abort) = child.abort.take() {
                abort.abort();
            }
            child.running = false;
            child.generation += 1;
        }
    }

    /// Handles a child's exit: logs it, and restarts by restart type and
    /// strategy within the intensity.
    async fn exited(&mut self, index: usize, exit: Exit) -> Result<(), Escalated> {
        let Some(child) = self.children.get_mut(index) else {
            return Ok(());
        };
        let name = child.spec.name.clone();
        let restart = match child.spec.restart {
            Restart::Permanent => true,
            Restart::Transient => exit.is_abnormal(),
            Restart::Temporary => false,
        };
        if child.spec.restart == Restart::Temporary {
            child.gone = true;
        }
        if exit.is_abnormal() {
            if let Some(logger) = &self.logger {
                logger.record(RecoveryEvent::failure(name.clone(), exit.to_string()));
            }
        }
        self.emit(SupervisorEvent::Exited {
            child: name.clone(),
            exit: exit.clone(),
        });
        if !restart {
            return Ok(());
        }
        let now = Instant::now();
        while self
            .restarts
            .front()
            .is_some_and(|&at| now.duration_since(at) >= self.intensity.window)
        {
            self.restarts.pop_front();
        }
        if self.restarts.len() >= self.intensity.max_restarts as usize {
            self.emit(SupervisorEvent::Escalated {
                child: name.clone(),
            });
            if let Some(logger) = &self.logger {
                logger.record(RecoveryEvent::failure(
                    name.clone(),
                    "restart intensity exceeded: escalated",
                ));
            }
            let report = self.stop_all().await;
            return Err(Escalated {
                child: name,
                exit,
                report,
            });
        }
        self.restarts.push_back(now);
        self.restart_count += 1;
        let group: Vec<usize> = match self.strategy {
            Strategy::OneForOne => vec![index],
            Strategy::OneForAll => (0..self.children.len()).collect(),
            Strategy::RestForOne => (index..self.children.len()).collect(),
        };
        // Stop the others of the group, dependents first.
        for &other in group.iter().rev() {
            if other != index && self.children.get(other).is_some_and(|c| c.running) {
                let stopped = self.stop(other).await;
                if let Some(child) = self.children.get_mut(other) {
                    if child.spec.restart == Restart::Temporary {
                        child.gone = true;
                    }
                }
                self.emit(SupervisorEvent::Exited {
                    child: stopped.child,
                    exit: stopped.exit,
                });
            }
        }
        // A child of the group that exited on its own while the others were
        // stopping is restarted with the group, not once more afterwards.
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(i, _)| group.contains(i));
        self.pending = others.into();
        for (i, exit) in mine {
            if let Some(child) = self.children.get_mut(i) {
                if child.spec.restart == Restart::Temporary {
                    child.gone = true;
                }
                let name = child.spec.name.clone();
                if exit.is_abnormal() {
                    if let Some(logger) = &self.logger {
                        logger.record(RecoveryEvent::failure(name.clone(), exit.to_string()));
                    }
                }
                self.emit(SupervisorEvent::Exited { child: name, exit });
            }
        }
        let restarting: Vec<usize> = group
            .into_iter()
            .filter(|&i| self.children.get(i).is_some_and(|c| !c.gone))
            .collect();
        self.emit(SupervisorEvent::Restarting {
            strategy: self.strategy,
            children: restarting
                .iter()
                .filter_map(|&i| self.children.get(i).map(|c| c.spec.name.clone()))
                .collect(),
        });
        for i in restarting {
            self.start(i);
        }
        Ok(())
    }

    /// Stops one running child: cancels its token, waits up to its shutdown
    /// timeout, then aborts it.
    async fn stop(&mut self, index: usize) -> StoppedChild {
        let started = Instant::now();
        let (name, timeout, generation) = match self.children.get(index) {
            Some(child) => {
                child.token.cancel();
                (
                    child.spec.name.clone(),
                    child.spec.shutdown,
                    child.generation,
                )
            }
            None => (Arc::from("?"), Duration::ZERO, 0),
        };
        let deadline = started + timeout;
        let exit = loop {
            match tokio::time::timeout_at(deadline, self.set.join_next()).await {
                Ok(Some(joined)) => {
                    let is_this =
                        matches!(&joined, Ok((i, g, _)) if *i == index && *g == generation);
                    match self.accept(joined) {
                        Some((_, exit)) if is_this => break exit,
                        Some(other) => self.pending.push_back(other),
                        None => {}
                    }
                }
                // Nothing left to wait for.
                Ok(None) => {
                    self.kill(index);
                    break Exit::ShutDown;
                }
                Err(_) => {
                    self.kill(index);
                    break Exit::Killed;
                }
            }
        };
        if exit.is_abnormal() || exit == Exit::Killed {
            if let Some(logger) = &self.logger {
                logger.record(RecoveryEvent::failure(name.clone(), exit.to_string()));
            }
        }
        StoppedChild {
            child: name,
            exit,
            took: started.elapsed(),
        }
    }

    /// Stops every running child in reverse registration order.
    async fn stop_all(&mut self) -> StopReport {
        let mut report = StopReport {
            children: Vec::new(),
            restarts: self.restart_count,
        };
        for index in (0..self.children.len()).rev() {
            if self.children.get(index).is_some_and(|c| c.running) {
                let stopped = self.stop(index).await;
                self.emit(SupervisorEvent::Exited {
                    child: stopped.child.clone(),
                    exit: stopped.exit.clone(),
                });
                report.children.push(stopped);
            }
        }
        self.set.abort_all();
        report
    }
}
