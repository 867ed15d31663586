//! `Created` accepts `Init` and `Fail`; firing `Stop` there is refused.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Ready, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Stopped on Stop)]
#[transition(Created | Ready -> Failed on Fail)]
struct Worker;

fn main() {
    let created = Typed::<Worker, _>::new(Worker);
    let _ = created.fire(worker::Stop);
}
