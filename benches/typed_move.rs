//! Typed moves against hand-written peers, side by side in one run.
//!
//! The same lifecycle of a small job (six infallible moves and one guarded
//! move) is driven three ways:
//!
//! * `typed`: `Typed::new(job).fire(..)…` through `#[derive(Component)]`;
//! * `handwritten_typestate`: one struct per state, each move a function
//!   consuming `self` (what a careful Rust programmer writes without typestep);
//! * `handwritten_enum`: a state enum and a `match` on `(state, event)`, the
//!   usual run-time state machine.
//!
//! Two groups measure two questions:
//!
//! * `lifecycle`: the job enters through `black_box` and leaves through
//!   `black_box`; everything in between is left to the optimiser, as in a real
//!   program. This asks whether the typed moves cost anything at all.
//! * `lifecycle_opaque_steps`: every intermediate handle (or machine) also
//!   passes through `black_box`, so the optimiser can neither fuse the moves
//!   nor know the current state. This asks what each move costs when it must
//!   actually happen.
//!
//! Each lifecycle is one `#[inline(never)]` function, so every side pays the
//! same call from the timing loop and its machine code can be read on its
//! own (`objdump -d` of the bench binary).
//!
//! Run: `cargo bench --bench typed_move -- --warm-up-time 2 --measurement-time 5`.

use std::hint::black_box;

use criterion::{criterion_main, Criterion};
use typestep::prelude::*;

/// A component with a few fields, `Copy` so every iteration starts from the
/// same value without allocation.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
#[component(
    states(Created, Configured, Ready, Running, Paused, Draining, Stopped),
    initial = Created,
    terminal(Stopped)
)]
#[transition(Created -> Configured on Configure)]
#[transition(Configured -> Ready on Prepare)]
#[transition(Ready -> Running on Start, guard = Self::has_workers)]
#[transition(Running -> Paused on Pause)]
#[transition(Paused -> Running on Resume)]
#[transition(Running -> Draining on Drain)]
#[transition(Draining -> Stopped on Stop)]
pub struct Job {
    id: u64,
    workers: u32,
    retries: u32,
    progress: u64,
}

impl Job {
    fn has_workers(&self) -> bool {
        self.workers > 0
    }
}

/// The job every iteration starts from.
const JOB: Job = Job {
    id: 7,
    workers: 4,
    retries: 0,
    progress: 0,
};

// ---------------------------------------------------------------------------
// typestep

/// The whole lifecycle through typed handles. `Err` hands back the data when
/// the guard refuses.
#[inline(never)]
fn typed_lifecycle(job: Job) -> Result<Job, Job> {
    let ready = Typed::new(job).fire(job::Configure).fire(job::Prepare);
    let running = match ready.fire(job::Start) {
        Ok(running) => running,
        Err(rejected) => return Err(rejected.into_handle().into_inner()),
    };
    let stopped = running
        .fire(job::Pause)
        .fire(job::Resume)
        .fire(job::Drain)
        .fire(job::Stop);
    Ok(stopped.into_inner())
}

/// The same, with every intermediate handle made opaque to the optimiser.
#[inline(never)]
fn typed_lifecycle_opaque(job: Job) -> Result<Job, Job> {
    let created = black_box(Typed::new(job));
    let configured = black_box(created.fire(job::Configure));
    let ready = black_box(configured.fire(job::Prepare));
    let running = match ready.fire(job::Start) {
        Ok(running) => black_box(running),
        Err(rejected) => return Err(rejected.into_handle().into_inner()),
    };
    let paused = black_box(running.fire(job::Pause));
    let running = black_box(paused.fire(job::Resume));
    let draining = black_box(running.fire(job::Drain));
    let stopped = black_box(draining.fire(job::Stop));
    Ok(stopped.into_inner())
}

// ---------------------------------------------------------------------------
// Hand-written typestate: a struct per state, moves consume `self`.

mod handwritten {
    use super::Job;

    pub struct Created(Job);
    pub struct Configured(Job);
    pub struct Ready(Job);
    pub struct Running(Job);
    pub struct Paused(Job);
    pub struct Draining(Job);
    pub struct Stopped(Job);

    impl Created {
        #[inline]
        pub fn new(job: Job) -> Self {
            Created(job)
        }
        #[inline]
        pub fn configure(self) -> Configured {
            Configured(self.0)
        }
    }
    impl Configured {
        #[inline]
        pub fn prepare(self) -> Ready {
            Ready(self.0)
        }
    }
    impl Ready {
        #[inline]
        pub fn start(self) -> Result<Running, Ready> {
            if self.0.has_workers() {
                Ok(Running(self.0))
            } else {
                Err(self)
            }
        }
        #[inline]
        pub fn into_inner(self) -> Job {
            self.0
        }
    }
    impl Running {
        #[inline]
        pub fn pause(self) -> Paused {
            Paused(self.0)
        }
        #[inline]
        pub fn drain(self) -> Draining {
            Draining(self.0)
        }
    }
    impl Paused {
        #[inline]
        pub fn resume(self) -> Running {
            Running(self.0)
        }
    }
    impl Draining {
        #[inline]
        pub fn stop(self) -> Stopped {
            Stopped(self.0)
        }
    }
    impl Stopped {
        #[inline]
        pub fn into_inner(self) -> Job {
            self.0
        }
    }
}

#[inline(never)]
fn handwritten_typestate_lifecycle(job: Job) -> Result<Job, Job> {
    let ready = handwritten::Created::new(job).configure().prepare();
    let running = match ready.start() {
        Ok(running) => running,
        Err(ready) => return Err(ready.into_inner()),
    };
    let stopped = running.pause().resume().drain().stop();
    Ok(stopped.into_inner())
}

