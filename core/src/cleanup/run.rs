//! Running the steps: dependency order, a bounded number in parallel, each on
//! its own thread so that a hung step cannot hold the coordinator past its
//! timeout.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::registry::{Registry, StepState, Wake};
use super::report::{StepOutcome, StepReport, Verification};
use super::step::Work;
use super::{CleanupCoordinator, FailurePolicy};
use crate::step::panic_message;

/// What a step's thread reports when it returns.
pub(crate) struct Finished {
    outcome: StepOutcome,
    verification: Verification,
    duration: Duration,
    context: Option<String>,
}

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
                match spawn(id, action, verify, wake.clone(), returned.clone()) {
                    Ok(()) => running.push(Running {
                        id,
                        deadline: Instant::now() + timeout,
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
                    logger.record(crate::RecoveryEvent::failure(
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
            logger.record_cleanup(entry.component.as_ref(), &entry.name, &row);
        }
        entry.state = StepState::Done(row);
        let group = entry.group;
        registry.finished.push(id);
        if let Some(group) = group {
            registry.member_done(group);
        }
    }
}

/// Starts the step on a detached thread that reports back through `wake`.
fn spawn(
    id: usize,
    action: Work,
    verify: Option<Work>,
    wake: Sender<Wake>,
    returned: Arc<AtomicBool>,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name(String::from("typestep-cleanup"))
        .spawn(move || {
            let finished = run_step(action, verify);
            returned.store(true, Ordering::Release);
            // The scheduler may have stopped waiting (timeout); that is fine.
            let _ = wake.send(Wake::Finished(id, finished));
        })
        .map(drop)
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
                Some(problem) => {
                    if outcome == StepOutcome::Ok {
                        outcome = StepOutcome::Unverified;
                    }
                    context = Some(match context {
                        Some(first) => format!("{first}; {problem}"),
                        None => problem,
                    });
                    Verification::Failed
                }
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
