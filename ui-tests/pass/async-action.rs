//! The async contract: `action = async path` and `guard = async path`; a
//! typed fire on an async edge is a future; `fire_async` takes any edge; a
//! blocking `fire` on an async edge is an error that changes nothing.
use std::future::{Future, IntoFuture};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use typestep::machine::FireError;
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Connected, Closed), initial = Idle, terminal(Closed))]
#[transition(Idle -> Connected on Connect, guard = Self::has_addr, action = async Self::connect)]
#[transition(Connected -> Closed on Close, guard = async Self::drained, action = async Self::flush)]
struct Link {
    addr: Option<String>,
    sent: usize,
}

impl Link {
    fn has_addr(&self) -> bool {
        self.addr.is_some()
    }

    async fn drained(&self) -> bool {
        true
    }

    async fn connect(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), std::io::Error> {
        self.sent += 1;
        Ok(())
    }
}

fn block_on<F: IntoFuture>(future: F) -> F::Output {
    let mut future = pin!(future.into_future());
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

fn spawnable<F: Future + Send + 'static>(_: F) {}

async fn contract() -> Result<(), Box<dyn std::error::Error>> {
    let link = Link { addr: Some("127.0.0.1:80".into()), sent: 0 };
    let connected: Typed<Link, link::Connected> = Typed::new(link.clone()).fire(link::Connect).await?;
    let closed = connected.fire(link::Close).await?;
    assert_eq!(closed.data().sent, 1);

    let mut machine = StateMachine::new(link);
    assert!(matches!(machine.fire(link::Connect), Err(FireError::NeedsAsync { .. })));
    assert_eq!(machine.state(), link::State::Idle);
    machine.fire_async(link::Connect).await?;
    machine.fire_async(link::Close).await?;
    assert_eq!(machine.state(), link::State::Closed);
    Ok(())
}

fn main() {
    // The typed move can run inside `tokio::spawn`: its future is `Send + 'static`.
    spawnable(Typed::new(Link { addr: None, sent: 0 }).fire(link::Connect).into_future());
    block_on(contract()).unwrap();
}
