//! Running the steps: dependency order, a bounded number in parallel, on
//! worker threads that the coordinator never joins, so that a hung step
//! cannot hold it past its timeout.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use super::registry::{Finished, Registry, StepState, Wake};
use super::report::{StepReport, Verification};
use super::step::Work;
use super::{CleanupCoordinator, FailurePolicy};
use crate::fault::panic_message;
use crate::recovery::{Name, RecoveryEvent, StepOutcome};

/// A step whose thread has been started.
struct Running {
    id: usize,
    deadline: Instant,
    timeout: Duration,
    returned: Arc<AtomicBool>,
}

impl CleanupCoordinator {
    /// The scheduler loop behind [`cleanup`](CleanupCoordinator::cleanup).
    pub(crate) fn run_pending(&self) {
        let (wake, inbox) = mpsc::channel();
        let mut workers = Workers::new(wake.clone());
        let mut running: Vec<Running> = Vec::new();
        loop {
            let starts = {
                let mut registry = self.registry.lock();
                registry.waker = Some(wake.clone());
                let starts = self.select(&mut registry, running.len());
                if starts.is_empty() && running.is_empty() && registry.completed.is_empty() {
                    // Decided under the lock, so no registration slips in unseen.
                    registry.waker = None;
                    break;
                }
                starts
            };
            self.run_completed();
            for (id, action, verify, timeout) in starts {
                let returned = Arc::new(AtomicBool::new(false));
                let job = Job {
                    id,
                    action,
                    verify,
                    returned: returned.clone(),
                };
                match workers.start(job, running.len()) {
                    Ok(()) => running.push(Running {
                        id,
                        deadline: crate::time::saturating_instant(Instant::now(), timeout),
                        timeout,
                        returned,
                    }),
                    Err(error) => self.finish(
                        id,
                        Finished {
                            outcome: StepOutcome::Failed,
                            verification: Verification::NotRun,
                            duration: Duration::ZERO,
                            context: Some(format!(
                                "could not start a thread for the step: {error}"
                            )),
                        },
                    ),
                }
            }
            self.run_completed();
            let Some(deadline) = running.iter().map(|r| r.deadline).min() else {
                continue;
            };
            match inbox.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Wake::Finished(id, finished)) => {
                    // A late message from a step that already timed out is ignored.
                    if let Some(index) = running.iter().position(|r| r.id == id) {
                        running.swap_remove(index);
                        self.finish(id, finished);
                    }
                }
                Ok(Wake::Registered) => {}
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    let now = Instant::now();
                    let mut index = 0;
                    while index < running.len() {
                        if running[index].deadline <= now {
                            let late = running.swap_remove(index);
                            workers.write_off();
                            self.time_out(late);
                        } else {
                            index += 1;
                        }
                    }
                }
            }
        }
    }

    /// Runs the callbacks of completed groups, outside the registry lock (a
    /// callback may fire a machine whose observer registers new steps).
    fn run_completed(&self) {
        let completed = std::mem::take(&mut self.registry.lock().completed);
        for (on_done, rows) in completed {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| on_done(rows))) {
                if let Some(logger) = &self.logger {
                    logger.record(crate::recovery::RecoveryEvent::failure(
                        "CleanupCoordinator",
                        format!(
                            "a cleanup completion callback panicked: {}",
                            panic_message(payload.as_ref())
                        ),
                    ));
                }
            }
        }
    }

    /// Marks skipped steps and takes the work of the steps that may start now.
    fn select(
        &self,
        registry: &mut Registry,
        running: usize,
    ) -> Vec<(usize, Work, Option<Work>, Duration)> {
        let mut starts = Vec::new();
        let mut changed = true;
        while changed {
            changed = false;
            for id in 0..registry.entries.len() {
                if running + starts.len() >= self.max_parallel {
                    return starts;
                }
                let entry = &registry.entries[id];
                if !matches!(entry.state, StepState::Pending(..)) {
                    continue;
                }
                let mut blocked_by = None;
                let mut ready = true;
                for &dependent in &entry.dependents {
                    match &registry.entries[dependent].state {
                        StepState::Done(row) => {
                            if !row.outcome.is_ok() && blocked_by.is_none() {
                                blocked_by = Some(dependent);
                            }
                        }
                        _ => {
                            ready = false;
                            break;
                        }
                    }
                }
                if !ready {
                    continue;
                }
                let entry = &mut registry.entries[id];
                let timeout = entry.timeout.unwrap_or(self.default_timeout);
                let StepState::Pending(action, verify) =
                    std::mem::replace(&mut entry.state, StepState::Running)
                else {
                    continue;
                };
                match (self.policy, blocked_by) {
                    (FailurePolicy::SkipDependencies, Some(dependent)) => {
                        let context = format!(
                            "skipped: `{}`, which depends on it, did not finish cleanly",
                            registry.entries[dependent].name
                        );
                        drop((action, verify));
                        self.record(
                            registry,
                            id,
                            Finished {
                                outcome: StepOutcome::Skipped,
                                verification: Verification::NotRun,
                                duration: Duration::ZERO,
                                context: Some(context),
                            },
                        );
                        changed = true;
                    }
                    _ => starts.push((id, action, verify, timeout)),
                }
            }
        }
        starts
    }

    /// Records a step that finished on its thread.
    fn finish(&self, id: usize, finished: Finished) {
        let mut registry = self.registry.lock();
        self.record(&mut registry, id, finished);
    }

    /// Records a step that missed its deadline; its thread is left running.
    fn time_out(&self, late: Running) {
        let mut registry = self.registry.lock();
        let name = registry.entries[late.id].name.clone();
        registry.lingering.push((name, late.returned));
        self.record(
            &mut registry,
            late.id,
            Finished {
                outcome: StepOutcome::TimedOut,
                verification: Verification::NotRun,
                duration: late.timeout,
                context: Some(format!(
                    "did not finish within {:?}; it may still be running",
                    late.timeout
                )),
            },
        );
    }

    fn record(&self, registry: &mut Registry, id: usize, finished: Finished) {
        let entry = &mut registry.entries[id];
        let row = StepReport {
            name: entry.name.to_string(),
            component: entry.component.as_deref().map(str::to_owned),
            outcome: finished.outcome,
            verification: finished.verification,
            duration: finished.duration,
            context: finished.context,
        };
        if let Some(logger) = &self.logger {
            let component = entry.component.as_ref().unwrap_or(&entry.name).clone();
            logger.record(RecoveryEvent::cleanup(
                component,
                entry.name.clone(),
                row.outcome,
                row.duration,
                row.context.clone().map(Name::from),
            ));
        }
        entry.state = StepState::Done(row);
        let group = entry.group;
        registry.finished.push(id);
        if let Some(group) = group {
            registry.member_done(group);
        }
    }
}

