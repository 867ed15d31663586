//! Detection-to-restart latency of the task supervisor (feature `tokio`),
//! side by side in one run with a hand-written tokio restart loop.
//!
//! A child panics at every start and is detected and restarted `iters`
//! times on a current-thread runtime (time per detection and restart):
//!
//! * `handwritten_joinset_loop`: the minimal loop a tokio user writes: a
//!   `JoinSet`, `JoinError::is_panic`, respawn;
//! * `supervisor`: typestep's `Supervisor`, one-for-one (restart type,
//!   intensity window, strategy, a fresh token and heartbeat per start);
//! * `supervisor_component`: the same child linked to a coordinator
//!   component, so every panic is also logged, fails the component through
//!   its state machine (`Running -> Failed`), stores a failure record and
//!   restarts through `Failed -> Running`.
//!
//! Run: `cargo bench --bench supervisor --features tokio -- --warm-up-time 1 --measurement-time 3`.

#[cfg(feature = "tokio")]
mod rows {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use criterion::Criterion;
    use tokio::sync::Notify;
    use tokio::task::JoinSet;
    use typestep::coordinator::{
        ComponentCoordinator, CoordinatorConfig, Lifecycle, RestartPolicy,
    };
    use typestep::pool::{Quotas, ResourcePool};
    use typestep::prelude::*;
    use typestep::supervisor::{ChildSpec, Strategy, Supervisor};

    #[derive(Component, Clone)]
    #[component(states(Created, Running, Failed), initial = Created)]
    #[transition(Created -> Running on Start)]
    #[transition(Running -> Failed on Fail)]
    #[transition(Failed -> Running on Restart)]
    struct Crasher;

    pub fn rows(c: &mut Criterion) {
        // Panics are the point here; keep their messages out of the output.
        std::panic::set_hook(Box::new(|_| {}));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let mut group = c.benchmark_group("panic_restart");
        group.bench_function("handwritten_joinset_loop", |b| {
            b.iter_custom(|iters| runtime.block_on(handwritten(iters)))
        });
        group.bench_function("supervisor", |b| {
            b.iter_custom(|iters| runtime.block_on(supervised(iters, false)))
        });
        group.bench_function("supervisor_component", |b| {
            b.iter_custom(|iters| runtime.block_on(supervised(iters, true)))
        });
        group.finish();
        let _ = std::panic::take_hook();
    }

    /// `iters` panics detected and restarted by the supervisor; the child is
    /// linked to a component when `linked`.
    async fn supervised(iters: u64, linked: bool) -> Duration {
        let starts = Arc::new(AtomicU64::new(0));
        let done = Arc::new(Notify::new());
        let (s, d) = (starts.clone(), done.clone());
        let mut child = ChildSpec::new("crasher", move |cx| {
            let n = s.fetch_add(1, Ordering::Relaxed);
            let d = d.clone();
            async move {
                if n >= iters {
                    d.notify_one();
                    cx.token.cancelled().await;
                    return Ok(());
                }
                panic!("crash");
            }
        });
        if linked {
            let pool = ResourcePool::builder().build().expect("a pool");
            let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
            let policy = RestartPolicy::new(u32::MAX, Duration::from_secs(1));
            let crasher = coordinator
                .register(
                    "crasher",
                    StateMachine::new(Crasher),
                    Lifecycle::new(crasher::Fail)
                        .start(crasher::Start)
                        .restart(crasher::Restart, policy),
                    Quotas::new(),
                )
                .expect("registered");
            child = child
                .component(&coordinator, crasher.id())
                .expect("its component");
        }
        let supervisor = Supervisor::new(Strategy::OneForOne)
            .intensity(RestartPolicy::new(u32::MAX, Duration::from_secs(1)))
            .child(child);
        let start = Instant::now();
        let _ = supervisor.run_until(done.notified()).await;
        start.elapsed()
    }

    /// The same with a hand-written loop: `JoinSet`, `is_panic`, respawn.
    async fn handwritten(iters: u64) -> Duration {
        let starts = Arc::new(AtomicU64::new(0));
        let task = |starts: Arc<AtomicU64>| async move {
            let n = starts.fetch_add(1, Ordering::Relaxed);
            if n < iters {
                panic!("crash");
            }
        };
        let start = Instant::now();
        let mut set = JoinSet::new();
        set.spawn(task(starts.clone()));
        while let Some(joined) = set.join_next().await {
            match joined {
                Err(error) if error.is_panic() => {
                    set.spawn(task(starts.clone()));
                }
                _ => break,
            }
        }
        start.elapsed()
    }
}

fn all(_c: &mut criterion::Criterion) {
    #[cfg(feature = "tokio")]
    rows::rows(_c);
}

/// Kept in a private module: `criterion_group!` generates an undocumented
/// `pub fn`.
mod harness {
    criterion::criterion_group!(benches, super::all);
}

criterion::criterion_main!(harness::benches);
