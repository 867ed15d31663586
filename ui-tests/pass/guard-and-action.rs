//! Guards and actions: a refused or failed move hands the old handle back,
//! with the data exactly as it was before the move (after an action error
//! and after an action panic alike).
use typestep::prelude::*;

#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Ready, Running, Stopped, Failed), initial = Created, terminal(Stopped, Failed))]
#[transition(Created -> Ready on Init, action = Self::init)]
#[transition(Ready -> Running on Start, guard = Self::has_workers, action = Self::spawn)]
#[transition(Running -> Stopped on Stop)]
#[transition(Created | Ready | Running -> Failed on Fail)]
struct Worker {
    workers: usize,
    spawned: usize,
    log: Vec<&'static str>,
    fail_spawn: bool,
    panic_spawn: bool,
}

#[derive(Debug)]
struct SpawnError(&'static str);

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot spawn: {}", self.0)
    }
}

impl std::error::Error for SpawnError {}

impl Worker {
    fn init(&mut self) -> Result<(), SpawnError> {
        self.log.push("init");
        Ok(())
    }

    fn has_workers(&self) -> bool {
        self.workers > 0
    }

    fn spawn(&mut self) -> Result<(), SpawnError> {
        // Change the data before failing, so that the restore is visible.
        self.spawned = self.workers;
        self.log.push("spawn");
        if self.panic_spawn {
            panic!("spawn blew up");
        }
        if self.fail_spawn {
            return Err(SpawnError("no threads"));
        }
        Ok(())
    }
}

fn main() {
    // Silence the expected panic's message; the move reports it instead.
    std::panic::set_hook(Box::new(|_| {}));

    let worker = Worker { workers: 0, spawned: 0, log: Vec::new(), fail_spawn: false, panic_spawn: false };
    let ready: Typed<Worker, worker::Ready> = Typed::new(worker).fire(worker::Init).expect("init succeeds");
    assert_eq!(ready.data().log, ["init"]);

    // The guard refuses: the same handle comes back, untouched.
    let before = ready.data().clone();
    let rejected = ready.fire(worker::Start).expect_err("no workers");
    assert!(matches!(rejected.reason, Refusal::GuardRefused));
    assert_eq!(rejected.to_string(), "`Worker` stayed in state `Ready`: the guard refused the move");
    let mut ready = rejected.into_handle();
    assert_eq!(ready.state(), worker::State::Ready);
    assert_eq!(*ready.data(), before);

    // The action fails after changing the data: the data is restored.
    ready.data_mut().workers = 3;
    ready.data_mut().fail_spawn = true;
    let before = ready.data().clone();
    let rejected = ready.fire(worker::Start).expect_err("spawn fails");
    match &rejected.reason {
        Refusal::ActionFailed(error) => assert_eq!(error.to_string(), "cannot spawn: no threads"),
        other => panic!("expected an action failure, got {other:?}"),
    }
    let mut ready = rejected.handle;
    assert_eq!(*ready.data(), before);
    assert_eq!(ready.data().spawned, 0);

    // The action panics after changing the data: the data is restored too.
    ready.data_mut().fail_spawn = false;
    ready.data_mut().panic_spawn = true;
    let before = ready.data().clone();
    let rejected = ready.fire(worker::Start).expect_err("spawn panics");
    match &rejected.reason {
        Refusal::ActionPanicked(message) => assert_eq!(message, "spawn blew up"),
        other => panic!("expected an action panic, got {other:?}"),
    }
    let mut ready = rejected.into_handle();
    assert_eq!(*ready.data(), before);

    // Finally the move succeeds and its effect is kept.
    ready.data_mut().panic_spawn = false;
    let running: Typed<Worker, worker::Running> = ready.fire(worker::Start).expect("spawns");
    assert_eq!(running.data().spawned, 3);
    assert_eq!(running.data().log, ["init", "spawn"]);

    // A plain transition returns the next handle directly, not a Result.
    let stopped: Typed<Worker, worker::Stopped> = running.fire(worker::Stop);
    assert_eq!(stopped.state(), worker::State::Stopped);
    assert!(<Worker as Component>::is_terminal(stopped.state()));
}
