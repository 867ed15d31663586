//! No transition enters `Loading`; `Ready` and `Running` are unreachable only
//! behind it. One error, at `Loading`, naming the states behind it.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Created, Loading, Ready, Running, Done), initial = Created, terminal(Done))]
#[transition(Created -> Done on Abort)]
#[transition(Loading -> Ready on Loaded)]
#[transition(Ready -> Running on Start)]
#[transition(Running -> Ready on Pause)]
#[transition(Running -> Done on Finish)]
struct Job;

fn main() {}
