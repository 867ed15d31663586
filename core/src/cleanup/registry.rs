//! The registered steps as a dependency graph: validation and planning.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use super::error::CleanupError;
use super::report::{StepReport, Verification};
use super::step::{CleanupStep, Work};
use crate::recovery::StepOutcome;

/// Where a step is in its cleanup.
pub(crate) enum StepState {
    /// Registered, not started; holds the work and its verification.
    Pending(Work, Option<Work>),
    /// Handed to a worker thread.
    Running,
    /// Finished (in any outcome).
    Done(StepReport),
}

/// Called once with the rows of a group's steps when the last one finishes.
pub(crate) type OnDone = Box<dyn FnOnce(Vec<StepReport>) + Send + 'static>;

/// Steps registered together whose completion someone waits for.
pub(crate) struct Group {
    pub(crate) members: Vec<usize>,
    pub(crate) remaining: usize,
    pub(crate) on_done: Option<OnDone>,
}

/// A registered step.
pub(crate) struct Entry {
    pub(crate) name: Arc<str>,
    pub(crate) component: Option<Arc<str>>,
    /// The steps this one depends on (cleaned up after it).
    pub(crate) depends_on: Vec<usize>,
    /// The steps that depend on this one (cleaned up before it).
    pub(crate) dependents: Vec<usize>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) state: StepState,
    /// The group the step belongs to, if any.
    pub(crate) group: Option<usize>,
}

/// A message to the running scheduler.
pub(crate) enum Wake {
    /// A step finished on its thread.
    Finished(usize, Finished),
    /// New steps were registered.
    Registered,
}

/// Every registered step, indexed by registration order.
#[derive(Default)]
pub(crate) struct Registry {
    pub(crate) entries: Vec<Entry>,
    pub(crate) by_name: HashMap<Arc<str>, usize>,
    /// Set while a cleanup runs: registrations wake the scheduler through it.
    pub(crate) waker: Option<Sender<Wake>>,
    /// Finished steps, in the order they finished.
    pub(crate) finished: Vec<usize>,
    /// Timed-out steps and a flag their thread sets when it finally returns.
    pub(crate) lingering: Vec<(Arc<str>, Arc<AtomicBool>)>,
    pub(crate) groups: Vec<Group>,
    /// Completed groups whose callback the scheduler runs outside the lock.
    pub(crate) completed: Vec<(OnDone, Vec<StepReport>)>,
}

impl Registry {
    /// Validates `steps` against the registered ones and adds them all, or
    /// none: a duplicate, a missing dependency, a dependency whose cleanup has
    /// started, or a cycle is an error.
    pub(crate) fn add(&mut self, steps: Vec<CleanupStep>) -> Result<(), CleanupError> {
        let base = self.entries.len();
        let mut batch: HashMap<&str, usize> = HashMap::with_capacity(steps.len());
        for (offset, step) in steps.iter().enumerate() {
            if self.by_name.contains_key(&step.name)
                || batch.insert(&step.name, base + offset).is_some()
            {
                return Err(CleanupError::Duplicate(step.name.to_string()));
            }
        }
        // Resolve every dependency to an id.
        let mut resolved: Vec<Vec<usize>> = Vec::with_capacity(steps.len());
        for step in &steps {
            let mut ids = Vec::with_capacity(step.depends_on.len());
            for dependency in &step.depends_on {
                let id = match self.by_name.get(dependency) {
                    Some(&id) => {
                        if !matches!(self.entries[id].state, StepState::Pending(..)) {
                            return Err(CleanupError::DependencyAlreadyCleaned {
                                step: step.name.to_string(),
                                dependency: dependency.to_string(),
                            });
                        }
                        id
                    }
                    None => match batch.get(&**dependency) {
                        Some(&id) => id,
                        None => {
                            return Err(CleanupError::MissingDependency {
                                step: step.name.to_string(),
                                missing: dependency.to_string(),
                            })
                        }
                    },
                };
                ids.push(id);
            }
            resolved.push(ids);
        }
        // Registered steps cannot depend on new ones, so a cycle lies within the batch.
        if let Some(path) = find_cycle(base, &resolved) {
            return Err(CleanupError::Cycle {
                path: path
                    .into_iter()
                    .map(|id| steps[id - base].name.to_string())
                    .collect(),
            });
        }
        for (step, depends_on) in steps.into_iter().zip(resolved) {
            let id = self.entries.len();
            for &dependency in &depends_on {
                if dependency < id {
                    self.entries[dependency].dependents.push(id);
                }
            }
            self.by_name.insert(step.name.clone(), id);
            self.entries.push(Entry {
                name: step.name,
                component: step.component,
                depends_on,
                dependents: Vec::new(),
                timeout: step.timeout,
                state: StepState::Pending(step.action, step.verify),
                group: None,
            });
        }
        // Dependents inside the batch that point forward.
        for id in base..self.entries.len() {
            for index in 0..self.entries[id].depends_on.len() {
                let dependency = self.entries[id].depends_on[index];
                if dependency > id {
                    self.entries[dependency].dependents.push(id);
                }
            }
        }
        Ok(())
    }

