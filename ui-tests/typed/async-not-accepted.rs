//! A component with async edges keeps the design-review message for an
//! event its state does not accept.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Connected, Closed), initial = Idle, terminal(Closed))]
#[transition(Idle -> Connected on Connect, action = async Self::connect)]
#[transition(Connected -> Closed on Close, action = async Self::flush)]
struct Link;

impl Link {
    async fn connect(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {
    let _ = Typed::new(Link).fire(link::Close);
}
