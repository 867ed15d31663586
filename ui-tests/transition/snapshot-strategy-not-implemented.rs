//! `snapshot = Plain` names a type that does not implement
//! `Snapshot<Journal>`, and an action needs it.
use typestep::prelude::*;

struct Plain;

#[derive(Component)]
#[component(states(Open, Closed), initial = Open, terminal(Closed), snapshot = Plain)]
#[transition(Open -> Closed on Close, action = Self::flush)]
struct Journal;

impl Journal {
    fn flush(&mut self) -> Result<(), std::io::Error> {
        Ok(())
    }
}

fn main() {}
