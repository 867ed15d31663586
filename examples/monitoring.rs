//! The origin system end to end: `cargo run --example monitoring`.
//!
//! The `ResourcePool`, the `ComponentCoordinator` and the `BufferManager` are
//! built in that order by the builder `#[derive(System)]` generates, and run
//! by a `MonitoringCoordinator`. Four components run
//! monitored worker threads: `sensor` fills buffers and sends them to
//! `processor`; `driver` panics on purpose once and is restarted; `probe`
//! stalls (stops sending heartbeats) and is failed. A `Retune` whose action
//! fails is rolled back. Then the whole system stops in order and every
//! cleanup step is verified. The program prints the state diagrams, a live
//! line per state change, the cleanup and leak reports and the recovery
//! analytics, and exits 0 only if every check passed.
//!
//! `tests/monitoring_example.rs` runs the same scenario and asserts on it.
//!
//! With `--features dashboard -- --dashboard 127.0.0.1:9100` it also serves
//! the live dashboard and, before stopping, keeps the system running until
//! Ctrl-C or `--linger SECS`; `--inject-panic-after SECS` makes the driver
//! panic once more that long into the linger.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use typestep::prelude::*;
use typestep::{
    buffer::{Buffer, BufferManager},
    coordinator::{
        ComponentCoordinator, CoordinatorConfig, FailureAction, FailureCause, Lifecycle,
        RestartPolicy, StateChange, WorkerSpec,
    },
    monitoring::{MonitoringCoordinator, StopReport},
    pool::{Quotas, ResourceKind, ResourcePool},
};

/// A data source: produces frames while `Running`.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Running, Stopping, Stopped, Failed), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Running | Stopping -> Failed on Fail)]
#[transition(Failed -> Running on Restart)]
#[transition(Failed -> Stopped on Abandon)]
pub struct Sensor {
    /// Frames per second the worker aims for.
    pub rate_hz: u32,
}

/// A data sink with a tunable gain; a retune to an invalid gain fails and is
/// rolled back.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Running, Stopping, Stopped, Failed), initial = Created, terminal(Stopped))]
#[transition(Created -> Running on Start)]
#[transition(Running -> Running on Retune, action = Self::retune)]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Running | Stopping -> Failed on Fail)]
#[transition(Failed -> Stopped on Abandon)]
pub struct Processor {
    /// The gain in use.
    pub gain: u32,
    /// The gain a retune should apply.
    pub requested_gain: u32,
}

impl Processor {
    fn retune(&mut self) -> Result<(), std::io::Error> {
        self.gain = self.requested_gain; // changed first, then found invalid
        if self.gain > 100 {
            return Err(std::io::Error::other(format!(
                "gain {} is out of range",
                self.gain
            )));
        }
        Ok(())
    }
}

/// The origin's three runtime parts and who depends on whom; the derive
/// validates the graph at build time and generates the ordered builder.
#[derive(System)]
pub struct Monitoring {
    /// Every shared resource, by kind, with per-channel quotas.
    pub pool: ResourcePool,
    /// Lifecycles, notifications and thread monitoring; receives the pool.
    #[depends_on(pool)]
    pub components: ComponentCoordinator,
    /// Buffers drawn from the pool's byte budget.
    #[depends_on(pool, components)]
    pub buffers: BufferManager,
}

fn sensor_lifecycle() -> Lifecycle<Sensor> {
    Lifecycle::new(sensor::Fail)
        .start(sensor::Start)
        .stop(sensor::Stop, Some(sensor::Done.into()))
        .abandon(sensor::Abandon)
}

fn processor_lifecycle() -> Lifecycle<Processor> {
    Lifecycle::new(processor::Fail)
        .start(processor::Start)
        .stop(processor::Stop, Some(processor::Done.into()))
        .abandon(processor::Abandon)
}

const HEARTBEAT: Duration = Duration::from_millis(200);
const BUFFER_SIZE: usize = 1024;
const FRAMES_WANTED: u64 = 40;

/// What the scenario saw; every check is one named yes/no.
#[derive(Debug, Default)]
pub struct Outcome {
    /// `(check, passed)` in the order they were made.
    pub checks: Vec<(String, bool)>,
    /// Every state change the subscriber received.
    pub changes: Vec<StateChange>,
    /// The stop report.
    pub stop: Option<StopReport>,
    /// Frames the processor received.
    pub frames: u64,
}

