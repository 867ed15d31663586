//! Supervision of tokio tasks (feature `tokio`): OTP's restart strategies,
//! restart types and intensity, heartbeats, and a graceful stop in reverse
//! init order, driving the components of a
//! [`ComponentCoordinator`](crate::coordinator::ComponentCoordinator).
//!
//! A [`Supervisor`] starts each [`ChildSpec`]'s task in init order inside a
//! `JoinSet`: registration order, or the init order `#[derive(System)]`
//! computed at build time ([`Supervisor::system`]). Each task gets a
//! [`TaskContext`]: a `CancellationToken` and a [`TaskHeartbeat`] (one
//! relaxed atomic store per beat: no allocation, no lock). A panic (from the
//! task's `JoinError`), an error return or a missed heartbeat is a failure,
//! and the [`Strategy`] decides who restarts: the failed child
//! ([`Strategy::OneForOne`]), everyone ([`Strategy::OneForAll`]), or the
//! failed child and those after it in init order ([`Strategy::RestForOne`]).
//! The [`Restart`] type decides whether a child restarts at all. More
//! restarts than the intensity allows in its window stop everything and
//! return [`Escalated`].
//!
//! A child linked to a registered component ([`ChildSpec::component`]) is
//! that component's work, supervised as the coordinator supervises a worker
//! thread: its failure is logged in the coordinator's recovery log and fires
//! the component's `fail` event; a task that missed its heartbeat is aborted
//! and awaited (its cleanup); the failure is stored in
//! [`failures`](crate::coordinator::ComponentCoordinator::failures) with
//! its cause, cleanup outcome and action; a restart fires `restart`; the
//! stop fires `stop` and then `stopped` (or `fail` when killed).
//!
//! On shutdown each running child is stopped in reverse init order: its
//! token is cancelled, it gets its shutdown timeout to return, then it is
//! aborted and reported [`Exit::Killed`] in the [`StopReport`].
//!
//! ```
//! use std::time::Duration;
//! use typestep::supervisor::{ChildSpec, Exit, Restart, Strategy, Supervisor};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let supervisor = Supervisor::new(Strategy::OneForOne)
//!     .child(ChildSpec::new("cache", |cx| async move {
//!         cx.token.cancelled().await; // runs until asked to stop
//!         Ok(())
//!     }))
//!     .child(
//!         ChildSpec::new("stuck", |_| async move {
//!             std::future::pending::<()>().await; // ignores its token
//!             Ok(())
//!         })
//!         .restart(Restart::Temporary)
//!         .shutdown(Duration::from_millis(100)),
//!     );
//! let report = supervisor
//!     .run_until(tokio::time::sleep(Duration::from_millis(20)))
//!     .await
//!     .unwrap();
//! // Reverse init (registration) order; the stuck task was aborted at its timeout.
//! assert_eq!(&*report.children[0].child, "stuck");
//! assert_eq!(report.children[0].exit, Exit::Killed);
//! assert_eq!(report.children[1].exit, Exit::ShutDown);
//! # }
//! ```
//!
//! A task as the work of a component: its failure moves the component's
//! machine, and so does its restart.
//!
//! ```
//! use std::time::Duration;
//! use typestep::coordinator::{
//!     ComponentCoordinator, CoordinatorConfig, FailureCause, Lifecycle, RestartPolicy,
//! };
//! use typestep::pool::{Quotas, ResourcePool};
//! use typestep::prelude::*;
//! use typestep::supervisor::{ChildSpec, Strategy, Supervisor};
//!
//! #[derive(Component, Clone)]
//! #[component(states(Idle, Running, Failed), initial = Idle)]
//! #[transition(Idle -> Running on Start)]
//! #[transition(Running -> Failed on Fail)]
//! #[transition(Failed -> Running on Restart)]
//! struct Cache;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = ResourcePool::builder().build()?;
//! let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
//! let lifecycle = Lifecycle::new(cache::Fail)
//!     .start(cache::Start)
//!     .restart(cache::Restart, RestartPolicy::new(3, Duration::from_secs(5)));
//! let cache = coordinator.register("cache", StateMachine::new(Cache), lifecycle, Quotas::new())?;
//! let task = ChildSpec::new("cache", |cx| async move {
//!     if cx.generation == 0 {
//!         return Err("the first run fails".into());
//!     }
//!     cx.token.cancelled().await;
//!     Ok(())
//! })
//! .component(&coordinator, cache.id())?;
//! // Stop once the child has failed and been restarted (at most 10 s: a
//! // loaded machine may take longer than a fixed few milliseconds).
//! let restarted = async {
//!     while coordinator.failures().is_empty() || cache.state() != cache::State::Running {
//!         tokio::time::sleep(Duration::from_millis(1)).await;
//!     }
//! };
//! let report = Supervisor::new(Strategy::OneForOne)
//!     .child(task)
//!     .run_until(tokio::time::timeout(Duration::from_secs(10), restarted))
//!     .await?;
//! assert_eq!(report.restarts, 1);
//! let failure = &coordinator.failures()[0];
//! assert_eq!(failure.cause, FailureCause::Errored("the first run fails".into()));
//! assert_eq!(failure.state, "Failed"); // failed through its machine
//! assert_eq!(cache.state(), cache::State::Running); // and restarted through it
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! [`Supervisor::run_until`] returns [`Escalated`] when the restart intensity
//! is exceeded (after stopping every child). Failures of children are not
//! errors of the call: they are [`SupervisorEvent`]s, recovery-log events
//! and, for linked children, the coordinator's failure records.
//! [`ChildSpec::component`] refuses a component of another coordinator
//! ([`CoordinatorError`](crate::coordinator::CoordinatorError)).

mod report;
mod restart;
mod run;
mod spec;
mod stop;

pub use report::{Escalated, Exit, StopReport, StoppedChild, SupervisorEvent};
pub use run::Supervisor;
pub use spec::{ChildSpec, Restart, Strategy, TaskContext, TaskHeartbeat, TaskResult};
