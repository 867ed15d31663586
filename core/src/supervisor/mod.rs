//! Supervision of tokio tasks (feature `tokio`): OTP's restart strategies,
//! restart types and intensity, heartbeats, and a graceful stop in reverse
//! registration order.
//!
//! A [`Supervisor`] starts each [`ChildSpec`]'s task in registration order
//! (the init order: what others depend on comes first) inside a `JoinSet`.
//! Each task gets a [`TaskContext`]: a `CancellationToken` and a
//! [`TaskHeartbeat`] (one atomic store per beat). A panic, an error return or
//! a missed heartbeat is a failure: it is logged (when a
//! [`RecoveryLogger`](crate::recovery::RecoveryLogger) is attached) and the
//! [`Strategy`] decides who restarts: the failed child ([`Strategy::OneForOne`]),
//! everyone ([`Strategy::OneForAll`]), or the failed child and those registered
//! after it ([`Strategy::RestForOne`]). The [`Restart`] type decides whether a
//! child restarts at all. More restarts than the intensity allows in its
//! window stop everything and return [`Escalated`].
//!
//! On shutdown each running child is stopped in reverse registration order:
//! its token is cancelled, it gets its shutdown timeout to return, then it is
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
//! // Reverse registration order; the stuck task was aborted at its timeout.
//! assert_eq!(&*report.children[0].child, "stuck");
//! assert_eq!(report.children[0].exit, Exit::Killed);
//! assert_eq!(report.children[1].exit, Exit::ShutDown);
//! # }
//! ```
//!
//! # Errors
//!
//! [`Supervisor::run_until`] returns [`Escalated`] when the restart intensity
//! is exceeded (after stopping every child). Failures of children are not
//! errors of the call: they are [`SupervisorEvent`]s and recovery-log events.

mod report;
mod run;
mod spec;

pub use report::{Escalated, Exit, StopReport, StoppedChild, SupervisorEvent};
pub use run::Supervisor;
pub use spec::{ChildSpec, Restart, Strategy, TaskContext, TaskHeartbeat, TaskResult};