impl Outcome {
    fn check(&mut self, verbose: bool, name: impl Into<String>, passed: bool) {
        let name = name.into();
        if verbose {
            println!("  [{}] {name}", if passed { "ok" } else { "FAILED" });
        }
        self.checks.push((name, passed));
    }

    /// Whether every check passed.
    pub fn all_passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|(_, passed)| *passed)
    }
}

/// Prints each state change as it happens and keeps them.
fn live_printer(rx: Receiver<StateChange>, verbose: bool) -> JoinHandle<Vec<StateChange>> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        for change in rx {
            if verbose {
                println!("  [state] {change}");
            }
            seen.push(change);
        }
        seen
    })
}

/// Waits (bounded: 2000 × 5 ms) until `done()` holds.
fn wait_for(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..2000 {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    done()
}

/// Command-line options (all off by default: the plain scenario).
#[derive(Debug, Default)]
pub struct Options {
    /// Serve the dashboard on this address (feature `dashboard`).
    pub dashboard: Option<String>,
    /// How long to keep running before stopping (`None`: until Ctrl-C).
    pub linger: Option<Duration>,
    /// Make the driver panic once more this long into the linger.
    pub inject_panic_after: Option<Duration>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let seconds = |value: Option<String>, flag: &str| -> Result<Duration, String> {
            value
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| format!("{flag} needs a number of seconds"))
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--dashboard" => {
                    options.dashboard = Some(args.next().ok_or("--dashboard needs an address")?)
                }
                "--linger" => options.linger = Some(seconds(args.next(), "--linger")?),
                "--inject-panic-after" => {
                    options.inject_panic_after = Some(seconds(args.next(), "--inject-panic-after")?)
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        if options.dashboard.is_some() && !cfg!(feature = "dashboard") {
            return Err("--dashboard needs `--features dashboard`".into());
        }
        Ok(options)
    }
}

/// Runs the whole scenario; prints to stdout when `verbose`.
pub fn run(verbose: bool) -> Result<Outcome, Box<dyn std::error::Error>> {
    run_with(verbose, &Options::default())
}