/// A step handed to a worker thread.
struct Job {
    id: usize,
    action: Work,
    verify: Option<Work>,
    returned: Arc<AtomicBool>,
}

/// The threads that run one cleanup's steps. They are detached: a thread
/// stuck in a timed-out step is written off and replaced, never waited for.
/// Dropping this stops the others once they are idle.
struct Workers {
    jobs: Sender<Job>,
    queue: Arc<Mutex<Receiver<Job>>>,
    wake: Sender<Wake>,
    /// Threads not written off: each is running an in-flight step or idle.
    usable: usize,
}

impl Workers {
    fn new(wake: Sender<Wake>) -> Self {
        let (jobs, queue) = mpsc::channel();
        Workers {
            jobs,
            queue: Arc::new(Mutex::new(queue)),
            wake,
            usable: 0,
        }
    }

    /// Hands `job` to an idle thread, starting one when all `busy` usable
    /// threads are running steps.
    fn start(&mut self, job: Job, busy: usize) -> std::io::Result<()> {
        if self.usable <= busy {
            let (queue, wake) = (self.queue.clone(), self.wake.clone());
            thread::Builder::new()
                .name(String::from("typestep-cleanup"))
                .spawn(move || work(&queue, &wake))?;
            self.usable += 1;
        }
        // The receiver lives as long as `self.queue`, so this cannot fail.
        let _ = self.jobs.send(job);
        Ok(())
    }

    /// Notes that a thread is stuck in a timed-out step.
    fn write_off(&mut self) {
        self.usable = self.usable.saturating_sub(1);
    }
}

/// A worker thread: runs steps until the cleanup drops its job sender.
fn work(queue: &Mutex<Receiver<Job>>, wake: &Sender<Wake>) {
    loop {
        let next = queue.lock().recv();
        let Ok(job) = next else { return };
        let finished = run_step(job.action, job.verify);
        job.returned.store(true, Ordering::Release);
        // The scheduler may have stopped waiting (timeout); that is fine.
        let _ = wake.send(Wake::Finished(job.id, finished));
    }
}

/// Runs the action, then the verification, catching panics in both.
fn run_step(action: Work, verify: Option<Work>) -> Finished {
    let started = Instant::now();
    let (mut outcome, mut context) = match catch_unwind(AssertUnwindSafe(action)) {
        Ok(Ok(())) => (StepOutcome::Ok, None),
        Ok(Err(error)) => (StepOutcome::Failed, Some(error_chain(&*error))),
        Err(payload) => (
            StepOutcome::Panicked,
            Some(format!("panicked: {}", panic_message(payload.as_ref()))),
        ),
    };
    let verification = match verify {
        None => Verification::NotDeclared,
        Some(check) => {
            let problem = match catch_unwind(AssertUnwindSafe(check)) {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(format!("verification failed: {}", error_chain(&*error))),
                Err(payload) => Some(format!(
                    "verification panicked: {}",
                    panic_message(payload.as_ref())
                )),
            };
            match problem {
                None => Verification::Passed,
                Some(problem) => Verification::failed(&mut outcome, &mut context, problem),
            }
        }
    };
    Finished {
        outcome,
        verification,
        duration: started.elapsed(),
        context,
    }
}

/// An error and its sources, joined with `": "`.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