    /// Adds the steps registered from id `first` on as a group whose
    /// completion calls `on_done`.
    pub(crate) fn group(&mut self, first: usize, on_done: OnDone) {
        let id = self.groups.len();
        let members: Vec<usize> = (first..self.entries.len()).collect();
        for &member in &members {
            self.entries[member].group = Some(id);
        }
        self.groups.push(Group {
            remaining: members.len(),
            members,
            on_done: Some(on_done),
        });
        if self.groups[id].remaining == 0 {
            self.complete(id);
        }
    }

    /// Notes that a member of `group` finished.
    pub(crate) fn member_done(&mut self, group: usize) {
        self.groups[group].remaining -= 1;
        if self.groups[group].remaining == 0 {
            self.complete(group);
        }
    }

    fn complete(&mut self, group: usize) {
        let rows = self.groups[group]
            .members
            .iter()
            .filter_map(|&id| match &self.entries[id].state {
                StepState::Done(row) => Some(row.clone()),
                _ => None,
            })
            .collect();
        if let Some(on_done) = self.groups[group].on_done.take() {
            self.completed.push((on_done, rows));
        }
    }

    /// The cleanup order as levels: every step of a level can run once all
    /// earlier levels are done, and the steps of one level are independent.
    pub(crate) fn levels(&self) -> Vec<Vec<usize>> {
        let mut waiting: Vec<usize> = self.entries.iter().map(|e| e.dependents.len()).collect();
        let mut level: Vec<usize> = (0..self.entries.len())
            .filter(|&id| waiting[id] == 0)
            .collect();
        let mut levels = Vec::new();
        while !level.is_empty() {
            let mut next = Vec::new();
            for &id in &level {
                for &dependency in &self.entries[id].depends_on {
                    waiting[dependency] -= 1;
                    if waiting[dependency] == 0 {
                        next.push(dependency);
                    }
                }
            }
            next.sort_unstable();
            levels.push(level);
            level = next;
        }
        levels
    }
}

/// A cycle among the new steps (ids from `base`, edges in `depends_on`), as a
/// path that starts and ends at the same id.
fn find_cycle(base: usize, depends_on: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; depends_on.len()];
    let mut path: Vec<(usize, usize)> = Vec::new();
    for start in 0..depends_on.len() {
        if mark[start] != Mark::New {
            continue;
        }
        mark[start] = Mark::OnPath;
        path.push((start, 0));
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some(&target) = depends_on[node].get(*next) else {
                mark[node] = Mark::Done;
                path.pop();
                continue;
            };
            *next += 1;
            let Some(local) = target.checked_sub(base) else {
                continue; // an already registered step: cannot lead back
            };
            match mark[local] {
                Mark::New => {
                    mark[local] = Mark::OnPath;
                    path.push((local, 0));
                }
                Mark::OnPath => {
                    let from = path.iter().position(|&(n, _)| n == local).unwrap_or(0);
                    let mut cycle: Vec<usize> =
                        path[from..].iter().map(|&(n, _)| n + base).collect();
                    cycle.push(target);
                    return Some(cycle);
                }
                Mark::Done => {}
            }
        }
    }
    None
}

/// What a step's thread reports when it returns.
pub(crate) struct Finished {
    pub(super) outcome: StepOutcome,
    pub(super) verification: Verification,
    pub(super) duration: Duration,
    pub(super) context: Option<String>,
}
