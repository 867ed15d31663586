//! The derive's fused `Component::step` means the same as the default step
//! (`Component::edge` + `perform`): for every state, every event and every
//! injected fault, both give the same outcome, the same target and leave the
//! same data.

use std::future::Future;
use std::panic;

use typestep::prelude::*;
use typestep::{
    component::{perform, AsyncStep, Step},
    Label, Refusal,
};

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Idle, Ready, Busy, Done), initial = Idle, terminal(Done))]
#[transition(Idle -> Ready on Prepare, action = Self::prepare)]
#[transition(Ready -> Busy on Go, guard = Self::may_go, action = Self::go)]
#[transition(Busy -> Ready on Yield, guard = Self::may_go)]
#[transition(Busy -> Done on Finish)]
#[transition(Idle | Ready -> Idle on Reset, action = Self::reset)]
struct Job {
    fault: Fault,
    log: Vec<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    Refuse,
    Fail,
    Panic,
}

#[derive(Debug, thiserror::Error)]
#[error("injected failure")]
struct Injected;

impl Job {
    fn act(&mut self, name: &'static str) -> Result<(), Injected> {
        self.log.push(name);
        match self.fault {
            Fault::Fail => Err(Injected),
            Fault::Panic => panic!("injected panic in {name}"),
            Fault::None | Fault::Refuse => Ok(()),
        }
    }
    fn prepare(&mut self) -> Result<(), Injected> {
        self.act("prepare")
    }
    fn go(&mut self) -> Result<(), Injected> {
        self.act("go")
    }
    fn reset(&mut self) -> Result<(), Injected> {
        self.act("reset")
    }
    fn may_go(&self) -> bool {
        match self.fault {
            Fault::Refuse => false,
            Fault::Panic => panic!("injected panic in may_go"),
            Fault::None | Fault::Fail => true,
        }
    }
}

/// The default `Component::step`, written out: look the edge up, perform it.
fn default_step(data: &mut Job, from: job::State, event: job::Event) -> Step<Job> {
    match Job::edge(from, event) {
        Some(edge) => match perform(data, &edge) {
            Ok(()) => Step::Moved(edge.to),
            Err(refusal) => Step::Refused {
                to: edge.to,
                refusal,
            },
        },
        None => Step::NotAllowed,
    }
}

/// The outcome without the error payloads (which are not comparable).
fn shape(step: &Step<Job>) -> (Option<job::State>, Option<&'static str>) {
    match step {
        Step::NotAllowed => (None, None),
        Step::Moved(to) => (Some(*to), None),
        Step::Refused { to, refusal } => (Some(*to), Some(refusal.kind())),
    }
}

#[test]
fn derived_step_agrees_with_edge_and_perform_everywhere() {
    panic::set_hook(Box::new(|_| {}));
    let mut checked = 0;
    for &fault in &[Fault::None, Fault::Refuse, Fault::Fail, Fault::Panic] {
        for &from in job::State::ALL {
            for &event in job::Event::ALL {
                let start = Job {
                    fault,
                    log: vec!["start"],
                };
                let mut derived = start.clone();
                let mut reference = start.clone();
                let got = <Job as Component>::step(&mut derived, from, event);
                let want = default_step(&mut reference, from, event);
                assert_eq!(shape(&got), shape(&want), "{fault:?} {from} {event}");
                assert_eq!(derived, reference, "{fault:?} {from} {event}");
                if !matches!(got, Step::Moved(_)) {
                    assert_eq!(derived, start, "a step that did not move changed the data");
                }
                checked += 1;
            }
        }
    }
    let _ = panic::take_hook();
    assert_eq!(checked, 4 * 4 * 5);
}

#[test]
fn derived_step_reports_each_fault() {
    panic::set_hook(Box::new(|_| {}));
    let mut job = Job {
        fault: Fault::Panic,
        log: Vec::new(),
    };
    let guard = <Job as Component>::step(&mut job, job::State::Ready, job::Event::Go);
    assert!(matches!(
        guard,
        Step::Refused { to: job::State::Busy, refusal: Refusal::GuardPanicked(ref m) } if m.contains("may_go")
    ));
    let action = <Job as Component>::step(&mut job, job::State::Idle, job::Event::Prepare);
    assert!(matches!(
        action,
        Step::Refused {
            refusal: Refusal::ActionPanicked(_),
            ..
        }
    ));
    let _ = panic::take_hook();
    job.fault = Fault::Fail;
    let failed = <Job as Component>::step(&mut job, job::State::Idle, job::Event::Reset);
    assert!(matches!(
        failed,
        Step::Refused {
            to: job::State::Idle,
            refusal: Refusal::ActionFailed(_)
        }
    ));
    job.fault = Fault::Refuse;
    let refused = <Job as Component>::step(&mut job, job::State::Busy, job::Event::Yield);
    assert!(matches!(
        refused,
        Step::Refused {
            refusal: Refusal::GuardRefused,
            ..
        }
    ));
    assert!(job.log.is_empty());
    job.fault = Fault::None;
    assert!(matches!(
        <Job as Component>::step(&mut job, job::State::Busy, job::Event::Finish),
        Step::Moved(job::State::Done)
    ));
    assert!(matches!(
        <Job as Component>::step(&mut job, job::State::Done, job::Event::Go),
        Step::NotAllowed
    ));
}

#[test]
fn an_async_step_is_two_words_and_keeps_every_outcome() {
    // Two words come back from the step's out-of-line future in registers.
    assert!(std::mem::size_of::<AsyncStep<Job>>() <= 2 * std::mem::size_of::<usize>());
    panic::set_hook(Box::new(|_| {}));
    let mut kinds = std::collections::BTreeSet::new();
    for &fault in &[Fault::None, Fault::Refuse, Fault::Fail, Fault::Panic] {
        for &from in job::State::ALL {
            for &event in job::Event::ALL {
                let start = Job {
                    fault,
                    log: Vec::new(),
                };
                let mut blocking = start.clone();
                let want = shape(&<Job as Component>::step(&mut blocking, from, event));
                // The default `step_async` of a component without async
                // edges: the same step, run when first polled.
                let mut data = start.clone();
                let got = {
                    let future =
                        std::pin::pin!(<Job as Component>::step_async(&mut data, from, event));
                    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                    let std::task::Poll::Ready(got) = future.poll(&mut cx) else {
                        panic!("a step without async edges is ready at once");
                    };
                    got
                };
                assert_eq!(shape(&got.into_step()), want, "{fault:?} {from} {event}");
                assert_eq!(data, blocking, "{fault:?} {from} {event}");
                // And through `from_step`, the other way in.
                let mut again = start.clone();
                let step = <Job as Component>::step(&mut again, from, event);
                assert_eq!(shape(&AsyncStep::from_step(step).into_step()), want);
                kinds.insert(want.1);
            }
        }
    }
    let _ = panic::take_hook();
    // Every kind went through: moves, refusals by the guard, and the boxed
    // failures and panics.
    for kind in [
        None,
        Some("guard_refused"),
        Some("action_failed"),
        Some("action_panicked"),
        Some("guard_panicked"),
    ] {
        assert!(kinds.contains(&kind), "{kind:?} not seen in {kinds:?}");
    }
}
