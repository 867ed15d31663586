//! How the coordinator drives a component: which events start, stop, fail
//! and restart it, and how often a restart is allowed.

use std::time::Duration;

use crate::component::Component;

/// At most `max_restarts` restarts within `window`; one more failure in the
/// window escalates instead of restarting (OTP's restart intensity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RestartPolicy {
    /// Restarts allowed within the window.
    pub max_restarts: u32,
    /// The sliding window.
    pub window: Duration,
}

impl RestartPolicy {
    /// At most `max_restarts` within `window`.
    pub fn new(max_restarts: u32, window: Duration) -> Self {
        RestartPolicy {
            max_restarts,
            window,
        }
    }
}

/// The events through which the [`ComponentCoordinator`](crate::coordinator::ComponentCoordinator)
/// drives one component's [`StateMachine`](crate::StateMachine).
///
/// Only `fail` is required: it moves the component to its failure state when
/// one of its workers panics or misses its heartbeat deadline.
///
/// ```
/// use std::time::Duration;
/// use typestep::prelude::*;
/// use typestep::coordinator::{Lifecycle, RestartPolicy};
///
/// #[derive(Component, Clone)]
/// #[component(states(Created, Running, Stopping, Stopped, Failed), initial = Created, terminal(Stopped))]
/// #[transition(Created -> Running on Start)]
/// #[transition(Running -> Stopping on Stop)]
/// #[transition(Stopping -> Stopped on Done)]
/// #[transition(Running | Stopping -> Failed on Fail)]
/// #[transition(Failed -> Running on Restart)]
/// #[transition(Failed -> Stopped on Abandon)]
/// struct Sensor;
///
/// let lifecycle = Lifecycle::<Sensor>::new(sensor::Fail)
///     .start(sensor::Start)
///     .stop(sensor::Stop, Some(sensor::Done.into()))
///     .abandon(sensor::Abandon)
///     .restart(sensor::Restart, RestartPolicy::new(2, Duration::from_secs(10)));
/// assert!(lifecycle.restart_policy().is_some());
/// ```
#[derive(Debug)]
pub struct Lifecycle<C: Component> {
    pub(crate) start: Option<C::Event>,
    pub(crate) stop: Option<C::Event>,
    pub(crate) stopped: Option<C::Event>,
    pub(crate) fail: C::Event,
    pub(crate) abandon: Option<C::Event>,
    pub(crate) restart: Option<(C::Event, RestartPolicy)>,
}

impl<C: Component> Clone for Lifecycle<C> {
    fn clone(&self) -> Self {
        Lifecycle {
            start: self.start,
            stop: self.stop,
            stopped: self.stopped,
            fail: self.fail,
            abandon: self.abandon,
            restart: self.restart,
        }
    }
}

impl<C: Component> Lifecycle<C> {
    /// A lifecycle whose failure event is `fail`.
    pub fn new(fail: impl Into<C::Event>) -> Self {
        Lifecycle {
            start: None,
            stop: None,
            stopped: None,
            fail: fail.into(),
            abandon: None,
            restart: None,
        }
    }

    /// Fired by [`start_all`](crate::coordinator::ComponentCoordinator::start_all).
    pub fn start(mut self, event: impl Into<C::Event>) -> Self {
        self.start = Some(event.into());
        self
    }

    /// Fired when the system stops; `stopped`, if given, is fired once the
    /// component's cleanup finished cleanly (`Stopping -> Stopped`), and
    /// `fail` if it did not.
    pub fn stop(mut self, stop: impl Into<C::Event>, stopped: Option<C::Event>) -> Self {
        self.stop = Some(stop.into());
        self.stopped = stopped;
        self
    }

    /// Fired when the system stops while the component is in its failure
    /// state (it will not be restarted: `Failed -> Stopped`).
    pub fn abandon(mut self, event: impl Into<C::Event>) -> Self {
        self.abandon = Some(event.into());
        self
    }

    /// After a failure, fire `event` and respawn the component's failed
    /// worker, within the limits of `policy`.
    pub fn restart(mut self, event: impl Into<C::Event>, policy: RestartPolicy) -> Self {
        self.restart = Some((event.into(), policy));
        self
    }

    /// The restart policy, if restarts are offered.
    pub fn restart_policy(&self) -> Option<RestartPolicy> {
        self.restart.map(|(_, policy)| policy)
    }
}
