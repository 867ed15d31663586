//! A short tour of typestep: declare a component's lifecycle once, get
//! typestate handles whose misuse does not compile, and a diagram of the graph.
//!
//! Run it with `cargo run --example quickstart`.

use typestep::prelude::*;

/// A worker pool. Its lifecycle is declared in the attributes below; the
/// derive checks the graph at build time (every state reachable, every
/// non-terminal state able to finish, one target per state and event).
#[derive(Component, Clone, Debug, PartialEq)]
#[component(
    states(Created, Ready, Running, Stopped, Failed),
    initial = Created,
    terminal(Stopped, Failed)
)]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start, guard = Self::has_workers, action = Self::spawn)]
#[transition(Running -> Stopped on Stop)]
#[transition(Created | Ready | Running -> Failed on Fail)]
pub struct Worker {
    workers: usize,
    spawned: Vec<String>,
}

impl Worker {
    /// Guard of `Start`: a pool without workers cannot run.
    fn has_workers(&self) -> bool {
        self.workers > 0
    }

    /// Action of `Start`: may fail; on failure the data is restored.
    fn spawn(&mut self) -> Result<(), std::io::Error> {
        for i in 0..self.workers {
            self.spawned.push(format!("worker-{i}"));
        }
        if self.workers > 4 {
            return Err(std::io::Error::other("at most 4 workers"));
        }
        Ok(())
    }
}

fn main() {
    // The graph, as Mermaid text (DOT is in `Worker::DOT`).
    println!("{}", Worker::MERMAID);

    // 1. Typestate: the state is part of the handle's type.
    let created = Typed::new(Worker {
        workers: 2,
        spawned: Vec::new(),
    });
    let ready = created.fire(worker::Init); // no guard or action: infallible
                                            // `ready.fire(worker::Stop)` would not compile:
                                            //   error[E0277]: `Worker` in state `Ready` has no transition on `Stop`
    let running = match ready.fire(worker::Start) {
        Ok(running) => running,
        Err(rejected) => panic!("unexpected: {rejected}"),
    };
    println!("running with {:?}", running.data().spawned);
    let stopped = running.fire(worker::Stop);
    println!("{} is now {}", <Worker as Component>::NAME, stopped.state());

    // 2. A failing action hands the unchanged handle back.
    let ready = Typed::new(Worker {
        workers: 9,
        spawned: Vec::new(),
    })
    .fire(worker::Init);
    let before = ready.data().clone();
    match ready.fire(worker::Start) {
        Ok(_) => unreachable!("the action refuses more than 4 workers"),
        Err(rejected) => {
            println!("rejected: {rejected}");
            assert_eq!(rejected.handle.data(), &before, "the snapshot was restored");
            let failed = rejected.into_handle().fire(worker::Fail);
            println!("fell back to {}", failed.state());
        }
    }
}
