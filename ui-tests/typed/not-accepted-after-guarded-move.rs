//! After a guarded move the handle is inside a `Result`; once unwrapped, an
//! event its state does not accept is refused with the design message.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Idle, Busy, Done), initial = Idle, terminal(Done))]
#[transition(Idle -> Busy on Begin, guard = Self::ready)]
#[transition(Busy -> Done on Finish)]
struct Task {
    ready: bool,
}

impl Task {
    fn ready(&self) -> bool {
        self.ready
    }
}

fn main() {
    let idle = Typed::new(Task { ready: true });
    let busy = idle.fire(task::Begin).expect("ready");
    let _ = busy.fire(task::Begin);
}
