//! Async moves against their blocking twins, side by side in one run
//! (feature `tokio` for the heartbeat rows).
//!
//! * `sync_edge`: one move on an edge without guard or action, with
//!   `fire` and with `fire_async` (polled once with a no-op waker: no
//!   runtime). Asks what `fire_async` costs on a sync edge.
//! * `ready_action`: one move whose action bumps a counter, declared sync
//!   (`action = Self::bump`) or async and immediately ready
//!   (`action = async Self::bump_async`), both through a `StateMachine`, and
//!   the same for typed handles (`fire` vs `fire(..).run()`).
//! * `heartbeat`: one `TaskHeartbeat::beat` against a bare relaxed store.
//!
//! The supervisor's detection-to-restart latency is `benches/supervisor.rs`.
//!
//! Each machine toggles between two states, so every iteration is a real
//! move and the machine never needs resetting.
//!
//! Run: `cargo bench --bench async_move --features tokio -- --warm-up-time 1 --measurement-time 3`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{criterion_main, Criterion};
use typestep::prelude::*;

/// The error the actions never return.
#[derive(Debug, thiserror::Error)]
#[error("never")]
pub struct Never;

/// Sync edges only, no data.
#[derive(Component, Clone, Debug)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Flip)]
#[transition(On -> Off on Flip)]
pub struct Plain;

/// A sync action on both edges.
#[derive(Component, Clone, Debug)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Flip, action = Self::bump)]
#[transition(On -> Off on Flip, action = Self::bump)]
pub struct SyncAct {
    n: u64,
}

impl SyncAct {
    fn bump(&mut self) -> Result<(), Never> {
        self.n += 1;
        Ok(())
    }
}

/// The same action, async and immediately ready.
#[derive(Component, Clone, Debug)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Flip, action = async Self::bump)]
#[transition(On -> Off on Flip, action = async Self::bump)]
pub struct AsyncAct {
    n: u64,
}

impl AsyncAct {
    async fn bump(&mut self) -> Result<(), Never> {
        self.n += 1;
        Ok(())
    }
}

/// Polls `future` once; every future here is ready at once.
#[inline(always)]
fn now<F: Future>(future: F) -> Option<F::Output> {
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}

fn moves(c: &mut Criterion) {
    let mut group = c.benchmark_group("sync_edge");
    let mut m = StateMachine::new(Plain);
    group.bench_function("fire", |b| {
        b.iter(|| black_box(m.fire(black_box(plain::Flip)).is_ok()))
    });
    let mut m = StateMachine::new(Plain);
    group.bench_function("fire_async", |b| {
        b.iter(|| black_box(now(m.fire_async(black_box(plain::Flip))).is_some()))
    });
    group.finish();

    let mut group = c.benchmark_group("ready_action");
    let mut m = StateMachine::new(SyncAct { n: 0 });
    group.bench_function("machine_sync_action", |b| {
        b.iter(|| black_box(m.fire(black_box(sync_act::Flip)).is_ok()))
    });
    let mut m = StateMachine::new(AsyncAct { n: 0 });
    group.bench_function("machine_async_action", |b| {
        b.iter(|| black_box(now(m.fire_async(black_box(async_act::Flip))).is_some()))
    });
    group.bench_function("typed_sync_action", |b| {
        b.iter(|| {
            let on = Typed::new(black_box(SyncAct { n: 0 })).fire(sync_act::Flip);
            black_box(on.is_ok())
        })
    });
    group.bench_function("typed_async_action_run", |b| {
        b.iter(|| {
            let on = now(Typed::new(black_box(AsyncAct { n: 0 }))
                .fire(async_act::Flip)
                .run());
            black_box(on.is_some())
        })
    });
    group.bench_function("typed_async_action_await_boxed", |b| {
        b.iter(|| {
            let on = now(std::future::IntoFuture::into_future(
                Typed::new(black_box(AsyncAct { n: 0 })).fire(async_act::Flip),
            ));
            black_box(on.is_some())
        })
    });
    group.finish();
}

#[cfg(feature = "tokio")]
mod tokio_rows {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use criterion::Criterion;
    use std::hint::black_box;
    use typestep::supervisor::{ChildSpec, Strategy, Supervisor, TaskContext};

    pub fn rows(c: &mut Criterion) {
        let mut group = c.benchmark_group("heartbeat");
        let flag = AtomicBool::new(false);
        group.bench_function("atomic_store", |b| {
            b.iter(|| black_box(&flag).store(true, Ordering::Relaxed))
        });
        let beat = heartbeat();
        group.bench_function("task_heartbeat_beat", |b| {
            b.iter(|| black_box(&beat).beat())
        });
        group.finish();
    }

    /// A heartbeat as a supervised task gets it.
    fn heartbeat() -> typestep::supervisor::TaskHeartbeat {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let tx = std::sync::Mutex::new(Some(tx));
            let supervisor = Supervisor::new(Strategy::OneForOne).child(ChildSpec::new(
                "beater",
                move |cx: TaskContext| {
                    if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
                        let _ = tx.send(cx.heartbeat.clone());
                    }
                    async { Ok(()) }
                },
            ));
            let run =
                tokio::spawn(supervisor.run_until(tokio::time::sleep(Duration::from_millis(10))));
            let beat = rx.await.expect("the task started");
            let _ = run.await;
            beat
        })
    }
}

fn all(c: &mut Criterion) {
    moves(c);
    #[cfg(feature = "tokio")]
    tokio_rows::rows(c);
}

/// Kept in a private module: `criterion_group!` generates an undocumented
/// `pub fn`.
mod harness {
    criterion::criterion_group!(benches, super::all);
}

criterion_main!(harness::benches);
