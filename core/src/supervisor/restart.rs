//! What an exit leads to: the failure through the component's machine, the
//! cleanup, the restart type, the intensity, and the strategy's group.

use std::sync::Arc;

use tokio::time::Instant;

use super::report::{Escalated, Exit, SupervisorEvent};
use super::run::Running;
use super::spec::{Restart, Strategy};
use crate::cleanup::StepOutcome;
use crate::coordinator::{FailureAction, FailureCause};
use crate::recovery::RecoveryEvent;

/// A linked child's failure, recorded in its coordinator.
struct Recorded {
    /// The index of the stored [`Failure`](crate::coordinator::Failure).
    index: usize,
}

impl Running {
    /// Fails a child's component (when linked) or logs the failure in the
    /// supervisor's log; runs the failed task's cleanup; stores the failure
    /// record with `action`. Returns the record of a linked child.
    async fn failed(
        &mut self,
        index: usize,
        exit: &Exit,
        action: FailureAction,
    ) -> Option<Recorded> {
        let began = Instant::now();
        let cleanup = self.reap(index).await;
        let took = began.elapsed();
        let child = self.children.get(index)?;
        let name = child.spec.name.clone();
        let Some(link) = child.spec.link.clone() else {
            if let Some(logger) = &self.logger {
                logger.record(RecoveryEvent::failure(name, exit.to_string()));
            }
            return None;
        };
        let cause = match exit {
            Exit::Failed(message) => FailureCause::Errored(message.clone()),
            Exit::Panicked(message) => FailureCause::Panicked(message.clone()),
            _ => FailureCause::MissedHeartbeat {
                silent_for: Instant::now().duration_since(child.last_alive),
                deadline: child.spec.heartbeat.unwrap_or_default(),
            },
        };
        let run = child.run.unwrap_or_else(|| link.next_run());
        let generation = child.generation.saturating_sub(1);
        let state = link.fail(&name, run, &cause);
        // The failed task has ended (a panic or an error return), or was
        // aborted and awaited for its shutdown timeout.
        let cleanup = cleanup.unwrap_or(StepOutcome::Ok);
        link.logger().record(RecoveryEvent::cleanup(
            link.component().clone(),
            format!("{}/{}#{}", link.component(), name, generation),
            cleanup,
            took,
            None,
        ));
        let index = link.record(&name, run, cause, state, action);
        link.update(index, |stored| stored.cleanup = Some(cleanup));
        Some(Recorded { index })
    }

    /// Sets the action of a linked child's stored failure.
    fn set_action(&self, index: usize, recorded: &Option<Recorded>, action: FailureAction) {
        if let (Some(recorded), Some(link)) = (
            recorded,
            self.children.get(index).and_then(|c| c.spec.link.as_ref()),
        ) {
            link.update(recorded.index, |stored| stored.action = action);
        }
    }

    /// A child whose component refused its restart stays down.
    fn leave_down(&mut self, index: usize) {
        if let Some(child) = self.children.get_mut(index) {
            child.gone = true;
        }
    }

    /// The action a restart records: the id the next run will get.
    fn restart_action(&mut self, index: usize) -> FailureAction {
        let Some(child) = self.children.get_mut(index) else {
            return FailureAction::LeftFailed;
        };
        match &child.spec.link {
            Some(link) => {
                let id = link.next_run();
                child.next_run = Some(id);
                FailureAction::Restarted(id)
            }
            None => FailureAction::LeftFailed,
        }
    }

    /// Handles a child's exit: fails its component (when linked), logs and
    /// cleans up, and restarts by restart type and strategy within the
    /// intensity.
    pub(super) async fn exited(&mut self, index: usize, exit: Exit) -> Result<(), Escalated> {
        let Some(child) = self.children.get_mut(index) else {
            return Ok(());
        };
        let name = child.spec.name.clone();
        let link = child.spec.link.clone();
        let mut restart = Self::restarts(child.spec.restart, &exit);
        if child.spec.restart == Restart::Temporary {
            child.gone = true;
        }
        let abnormal = exit.is_abnormal();
        // A failed component that cannot restart stays failed, and its task
        // stays down (also when a sibling's failure restarts a group).
        if abnormal && link.as_ref().is_some_and(|l| !l.offers_restart()) {
            restart = false;
            child.gone = true;
        }
        // Decide before announcing anything: the record is stored before the
        // restart, as for worker threads.
        let now = Instant::now();
        while self
            .restarts
            .front()
            .is_some_and(|&at| now.duration_since(at) >= self.intensity.window)
        {
            self.restarts.pop_front();
        }
        let escalate = restart && self.restarts.len() >= self.intensity.max_restarts as usize;
        let action = if escalate {
            FailureAction::Escalated
        } else if restart {
            self.restart_action(index)
        } else {
            FailureAction::LeftFailed
        };
        let recorded = if abnormal {
            self.failed(index, &exit, action).await
        } else {
            None
        };
        self.emit(SupervisorEvent::Exited {
            child: name.clone(),
            exit: exit.clone(),
        });
        if !restart {
            return Ok(());
        }
        if escalate {
            self.emit(SupervisorEvent::Escalated {
                child: name.clone(),
            });
            let why = format!(
                "restart intensity exceeded: {} restarts within {:?}; escalating",
                self.intensity.max_restarts, self.intensity.window
            );
            match &link {
                Some(link) => link.escalate(why),
                None => {
                    if let Some(logger) = &self.logger {
                        logger.record(RecoveryEvent::failure(name.clone(), why));
                    }
                }
            }
            return Err(self.escalated(name, exit).await);
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
        let mut records = vec![(index, recorded)];
        for (i, exit) in mine {
            let Some(child) = self.children.get_mut(i) else {
                continue;
            };
            if child.spec.restart == Restart::Temporary {
                child.gone = true;
            }
            let name = child.spec.name.clone();
            if exit.is_abnormal() {
                let action = self.restart_action(i);
                let recorded = self.failed(i, &exit, action).await;
                records.push((i, recorded));
            }
            self.emit(SupervisorEvent::Exited { child: name, exit });
        }
        let mut restarting = Vec::new();
        for i in group {
            let Some(child) = self.children.get(i) else {
                continue;
            };
            if child.gone {
                continue;
            }
            let failed = records
                .iter()
                .find(|(r, _)| *r == i)
                .map(|(_, recorded)| recorded);
            let starts = match (&child.spec.link, failed) {
                (None, _) => true,
                (Some(link), failed) => match (link.restart(), failed) {
                    (Ok(true), _) | (Ok(false), None) => true,
                    // A failed component must take its restart move.
                    (Ok(false), Some(recorded)) => {
                        let reason = format!(
                            "`{}` in state `{}` does not accept its restart event",
                            link.component(),
                            link.state()
                        );
                        self.set_action(i, recorded, FailureAction::RestartFailed(reason));
                        self.leave_down(i);
                        false
                    }
                    (Err(reason), failed) => {
                        link.logger().record(RecoveryEvent::failure(
                            link.component().clone(),
                            format!("could not fire the restart event: {reason}"),
                        ));
                        if let Some(recorded) = failed {
                            self.set_action(i, recorded, FailureAction::RestartFailed(reason));
                        }
                        self.leave_down(i);
                        false
                    }
                },
            };
            if starts {
                restarting.push(i);
            }
        }
        self.emit(SupervisorEvent::Restarting {
            strategy: self.strategy,
            children: restarting
                .iter()
                .filter_map(|&i| self.children.get(i).map(|c| c.spec.name.clone()))
                .collect::<Vec<Arc<str>>>(),
        });
        for i in restarting {
            self.start(i);
        }
        Ok(())
    }
}
