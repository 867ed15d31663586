//! Helpers shared by the test suites: an error for actions that fail on
//! purpose, a future that yields a set number of times, and executors that
//! poll on the current thread with a no-op waker (no runtime).

// Each suite uses the part it needs.
#![allow(dead_code)]

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

/// The error of an action or hook made to fail: its message.
#[derive(Debug)]
pub struct Broken(pub &'static str);

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Broken {}

/// A future that is `Pending` `n` times (waking itself), then ready: an
/// await point a test can cut a move at.
pub struct YieldN(pub u32);

impl Future for YieldN {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            Poll::Ready(())
        } else {
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Polls `future` to completion on the current thread (no runtime).
pub fn block_on<F: IntoFuture>(future: F) -> F::Output {
    let mut future = pin!(future.into_future());
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// Polls `future` exactly `polls` times (fewer if it finishes), then drops
/// it: its output if it finished.
pub fn poll_times<F: Future>(future: F, polls: u32) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..polls {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return Some(value);
        }
    }
    None
}
