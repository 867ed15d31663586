//! Stopping children: one (cancel, wait up to its shutdown timeout, abort),
//! or all of them in reverse init order.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::Id;
use tokio::time::Instant;

use super::report::{Exit, StopReport, StoppedChild, SupervisorEvent};
use super::run::Running;
use crate::cleanup::StepOutcome;
use crate::recovery::RecoveryEvent;

/// How a wait for one task ended.
pub(super) enum Waited {
    /// It ended; its exit, if it was the current run of a running child.
    Ended(Option<Exit>),
    /// The deadline passed first.
    TimedOut,
    /// No task is left in the set.
    NothingLeft,
}

impl Running {
    /// Waits until task `id` ends or `deadline` passes; the exits of other
    /// children that land meanwhile are queued in `pending`.
    pub(super) async fn wait_end(&mut self, id: Id, deadline: Instant) -> Waited {
        loop {
            match tokio::time::timeout_at(deadline, self.set.join_next_with_id()).await {
                Ok(Some(joined)) => {
                    let this = match &joined {
                        Ok((landed, _)) => *landed == id,
                        Err(error) => error.id() == id,
                    };
                    let exit = self.landed(joined);
                    if this {
                        return Waited::Ended(exit.map(|(_, exit)| exit));
                    }
                    if let Some(other) = exit {
                        self.pending.push_back(other);
                    }
                }
                Ok(None) => return Waited::NothingLeft,
                Err(_) => return Waited::TimedOut,
            }
        }
    }

    /// The cleanup of a task aborted for a missed heartbeat: it must end
    /// within the child's shutdown timeout.
    pub(super) async fn reap(&mut self, index: usize) -> Option<StepOutcome> {
        let child = self.children.get_mut(index)?;
        let id = child.killed.take()?;
        let deadline = Instant::now() + child.spec.shutdown;
        Some(match self.wait_end(id, deadline).await {
            Waited::Ended(_) | Waited::NothingLeft => StepOutcome::Ok,
            Waited::TimedOut => StepOutcome::TimedOut,
        })
    }

    /// Stops one running child: cancels its token, waits up to its shutdown
    /// timeout, then aborts it.
    pub(super) async fn stop(&mut self, index: usize) -> StoppedChild {
        let started = Instant::now();
        let (name, timeout, task) = match self.children.get(index) {
            Some(child) => {
                child.token.cancel();
                (child.spec.name.clone(), child.spec.shutdown, child.task)
            }
            None => (Arc::from("?"), Duration::ZERO, None),
        };
        let exit = match task {
            Some(id) => match self.wait_end(id, started + timeout).await {
                Waited::Ended(Some(exit)) => exit,
                Waited::Ended(None) => Exit::ShutDown,
                Waited::NothingLeft => {
                    self.kill(index);
                    Exit::ShutDown
                }
                Waited::TimedOut => {
                    self.kill(index);
                    Exit::Killed
                }
            },
            None => Exit::ShutDown,
        };
        if let Some(child) = self.children.get_mut(index) {
            // A killed task's end is not awaited at a stop.
            child.killed = None;
        }
        if exit.is_abnormal() || exit == Exit::Killed {
            let link = self.children.get(index).and_then(|c| c.spec.link.as_ref());
            let logger = link.map(|l| l.logger()).or(self.logger.as_ref());
            if let Some(logger) = logger {
                logger.record(RecoveryEvent::failure(name.clone(), exit.to_string()));
            }
        }
        StoppedChild {
            child: name,
            exit,
            took: started.elapsed(),
            state: None,
        }
    }

    /// Stops every running child in reverse init order; a linked child's
    /// component moves through `stop` and then `stopped` (or `fail` when it
    /// was killed); a failed one that is not running is abandoned.
    pub(super) async fn stop_all(&mut self) -> StopReport {
        let mut report = StopReport {
            children: Vec::new(),
            restarts: self.restart_count,
        };
        for index in (0..self.children.len()).rev() {
            let Some(child) = self.children.get(index) else {
                continue;
            };
            let link = child.spec.link.clone();
            if !child.running {
                if let Some(link) = link {
                    link.abandon();
                }
                continue;
            }
            if let Some(link) = &link {
                link.stopping();
            }
            let mut stopped = self.stop(index).await;
            if let Some(link) = &link {
                link.stopped(matches!(stopped.exit, Exit::ShutDown | Exit::Normal));
                stopped.state = Some(link.state());
            }
            self.emit(SupervisorEvent::Exited {
                child: stopped.child.clone(),
                exit: stopped.exit.clone(),
            });
            report.children.push(stopped);
        }
        self.set.abort_all();
        report
    }
}
