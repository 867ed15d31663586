//! The supervision loop: start in init order, detect exits and missed
//! heartbeats.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::{AbortHandle, Id, JoinError, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::report::{Escalated, Exit, StopReport, SupervisorEvent};
use super::spec::{ChildSpec, Restart, Strategy, TaskContext, TaskHeartbeat, TaskResult};
use crate::coordinator::{RestartPolicy, WorkerId};
use crate::fault::panic_message;
use crate::recovery::{RecoveryEvent, RecoveryLogger};
use crate::system::System;

/// Supervises tokio tasks as OTP supervisors do: restarts by
/// [`Strategy`] and [`Restart`] type, within a restart intensity, and stops
/// gracefully in the reverse of the init order.
///
/// The init order is registration order, or the order of a
/// [`System`] ([`system`](Self::system), [`init_order`](Self::init_order)):
/// what others depend on comes first. "Rest for one" means the children
/// after the failed one in that order, and the stop runs in reverse.
/// Children linked to a component ([`ChildSpec::component`]) move its state
/// machine through its lifecycle on every failure, restart and stop.
pub struct Supervisor {
    strategy: Strategy,
    intensity: RestartPolicy,
    specs: Vec<ChildSpec>,
    order: Option<&'static [&'static str]>,
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
            order: None,
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

    /// Registers a child. Without an init order, registration order is the
    /// init order.
    pub fn child(mut self, spec: ChildSpec) -> Self {
        self.specs.push(spec);
        self
    }

    /// Orders the children by the init order that `#[derive(System)]`
    /// computed for `S` at build time ([`System::INIT_ORDER`]): a child
    /// named after a part takes that part's place. Children that name no
    /// part of `S` come after the parts, in registration order.
    ///
    /// ```
    /// use typestep::prelude::*;
    /// use typestep::supervisor::{Strategy, Supervisor};
    ///
    /// #[derive(System)]
    /// struct Service {
    ///     #[depends_on(cache)]
    ///     frontend: (),
    ///     cache: (),
    /// }
    /// assert_eq!(Service::INIT_ORDER, ["cache", "frontend"]);
    /// let supervisor = Supervisor::new(Strategy::RestForOne).system::<Service>();
    /// # let _ = supervisor;
    /// ```
    pub fn system<S: System>(self) -> Self {
        self.init_order(S::INIT_ORDER)
    }

    /// Orders the children by `order` (part names, dependencies first), as
    /// [`system`](Self::system) does with a system's init order.
    pub fn init_order(mut self, order: &'static [&'static str]) -> Self {
        self.order = Some(order);
        self
    }

    /// Records failures, restarts and the stop in `logger` (a child linked
    /// to a component records its failures in its coordinator's log).
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

    /// Starts every child in init order and supervises them until
    /// `shutdown` completes; then stops them gracefully in reverse init
    /// order (cancel, wait up to each shutdown timeout, abort) and returns
    /// the stop report. If the restart intensity is exceeded, every child is
    /// stopped the same way and the result is [`Escalated`].
    pub async fn run_until<F: Future>(self, shutdown: F) -> Result<StopReport, Escalated> {
        let mut run = Running::new(self);
        for index in 0..run.children.len() {
            if let Some(link) = run.children.get(index).and_then(|c| c.spec.link.clone()) {
                if let Err(reason) = link.start() {
                    link.logger().record(RecoveryEvent::failure(
                        link.component().clone(),
                        format!("could not fire the start event: {reason}"),
                    ));
                }
            }
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
                        Some(joined) = run.set.join_next_with_id() => run.landed(joined),
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
pub(super) struct Child {
    pub(super) spec: ChildSpec,
    pub(super) generation: u64,
    pub(super) running: bool,
    /// A temporary child that exited: never started again.
    pub(super) gone: bool,
    pub(super) token: CancellationToken,
    alive: Arc<AtomicBool>,
    abort: Option<AbortHandle>,
    /// The tokio id of the current run's task.
    pub(super) task: Option<Id>,
    /// The task aborted for a missed heartbeat, whose end is awaited as its
    /// cleanup.
    pub(super) killed: Option<Id>,
    next_check: Option<Instant>,
    /// When a heartbeat check last found it alive (or it started).
    pub(super) last_alive: Instant,
    /// The coordinator's id of the current run (linked children).
    pub(super) run: Option<WorkerId>,
    /// The id reserved for the next run by a failure record.
    pub(super) next_run: Option<WorkerId>,
}

/// A joined task: its id, and how it ended.
pub(super) type Joined = Result<(Id, TaskResult), JoinError>;

pub(super) struct Running {
    pub(super) strategy: Strategy,
    pub(super) intensity: RestartPolicy,
    pub(super) children: Vec<Child>,
    pub(super) set: JoinSet<TaskResult>,
    /// Which child (and run) each live task is.
    pub(super) ids: HashMap<Id, (usize, u64)>,
    /// Exits seen while waiting for another child to stop.
    pub(super) pending: VecDeque<(usize, Exit)>,
    pub(super) restarts: VecDeque<Instant>,
    pub(super) restart_count: u32,
    pub(super) logger: Option<Arc<RecoveryLogger>>,
    events: Option<UnboundedSender<SupervisorEvent>>,
}

impl Running {
    fn new(supervisor: Supervisor) -> Self {
        let mut specs = supervisor.specs;
        if let Some(order) = supervisor.order {
            // A stable sort: children naming no part keep registration order.
            specs.sort_by_key(|spec| {
                order
                    .iter()
                    .position(|part| *part == &*spec.name)
                    .unwrap_or(order.len())
            });
        }
        let now = Instant::now();
        let children = specs
            .into_iter()
            .map(|spec| Child {
                spec,
                generation: 0,
                running: false,
                gone: false,
                token: CancellationToken::new(),
                alive: Arc::new(AtomicBool::new(true)),
                abort: None,
                task: None,
                killed: None,
                next_check: None,
                last_alive: now,
                run: None,
                next_run: None,
            })
            .collect();
        Running {
            strategy: supervisor.strategy,
            intensity: supervisor.intensity,
            children,
            set: JoinSet::new(),
            ids: HashMap::new(),
            pending: VecDeque::new(),
            restarts: VecDeque::new(),
            restart_count: 0,
            logger: supervisor.logger,
            events: supervisor.events,
        }
    }

    pub(super) fn emit(&self, event: SupervisorEvent) {
        if let Some(events) = &self.events {
            // A receiver that hung up only stops listening.
            let _ = events.send(event);
        }
    }

    pub(super) fn start(&mut self, index: usize) {
        let Some(child) = self.children.get_mut(index) else {
            return;
        };
        if child.gone || child.running {
            return;
        }
        let generation = child.generation;
        child.token = CancellationToken::new();
        child.alive = Arc::new(AtomicBool::new(true));
        child.run = child
            .spec
            .link
            .as_ref()
            .map(|link| match child.next_run.take() {
                Some(reserved) => reserved,
                None => link.next_run(),
            });
        let cx = TaskContext {
            token: child.token.clone(),
            heartbeat: TaskHeartbeat(child.alive.clone()),
            generation,
        };
        let task = (child.spec.factory)(cx);
        let abort = self.set.spawn(task);
        self.ids.insert(abort.id(), (index, generation));
        child.task = Some(abort.id());
        child.abort = Some(abort);
        child.running = true;
        let now = Instant::now();
        child.last_alive = now;
        child.next_check = child.spec.heartbeat.map(|period| now + period);
        let name = child.spec.name.clone();
        self.emit(SupervisorEvent::Started {
            child: name,
            generation,
        });
    }

    /// A task ended: the exit of a child, if it is the current run of a
    /// running child. A panic comes as the task's `JoinError`; a task the
    /// supervisor aborted is already accounted for.
    pub(super) fn landed(&mut self, joined: Joined) -> Option<(usize, Exit)> {
        let (id, outcome) = match joined {
            Ok((id, result)) => (id, Ok(result)),
            Err(error) => (error.id(), Err(error)),
        };
        let (index, generation) = self.ids.remove(&id)?;
        let child = self.children.get_mut(index)?;
        if !child.running || child.generation != generation {
            return None;
        }
        let exit = match outcome {
            Ok(Ok(())) if child.token.is_cancelled() => Exit::ShutDown,
            Ok(Ok(())) => Exit::Normal,
            Ok(Err(error)) => Exit::Failed(error.to_string()),
            Err(error) if error.is_panic() => {
                Exit::Panicked(panic_message(error.into_panic().as_ref()))
            }
            // Aborted from outside the supervisor (never by it while running).
            Err(_) => Exit::Killed,
        };
        child.running = false;
        child.generation += 1;
        child.abort = None;
        child.task = None;
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
            // A full period from this check, not from when it was due: a
            // late check must not shorten the next window, so a child found
            // silent has been silent for at least one whole period.
            child.next_check = Some(now + period);
            if child.alive.swap(false, Ordering::Relaxed) {
                child.last_alive = now;
            } else if silent.is_none() {
                silent = Some(index);
            }
        }
        let index = silent?;
        self.kill(index);
        Some((index, Exit::MissedHeartbeat))
    }

    /// Aborts a running child at once; its task's end is its cleanup.
    pub(super) fn kill(&mut self, index: usize) {
        if let Some(child) = self.children.get_mut(index) {
            child.token.cancel();
            if let Some(abort) = child.abort.take() {
                abort.abort();
            }
            child.killed = child.task.take();
            child.running = false;
            child.generation += 1;
        }
    }

    /// Whether `exit` of a child of restart type `restart` restarts it.
    pub(super) fn restarts(restart: Restart, exit: &Exit) -> bool {
        match restart {
            Restart::Permanent => true,
            Restart::Transient => exit.is_abnormal(),
            Restart::Temporary => false,
        }
    }

    /// Escalation: stop everything and give up.
    pub(super) async fn escalated(&mut self, child: Arc<str>, exit: Exit) -> Escalated {
        let report = self.stop_all().await;
        Escalated {
            child,
            exit,
            report,
        }
    }
}