/// Runs the whole scenario with `options`.
pub fn run_with(verbose: bool, options: &Options) -> Result<Outcome, Box<dyn std::error::Error>> {
    let mut outcome = Outcome::default();
    let say = |text: &str| {
        if verbose {
            println!("{text}");
        }
    };

    // The driver panics on purpose: print that panic as one line instead of
    // a backtrace (symbolizing one can take longer than a heartbeat deadline,
    // and the crash would then be seen first as a stall). Other panics keep
    // the previous hook.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        match thread.name() {
            Some(name) if name.starts_with("driver/") => {
                println!("  [panic] thread `{name}`: {info}");
            }
            _ => previous(info),
        }
    }));

    say("== Building: ResourcePool -> ComponentCoordinator -> BufferManager");
    // The builder generated by `#[derive(System)]` offers each part only once
    // its dependencies are built: the buffers cannot come before the
    // component coordinator, which cannot come before the pool.
    let parts = Monitoring::builder()
        .try_pool(|| {
            ResourcePool::builder()
                .capacity(ResourceKind::BUFFER_BYTES, 64 * BUFFER_SIZE as u64)
                .capacity(ResourceKind::WORKER_THREADS, 8)
                .capacity(ResourceKind::HANDLES, 16)
                .build()
        })?
        .components(|pool| ComponentCoordinator::new(pool.clone(), CoordinatorConfig::default()))
        .try_buffers(|pool, _components| BufferManager::new(pool, BUFFER_SIZE))?
        .build();
    say(&format!(
        "  init order {:?}, cleanup plan {:?}",
        Monitoring::INIT_ORDER,
        Monitoring::CLEANUP_PLAN.levels()
    ));
    let system = MonitoringCoordinator::from_parts(parts.pool, parts.components, parts.buffers)?;
    #[cfg(feature = "dashboard")]
    let dashboard = match &options.dashboard {
        Some(address) => {
            let dashboard = typestep::dashboard::Dashboard::builder()
                .monitoring(&system)
                .component::<Sensor>()
                .component::<Processor>()
                .system::<Monitoring>()
                .serve(address.as_str())?;
            say(&format!("  dashboard on http://{}/", dashboard.address()));
            Some(dashboard)
        }
        None => None,
    };

    say("\n== State diagrams");
    say(&format!(
        "-- Sensor (sensor, driver, probe)\n{}",
        Sensor::MERMAID
    ));
    say(&format!("-- Processor (processor)\n{}", Processor::MERMAID));

    let printer = live_printer(system.components().subscribe(), verbose);
    let sensor = system.register(
        "sensor",
        StateMachine::new(Sensor { rate_hz: 200 }),
        sensor_lifecycle(),
        Quotas::new().limit(ResourceKind::BUFFER_BYTES, 16 * BUFFER_SIZE as u64),
    )?;
    let processor = system.register(
        "processor",
        StateMachine::new(Processor {
            gain: 10,
            requested_gain: 10,
        }),
        processor_lifecycle(),
        Quotas::new(),
    )?;
    let driver = system.register(
        "driver",
        StateMachine::new(Sensor { rate_hz: 50 }),
        sensor_lifecycle().restart(
            sensor::Restart,
            RestartPolicy::new(2, Duration::from_secs(10)),
        ),
        Quotas::new(),
    )?;
    let probe = system.register(
        "probe",
        StateMachine::new(Sensor { rate_hz: 10 }),
        sensor_lifecycle(),
        Quotas::new().limit(ResourceKind::WORKER_THREADS, 1),
    )?;
    let calibration = system.acquire(probe.id(), ResourceKind::HANDLES, 2, "calibration files")?;

    say("\n== Starting (live state changes follow)");
    system.start()?;

    // sensor: fills buffers from its channel and sends them to processor.
    let (frames_tx, frames_rx): (Sender<Buffer>, Receiver<Buffer>) = channel();
    let frames_tx = Mutex::new(frames_tx);
    let buffers = system.buffer_channel(sensor.channel())?;
    let sent = Arc::new(AtomicU64::new(0));
    let sent_by_worker = sent.clone();
    system.spawn_worker(
        sensor.id(),
        "producer",
        WorkerSpec::every(HEARTBEAT),
        move |hb| {
            let mut n: u64 = 0;
            while hb.sleep(Duration::from_millis(2)) {
                hb.beat();
                // A full budget is back-pressure, not an error: try again later.
                let Ok(mut frame) = buffers.acquire() else {
                    continue;
                };
                frame.extend_from_slice(&n.to_le_bytes())?;
                if frames_tx
                    .lock()
                    .map_err(|_| "frame sender poisoned")?
                    .send(frame)
                    .is_err()
                {
                    break;
                }
                n += 1;
                sent_by_worker.store(n, Ordering::Relaxed);
            }
            Ok(())
        },
    )?;

    // processor: checks each frame's sequence number, then drops it (the
    // buffer goes back to the manager and its bytes to the pool).
    let received = Arc::new(AtomicU64::new(0));
    let out_of_order = Arc::new(AtomicU64::new(0));
    let (received_by_worker, disorder) = (received.clone(), out_of_order.clone());
    let frames_rx = Mutex::new(frames_rx);
    system.spawn_worker(
        processor.id(),
        "consumer",
        WorkerSpec::every(HEARTBEAT),
        move |hb| {
            let rx = frames_rx.lock().map_err(|_| "frame receiver poisoned")?;
            while !hb.should_stop() {
                hb.beat();
                if let Ok(frame) = rx.recv_timeout(Duration::from_millis(5)) {
                    let mut seq = [0u8; 8];
                    seq.copy_from_slice(&frame[..8]);
                    let expected = received_by_worker.load(Ordering::Relaxed);
                    if u64::from_le_bytes(seq) != expected {
                        disorder.fetch_add(1, Ordering::Relaxed);
                    }
                    received_by_worker.store(expected + 1, Ordering::Relaxed);
                }
            }
            Ok(())
        },
    )?;

    // driver: its first run panics on purpose; the restarted run is healthy.
    let runs = Arc::new(AtomicU32::new(0));
    let driver_runs = runs.clone();
    let inject = Arc::new(AtomicBool::new(false)); // set only by --inject-panic-after
    let injected = inject.clone();
    system.spawn_worker(driver.id(), "io", WorkerSpec::every(HEARTBEAT), move |hb| {
        if driver_runs.fetch_add(1, Ordering::SeqCst) == 0 {
            hb.beat();
            panic!("simulated driver crash (on purpose)");
        }
        while hb.sleep(Duration::from_millis(5)) {
            hb.beat();
            if injected.swap(false, Ordering::SeqCst) {
                panic!("injected driver crash (--inject-panic-after)");
            }
        }
        Ok(())
    })?;

    // probe: beats a few times, then stalls (still answers a stop request).
    system.spawn_worker(probe.id(), "poller", WorkerSpec::every(HEARTBEAT), |hb| {
        for _ in 0..3 {
            hb.beat();
            if !hb.sleep(Duration::from_millis(5)) {
                return Ok(());
            }
        }
        while !hb.should_stop() {
            std::thread::park_timeout(Duration::from_millis(20)); // no heartbeat
        }
        Ok(())
    })?;

    let detected = wait_for(|| system.components().failures().len() >= 2);
    outcome.check(verbose, "both injected faults were detected", detected);

    say("\n== Rollback of a failed transition");
    let before = processor.machine().with(|m| m.data().clone());
    processor
        .machine()
        .with_mut(|m| m.data_mut().requested_gain = 250);
    let retune = processor.fire(processor::Retune);
    let after = processor.machine().with(|m| m.data().clone());
    say(&format!(
        "  Retune to gain 250: {}",
        retune
            .as_ref()
            .map_or_else(|e| e.to_string(), |_| "moved".into())
    ));
    outcome.check(
        verbose,
        "the failed Retune was refused and rolled back (state Running, gain unchanged)",
        matches!(retune, Err(FireError::ActionFailed { .. }))
            && processor.state() == processor::State::Running
            && after.gain == before.gain,
    );
    processor
        .machine()
        .with_mut(|m| m.data_mut().requested_gain = before.gain);

    let flowed = wait_for(|| received.load(Ordering::Relaxed) >= FRAMES_WANTED);
    outcome.check(
        verbose,
        format!("at least {FRAMES_WANTED} frames flowed sensor -> processor"),
        flowed,
    );

    say("\n== Failures detected");
    // A failed worker's cleanup runs off the detection path; its outcome is
    // filled in when it finishes.
    wait_for(|| {
        system
            .components()
            .failures()
            .iter()
            .all(|f| f.cleanup.is_some())
    });
    let failures = system.components().failures();
    for failure in &failures {
        say(&format!("  {failure}"));
    }
    let driver_failure = failures.iter().find(|f| f.component == "driver");
    outcome.check(
        verbose,
        "driver's panic was detected, cleaned up and the driver restarted",
        driver_failure.is_some_and(|f| {
            matches!(&f.cause, FailureCause::Panicked(m) if m.contains("on purpose"))
                && matches!(f.action, FailureAction::Restarted(_))
                && f.cleanup.is_some_and(|o| o.is_ok())
        }) && driver.state() == sensor::State::Running,
    );
    let probe_failure = failures.iter().find(|f| f.component == "probe");
    outcome.check(
        verbose,
        // (The bound "within two intervals" is proven with a manual clock in
        // tests/coordinator_monitoring.rs; wall-clock timing is only printed.)
        "probe's stall was detected as a missed heartbeat, cleaned up, and it was failed",
        probe_failure.is_some_and(|f| {
            matches!(f.cause, FailureCause::MissedHeartbeat { .. })
                && f.action == FailureAction::LeftFailed
                && f.cleanup.is_some_and(|o| o.is_ok())
        }) && probe.state() == sensor::State::Failed,
    );
    outcome.check(
        verbose,
        "no healthy component was failed",
        failures.len() == 2 && sensor.state() == sensor::State::Running,
    );

    let metrics = system.metrics();
    let stats = system.buffers().stats(sensor.channel()).unwrap_or_default();
    say(&format!(
        "\n== Buffers: {} acquired, {} recycled, peak {} in use, {} allocations in total",
        stats.acquired, stats.recycled, stats.peak, metrics.buffers.allocated
    ));
    outcome.check(
        verbose,
        "buffers were recycled, and never more allocated than the peak in use",
        stats.recycled > 0 && metrics.buffers.allocated <= stats.peak.max(1),
    );

    drop(calibration);
    #[cfg(feature = "dashboard")]
    if let Some(dashboard) = &dashboard {
        if let Some(after) = options.inject_panic_after {
            let inject = inject.clone();
            std::thread::spawn(move || {
                std::thread::sleep(after);
                println!("  [inject] driver panic injected");
                inject.store(true, Ordering::SeqCst);
            });
        }
        say(&format!(
            "\n== Running until Ctrl-C{} (dashboard on http://{}/)",
            options
                .linger
                .map_or_else(String::new, |l| format!(" or {l:?}")),
            dashboard.address()
        ));
        dashboard.wait(options.linger);
    }
    let _ = (&inject, options);
    say("\n== Stopping (ordered, verified cleanup)");
    let report = system.stop();
    say(&format!("{report}"));
    outcome.check(
        verbose,
        "every cleanup step finished Ok and verified",
        report.cleanup.is_clean(),
    );
    outcome.check(verbose, "the leak report is empty", report.leaks.is_empty());
    let order: Vec<&str> = report
        .cleanup
        .steps
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| {
            ["workers", "buffers", "components", "pool"].contains(n) || n.starts_with("component:")
        })
        .collect();
    let position = |name: &str| order.iter().position(|n| *n == name);
    outcome.check(
        verbose,
        "cleanup ran in order: workers, components, buffers, component coordinator, pool",
        position("workers") < position("component:sensor")
            && position("component:sensor") < position("buffers")
            && position("buffers") < position("components")
            && position("components") < position("pool")
            && position("pool").is_some(),
    );
    outcome.check(
        verbose,
        "every component ended Stopped",
        [sensor.state(), driver.state(), probe.state()] == [sensor::State::Stopped; 3]
            && processor.state() == processor::State::Stopped,
    );
    let pool = system.pool().metrics();
    outcome.check(
        verbose,
        "the pool got every unit back",
        pool.kinds.iter().all(|k| k.in_use == 0),
    );
    outcome.check(
        verbose,
        "frames arrived in order",
        out_of_order.load(Ordering::Relaxed) == 0,
    );

    // Every move was notified; close the subscription by dropping the system.
    drop((sensor, processor, driver, probe));
    let analytics = system.logger().analytics();
    let moves = analytics.moves;
    #[cfg(feature = "dashboard")]
    if let Some(dashboard) = dashboard {
        // A moment for the page to show the finished cleanup, then stop
        // serving: the dashboard holds the coordinator, whose drop ends the
        // subscription.
        dashboard.wait(Some(Duration::from_secs(2)));
        drop(dashboard);
    }
    drop(system);
    outcome.changes = printer.join().map_err(|_| "the printer thread panicked")?;
    outcome.check(
        verbose,
        "every move was sent to the subscriber",
        outcome.changes.len() as u64 == moves && moves > 0,
    );

    say("\n== Recovery analytics");
    say(&format!("{analytics}"));
    outcome.frames = received.load(Ordering::Relaxed);
    outcome.stop = Some(report);
    Ok(outcome)
}

#[allow(dead_code)] // the integration test includes this file and calls `run`
fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(error) => {
            println!("{error}\nusage: monitoring [--dashboard ADDRESS [--linger SECS] [--inject-panic-after SECS]]");
            return ExitCode::FAILURE;
        }
    };
    match run_with(true, &options) {
        Ok(outcome) if outcome.all_passed() => {
            println!("\nall {} checks passed", outcome.checks.len());
            ExitCode::SUCCESS
        }
        Ok(outcome) => {
            let failed = outcome.checks.iter().filter(|(_, passed)| !passed).count();
            println!("\n{failed} of {} checks FAILED", outcome.checks.len());
            ExitCode::FAILURE
        }
        Err(error) => {
            println!("\nthe scenario could not run: {error}");
            ExitCode::FAILURE
        }
    }
}
