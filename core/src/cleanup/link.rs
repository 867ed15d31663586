//! Cleanup states linked to state machines: [`CleanupLink`].

use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::{CleanupCoordinator, CleanupStep, StepReport};
use crate::component::{Component, Label};
use crate::machine::{MoveRecord, Observer, SharedMachine};
use crate::recovery::RecoveryEvent;

/// Fires an event on the bound machine.
type Fire<C> = Box<dyn Fn(<C as Component>::Event) -> Result<(), String> + Send + Sync>;

/// The machine a link fires its outcome on, set by [`LinkHandle::bind`].
struct Target<C: Component> {
    fire: Mutex<Option<Fire<C>>>,
    errors: Mutex<Vec<String>>,
}

/// An [`Observer`] that links a component's cleanup state to its cleanup
/// steps: when the machine enters the `cleaning` state (say `Stopping`), the
/// steps are registered with the coordinator (joining a running cleanup, or
/// waiting for the next one); when they have all finished, the link fires
/// `done` on the machine if every step was `Ok` (say `Stopping -> Stopped`),
/// and `failed` otherwise (`Stopping -> Failed`). A registration error (say a
/// step name already taken) also fires `failed`, at the next cleanup.
///
/// The machine must be a [`SharedMachine`] (the outcome is fired from the
/// thread running the cleanup), bound with [`LinkHandle::bind`] once shared.
///
/// ```
/// use std::sync::Arc;
/// use typestep::prelude::*;
/// use typestep::cleanup::{CleanupCoordinator, CleanupLink, CleanupStep};
///
/// #[derive(Component, Clone)]
/// #[component(states(Running, Stopping, Stopped, Failed), initial = Running, terminal(Stopped, Failed))]
/// #[transition(Running -> Stopping on Stop)]
/// #[transition(Stopping -> Stopped on Done)]
/// #[transition(Running | Stopping -> Failed on Fail)]
/// struct Worker;
///
/// let coordinator = Arc::new(CleanupCoordinator::new());
/// let link = CleanupLink::<Worker>::new(
///     coordinator.clone(),
///     worker::State::Stopping,
///     worker::Done,
///     worker::Fail,
///     || vec![CleanupStep::new("worker-threads", || Ok::<(), std::io::Error>(()))],
/// );
/// let handle = link.handle();
/// let machine = Arc::new(SharedMachine::new(StateMachine::new(Worker).with_observer(link)));
/// handle.bind(&machine);
///
/// machine.fire(worker::Stop).unwrap(); // schedules the steps
/// coordinator.cleanup();               // runs them, then fires `Done`
/// assert_eq!(machine.state(), worker::State::Stopped);
/// ```
pub struct CleanupLink<C: Component> {
    coordinator: Arc<CleanupCoordinator>,
    cleaning: C::State,
    done: C::Event,
    failed: C::Event,
    steps: Box<dyn FnMut() -> Vec<CleanupStep> + Send>,
    target: Arc<Target<C>>,
}

/// Binds a [`CleanupLink`] to the shared machine it observes, and reports
/// what went wrong with it.
pub struct LinkHandle<C: Component> {
    target: Arc<Target<C>>,
}

impl<C: Component + 'static> CleanupLink<C> {
    /// A link that registers `steps()` with `coordinator` on entering
    /// `cleaning`, then fires `done` or `failed`.
    pub fn new<F>(
        coordinator: Arc<CleanupCoordinator>,
        cleaning: C::State,
        done: impl Into<C::Event>,
        failed: impl Into<C::Event>,
        steps: F,
    ) -> Self
    where
        F: FnMut() -> Vec<CleanupStep> + Send + 'static,
    {
        CleanupLink {
            coordinator,
            cleaning,
            done: done.into(),
            failed: failed.into(),
            steps: Box::new(steps),
            target: Arc::new(Target {
                fire: Mutex::new(None),
                errors: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The handle to bind the machine with, once it is shared.
    pub fn handle(&self) -> LinkHandle<C> {
        LinkHandle {
            target: self.target.clone(),
        }
    }

    /// What to do when the steps are done: fire `done` or `failed`.
    fn on_done(&self) -> impl FnOnce(Vec<StepReport>) + Send + 'static
    where
        C::Event: Send,
    {
        let (target, done, failed) = (self.target.clone(), self.done, self.failed);
        let logger = self.coordinator.logger.clone();
        move |rows: Vec<StepReport>| {
            let event = if rows.iter().all(|row| row.outcome.is_ok()) {
                done
            } else {
                failed
            };
            let outcome = match &*target.fire.lock() {
                Some(fire) => fire(event),
                None => Err(String::from("the link was never bound to a machine")),
            };
            if let Err(problem) = outcome {
                let problem = format!(
                    "`{}` could not fire `{}` after its cleanup: {problem}",
                    C::NAME,
                    event.name()
                );
                if let Some(logger) = &logger {
                    logger.record(RecoveryEvent::failure(C::NAME, problem.clone()));
                }
                target.errors.lock().push(problem);
            }
        }
    }
}

impl<C: Component> LinkHandle<C> {
    /// Makes the link fire its outcome on `machine` (held weakly: a dropped
    /// machine is reported, not kept alive).
    pub fn bind<O>(&self, machine: &Arc<SharedMachine<C, O>>)
    where
        O: Observer<C> + Send + 'static,
        C: Send + 'static,
    {
        let machine: Weak<SharedMachine<C, O>> = Arc::downgrade(machine);
        *self.target.fire.lock() = Some(Box::new(move |event| match machine.upgrade() {
            Some(machine) => machine.fire(event).map(drop).map_err(|e| e.to_string()),
            None => Err(String::from("the machine was dropped")),
        }));
    }

    /// What went wrong so far: registration errors and outcomes that could
    /// not be fired.
    pub fn errors(&self) -> Vec<String> {
        self.target.errors.lock().clone()
    }
}

impl<C: Component + 'static> Observer<C> for CleanupLink<C> {
    fn on_move(&mut self, record: &MoveRecord<C>, _: &C) {
        if record.to != self.cleaning || record.from == self.cleaning {
            return;
        }
        let steps = (self.steps)();
        if let Err(error) = self.coordinator.register_group(steps, self.on_done()) {
            let problem = format!("`{}` could not schedule its cleanup: {error}", C::NAME);
            if let Some(logger) = &self.coordinator.logger {
                logger.record(RecoveryEvent::failure(C::NAME, problem.clone()));
            }
            self.target.errors.lock().push(problem);
            // Fire `failed` from the next cleanup (not here: the machine is
            // in the middle of this move).
            let on_done = self.on_done();
            let failed = self.failed;
            let fail = move |_: Vec<StepReport>| {
                on_done(vec![StepReport {
                    name: format!("{}:schedule", C::NAME),
                    component: Some(C::NAME.to_owned()),
                    outcome: super::StepOutcome::Failed,
                    verification: super::Verification::NotRun,
                    duration: Default::default(),
                    context: Some(format!("fires `{}`", failed.name())),
                }])
            };
            // An empty group cannot fail to register.
            let _ = self.coordinator.register_group([], fail);
        }
    }
}

impl<C: Component> core::fmt::Debug for CleanupLink<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CleanupLink")
            .field("component", &C::NAME)
            .field("cleaning", &self.cleaning)
            .field("done", &self.done)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<C: Component> core::fmt::Debug for LinkHandle<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LinkHandle")
            .field("component", &C::NAME)
            .field("bound", &self.target.fire.lock().is_some())
            .finish()
    }
}