#[inline(never)]
fn handwritten_typestate_lifecycle_opaque(job: Job) -> Result<Job, Job> {
    let created = black_box(handwritten::Created::new(job));
    let configured = black_box(created.configure());
    let ready = black_box(configured.prepare());
    let running = match ready.start() {
        Ok(running) => black_box(running),
        Err(ready) => return Err(ready.into_inner()),
    };
    let paused = black_box(running.pause());
    let running = black_box(paused.resume());
    let draining = black_box(running.drain());
    let stopped = black_box(draining.stop());
    Ok(stopped.into_inner())
}

// ---------------------------------------------------------------------------
// Hand-written enum: the state is a value, each move a `match`.

mod handwritten_enum {
    use super::Job;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum State {
        Created,
        Configured,
        Ready,
        Running,
        Paused,
        Draining,
        Stopped,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Event {
        Configure,
        Prepare,
        Start,
        Pause,
        Resume,
        Drain,
        Stop,
    }

    /// Why an event did not move the machine.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Refused {
        NotAccepted,
        Guard,
    }

    pub struct Machine {
        pub state: State,
        pub job: Job,
    }

    impl Machine {
        #[inline]
        pub fn new(job: Job) -> Self {
            Machine {
                state: State::Created,
                job,
            }
        }

        #[inline]
        pub fn fire(&mut self, event: Event) -> Result<(), Refused> {
            use Event as E;
            use State as S;
            let next = match (self.state, event) {
                (S::Created, E::Configure) => S::Configured,
                (S::Configured, E::Prepare) => S::Ready,
                (S::Ready, E::Start) => {
                    if !self.job.has_workers() {
                        return Err(Refused::Guard);
                    }
                    S::Running
                }
                (S::Running, E::Pause) => S::Paused,
                (S::Paused, E::Resume) => S::Running,
                (S::Running, E::Drain) => S::Draining,
                (S::Draining, E::Stop) => S::Stopped,
                _ => return Err(Refused::NotAccepted),
            };
            self.state = next;
            Ok(())
        }
    }
}

/// The enum machine must check every move at run time; the lifecycle stops
/// at the first refused event, as the typed versions do.
#[inline(never)]
fn handwritten_enum_lifecycle(job: Job) -> Result<Job, Job> {
    use handwritten_enum::{Event, Machine};
    let mut machine = Machine::new(job);
    for event in [
        Event::Configure,
        Event::Prepare,
        Event::Start,
        Event::Pause,
        Event::Resume,
        Event::Drain,
        Event::Stop,
    ] {
        if machine.fire(event).is_err() {
            return Err(machine.job);
        }
    }
    Ok(machine.job)
}

#[inline(never)]
fn handwritten_enum_lifecycle_opaque(job: Job) -> Result<Job, Job> {
    use handwritten_enum::{Event, Machine};
    let mut machine = black_box(Machine::new(job));
    for event in [
        Event::Configure,
        Event::Prepare,
        Event::Start,
        Event::Pause,
        Event::Resume,
        Event::Drain,
        Event::Stop,
    ] {
        if machine.fire(event).is_err() {
            return Err(machine.job);
        }
        machine = black_box(machine);
    }
    Ok(machine.job)
}

// ---------------------------------------------------------------------------

fn lifecycle(c: &mut Criterion) {
    // The three must agree before they are timed.
    let expected = Ok(JOB);
    assert_eq!(typed_lifecycle(JOB), expected);
    assert_eq!(typed_lifecycle_opaque(JOB), expected);
    assert_eq!(handwritten_typestate_lifecycle(JOB), expected);
    assert_eq!(handwritten_typestate_lifecycle_opaque(JOB), expected);
    assert_eq!(handwritten_enum_lifecycle(JOB), expected);
    assert_eq!(handwritten_enum_lifecycle_opaque(JOB), expected);
    let idle = Job { workers: 0, ..JOB };
    assert_eq!(typed_lifecycle(idle), Err(idle));
    assert_eq!(handwritten_typestate_lifecycle(idle), Err(idle));
    assert_eq!(handwritten_enum_lifecycle(idle), Err(idle));

    let mut group = c.benchmark_group("lifecycle");
    group.bench_function("typed", |b| {
        b.iter(|| black_box(typed_lifecycle(black_box(JOB))))
    });
    group.bench_function("handwritten_typestate", |b| {
        b.iter(|| black_box(handwritten_typestate_lifecycle(black_box(JOB))))
    });
    group.bench_function("handwritten_enum", |b| {
        b.iter(|| black_box(handwritten_enum_lifecycle(black_box(JOB))))
    });
    group.finish();

    let mut group = c.benchmark_group("lifecycle_opaque_steps");
    group.bench_function("typed", |b| {
        b.iter(|| black_box(typed_lifecycle_opaque(black_box(JOB))))
    });
    group.bench_function("handwritten_typestate", |b| {
        b.iter(|| black_box(handwritten_typestate_lifecycle_opaque(black_box(JOB))))
    });
    group.bench_function("handwritten_enum", |b| {
        b.iter(|| black_box(handwritten_enum_lifecycle_opaque(black_box(JOB))))
    });
    group.finish();
}

/// Kept in a private module: `criterion_group!` generates an undocumented
/// `pub fn`.
mod harness {
    criterion::criterion_group!(benches, super::lifecycle);
}

criterion_main!(harness::benches);
