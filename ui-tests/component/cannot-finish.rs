//! Once in `Stuck`, `Worker` can never reach its terminal state `Stopped`.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Running, Stuck, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopped on Stop)]
#[transition(Running -> Stuck on Hang)]
#[transition(Stuck -> Stuck on Poke)]
struct Worker;

fn main() {}
