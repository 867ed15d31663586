//! A small tokio service whose tasks are the work of coordinator components:
//! `cargo run --example async_service --features tokio`.
//!
//! Components registered with a `ComponentCoordinator`: a `cache` (its
//! `Load` is an async action) and a `frontend` (a listener on 127.0.0.1 and
//! three connection handlers, each handler a component too). A
//! `#[derive(System)]` says the frontend depends on the cache; the
//! supervisor takes its init order from it (the tasks are registered
//! frontend first, and still start cache first). Every task is linked to
//! its component, so each failure, restart and stop moves that component's
//! state machine. A client inside the example then:
//!
//! 1. connects with a `Link` whose `Connect` is an async action; the server
//!    is slow to greet the first connection, so the move times out, is
//!    rolled back (the data restored, the state still `Idle`, the move
//!    recorded as cancelled) and is retried;
//! 2. asks a handler to panic: its component fails through its machine and
//!    it is restarted one for one;
//! 3. makes the cache stall (it stops beating its heartbeat): the cache
//!    fails through its machine, and it and what depends on it (the
//!    frontend) are restarted rest for one, in init order;
//! 4. stops everything gracefully, in reverse dependency order.
//!
//! It prints the state changes, supervisor events, failure records, the stop
//! report and the recovery analytics, and exits 0 only if every check passed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::time::sleep;
use typestep::coordinator::{
    ComponentCoordinator, CoordinatorConfig, FailureAction, FailureCause, Lifecycle, Managed,
    RestartPolicy,
};
use typestep::machine::{on_move, FireError};
use typestep::pool::{Quotas, ResourcePool};
use typestep::prelude::*;
use typestep::recovery::MoveLogger;
use typestep::supervisor::{ChildSpec, Exit, Strategy, Supervisor, SupervisorEvent};
use typestep::Snapshot;

/// The cache: `Load` fetches its entries (an async action).
#[derive(Component, Clone, Debug, Default)]
#[component(
    states(Cold, Warm, Failed, Stopping, Stopped),
    initial = Cold,
    terminal(Stopped)
)]
#[transition(Cold -> Warm on Load, action = async Self::load)]
#[transition(Cold | Warm -> Failed on Fail)]
#[transition(Failed -> Cold on Restart, action = Self::evict)]
#[transition(Cold | Warm -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Stopping -> Failed on Fail)]
#[transition(Failed -> Stopped on Abandon)]
struct Cache {
    entries: BTreeMap<String, String>,
    loads: u32,
}

impl Cache {
    async fn load(&mut self) -> Result<(), std::io::Error> {
        sleep(Duration::from_millis(10)).await; // a fetch from elsewhere
        self.entries.insert("hello".into(), "world".into());
        self.loads += 1;
        Ok(())
    }

    fn evict(&mut self) -> Result<(), std::io::Error> {
        self.entries.clear();
        Ok(())
    }
}

/// A part of the service that just runs: the frontend and each handler.
#[derive(Component, Clone, Debug, Default)]
#[component(
    states(Created, Running, Failed, Stopping, Stopped),
    initial = Created,
    terminal(Stopped)
)]
#[transition(Created -> Running on Start)]
#[transition(Running | Stopping -> Failed on Fail)]
#[transition(Failed -> Running on Restart)]
#[transition(Running -> Stopping on Stop)]
#[transition(Stopping -> Stopped on Done)]
#[transition(Failed -> Stopped on Abandon)]
struct Part;

/// The service's parts and who depends on whom: `#[derive(System)]`
/// computes the init order (cache, then frontend) at build time.
#[derive(System)]
struct Service {
    #[depends_on(cache)]
    frontend: Managed<Part>,
    cache: Managed<Cache>,
}

/// The client's connection: `Connect` dials and waits for the greeting.
#[derive(Component)]
#[component(states(Idle, Connected), initial = Idle, snapshot = LinkSnapshot)]
#[transition(Idle -> Connected on Connect, action = async Self::connect)]
#[transition(Connected -> Idle on Disconnect, action = Self::hang_up)]
struct Link {
    addr: SocketAddr,
    attempts: u32,
    stream: Option<BufReader<TcpStream>>,
}

/// A socket cannot be cloned: the snapshot keeps the counter and whether a
/// stream was open; a restore drops a stream opened by the failed move.
struct LinkSnapshot;

impl Snapshot<Link> for LinkSnapshot {
    type Saved = (u32, bool);
    fn save(link: &Link) -> (u32, bool) {
        (link.attempts, link.stream.is_some())
    }
    fn restore(link: &mut Link, (attempts, had_stream): (u32, bool)) {
        link.attempts = attempts;
        if !had_stream {
            link.stream = None;
        }
    }
}

impl Link {
    async fn connect(&mut self) -> Result<(), std::io::Error> {
        self.attempts += 1;
        let mut stream = BufReader::new(TcpStream::connect(self.addr).await?);
        let mut greeting = String::new();
        stream.read_line(&mut greeting).await?;
        if greeting.trim() != "HELLO" {
            return Err(std::io::Error::other(format!("bad greeting {greeting:?}")));
        }
        self.stream = Some(stream);
        Ok(())
    }

    fn hang_up(&mut self) -> Result<(), std::io::Error> {
        self.stream = None;
        Ok(())
    }

    /// One request, one reply line.
    async fn ask(&mut self, request: &str) -> std::io::Result<String> {
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| std::io::Error::other("not connected"))?;
        stream
            .get_mut()
            .write_all(format!("{request}\n").as_bytes())
            .await?;
        let mut reply = String::new();
        stream.read_line(&mut reply).await?;
        Ok(reply.trim().to_owned())
    }
}

fn print_link(record: &MoveRecord<Link>, _: &Link) {
    println!("  [state] link: {record}");
}

/// Every supervisor event, as `(supervisor, event)`.
type Seen = Arc<Mutex<Vec<(&'static str, SupervisorEvent)>>>;

/// Prints and keeps the events of one supervisor.
fn watch(name: &'static str, mut events: UnboundedReceiver<SupervisorEvent>, seen: Seen) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            println!("  [{name}] {event:?}");
            if let Ok(mut seen) = seen.lock() {
                seen.push((name, event));
            }
        }
    });
}

fn saw(seen: &Seen, f: impl Fn(&(&'static str, SupervisorEvent)) -> bool) -> bool {
    seen.lock().map(|s| s.iter().any(f)).unwrap_or(false)
}

/// Serves one connection: a greeting, then `GET key` and `PANIC` requests.
async fn serve(
    stream: TcpStream,
    cache: &Managed<Cache>,
    slow: &AtomicBool,
) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    if slow.swap(false, Ordering::SeqCst) {
        sleep(Duration::from_millis(300)).await; // the first greeting is late
    }
    stream.get_mut().write_all(b"HELLO\n").await?;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let reply = match line.trim().split_once(' ') {
            Some(("GET", key)) if cache.state() == cache::State::Warm => cache
                .machine()
                .with(|m| m.data().entries.get(key).cloned())
                .unwrap_or_else(|| "MISSING".into()),
            Some(("GET", _)) => "COLD".into(),
            _ if line.trim() == "PANIC" => panic!("a handler was asked to panic"),
            _ => "ERROR".into(),
        };
        stream
            .get_mut()
            .write_all(format!("{reply}\n").as_bytes())
            .await?;
    }
}

/// What the frontend's task needs.
#[derive(Clone)]
struct Frontend {
    coordinator: ComponentCoordinator,
    listener: Arc<TcpListener>,
    cache: Managed<Cache>,
    handlers: Vec<Managed<Part>>,
    slow: Arc<AtomicBool>,
    seen: Seen,
}

/// The frontend: an acceptor and three handlers (each linked to its own
/// component) under a one-for-one supervisor, run until the frontend's own
/// token is cancelled.
fn frontend(service: &Service, parts: Frontend) -> Result<ChildSpec, Box<dyn std::error::Error>> {
    let coordinator = parts.coordinator.clone();
    let spec = ChildSpec::new("frontend", move |cx| {
        let parts = parts.clone();
        async move {
            let (tx, rx) = unbounded_channel::<TcpStream>();
            let rx = Arc::new(tokio::sync::Mutex::new(rx));
            let listener = parts.listener.clone();
            let acceptor = ChildSpec::new("acceptor", move |cx| {
                let (listener, tx) = (listener.clone(), tx.clone());
                async move {
                    loop {
                        tokio::select! {
                            _ = cx.token.cancelled() => return Ok(()),
                            accepted = listener.accept() => {
                                let (stream, _) = accepted?;
                                tx.send(stream)?;
                            }
                        }
                    }
                }
            });
            let mut handlers = Supervisor::new(Strategy::OneForOne)
                .intensity(RestartPolicy::new(5, Duration::from_secs(10)))
                .child(acceptor);
            for handler in &parts.handlers {
                let (rx, cache, slow) = (rx.clone(), parts.cache.clone(), parts.slow.clone());
                let spec = ChildSpec::new(handler.name().to_owned(), move |cx| {
                    let (rx, cache, slow) = (rx.clone(), cache.clone(), slow.clone());
                    async move {
                        loop {
                            let stream = tokio::select! {
                                _ = cx.token.cancelled() => return Ok(()),
                                stream = async { rx.lock().await.recv().await } => stream,
                            };
                            let Some(stream) = stream else { return Ok(()) };
                            tokio::select! {
                                _ = cx.token.cancelled() => return Ok(()),
                                // A broken connection ends the connection, not the handler.
                                _ = serve(stream, &cache, &slow) => {}
                            }
                        }
                    }
                })
                .component(&parts.coordinator, handler.id())?;
                handlers = handlers.child(spec);
            }
            watch("frontend", handlers.events(), parts.seen.clone());
            let report = handlers.run_until(cx.token.cancelled()).await?;
            println!("  [frontend] handlers stopped:\n{report}");
            Ok(())
        }
    })
    .shutdown(Duration::from_millis(500))
    .component(&coordinator, service.frontend.id())?;
    Ok(spec)
}

/// The cache's task: loads (again after a restart), then beats its heartbeat
/// until it is told to stall.
fn cache_task(
    coordinator: &ComponentCoordinator,
    service: &Service,
    stall: Arc<AtomicBool>,
) -> Result<ChildSpec, Box<dyn std::error::Error>> {
    let cache = service.cache.clone();
    let spec = ChildSpec::new("cache", move |cx| {
        let (cache, stall) = (cache.clone(), stall.clone());
        async move {
            cache.machine().fire_async(cache::Load).await?;
            loop {
                if stall.swap(false, Ordering::SeqCst) {
                    println!("  [cache] stalls (stops beating its heartbeat)");
                    std::future::pending::<()>().await;
                }
                cx.heartbeat.beat();
                tokio::select! {
                    _ = cx.token.cancelled() => return Ok(()),
                    _ = sleep(Duration::from_millis(20)) => {}
                }
            }
        }
    })
    .heartbeat(Duration::from_millis(250))
    .shutdown(Duration::from_millis(200))
    .component(coordinator, service.cache.id())?;
    Ok(spec)
}

/// Waits until `cond` holds (or 3 s pass).
async fn wait_for(cond: impl Fn() -> bool) -> bool {
    for _ in 0..300 {
        if cond() {
            return true;
        }
        sleep(Duration::from_millis(10)).await;
    }
    cond()
}

#[derive(Default)]
struct Checks(Vec<(String, bool)>);

impl Checks {
    fn check(&mut self, name: &str, passed: bool) {
        println!("{} {name}", if passed { "ok  " } else { "FAIL" });
        self.0.push((name.to_owned(), passed));
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(checks) if checks.0.iter().all(|(_, passed)| *passed) => {
            println!("\nall {} checks passed", checks.0.len());
            ExitCode::SUCCESS
        }
        Ok(checks) => {
            let failed = checks.0.iter().filter(|(_, passed)| !passed).count();
            println!("\n{failed} of {} checks FAILED", checks.0.len());
            ExitCode::FAILURE
        }
        Err(error) => {
            println!("\nthe example failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The state changes of `component` so far, as `from->to`.
fn path(changes: &Mutex<Vec<(String, String)>>, component: &str) -> Vec<String> {
    changes
        .lock()
        .map(|c| {
            c.iter()
                .filter(|(name, _)| name == component)
                .map(|(_, step)| step.clone())
                .collect()
        })
        .unwrap_or_default()
}

async fn run() -> Result<Checks, Box<dyn std::error::Error>> {
    let mut checks = Checks::default();
    // One line per panic: the default hook may print a backtrace, which is
    // slow enough to hold up the other tasks of its worker thread.
    std::panic::set_hook(Box::new(|info| println!("  [panic] {info}")));
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await?);
    let addr = listener.local_addr()?;
    println!("listening on {addr}");

    let coordinator = ComponentCoordinator::new(
        ResourcePool::builder().build()?,
        CoordinatorConfig::default(),
    );
    let logger = coordinator.logger().clone();
    // Every move of every component, printed and kept.
    let changes: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (subscription, kept) = (coordinator.subscribe(), changes.clone());
    std::thread::spawn(move || {
        for change in subscription {
            println!("  [state] {change}");
            if let Ok(mut kept) = kept.lock() {
                kept.push((
                    change.component.to_string(),
                    format!("{}->{}", change.from, change.to),
                ));
            }
        }
    });
    let restarts = RestartPolicy::new(5, Duration::from_secs(10));
    let service = Service::builder()
        .try_cache(|| {
            coordinator.register(
                "cache",
                StateMachine::new(Cache::default()).with_history(32),
                Lifecycle::new(cache::Fail)
                    .restart(cache::Restart, restarts)
                    .stop(cache::Stop, Some(cache::Done.into()))
                    .abandon(cache::Abandon),
                Quotas::new(),
            )
        })?
        .try_frontend(|_cache| {
            coordinator.register(
                "frontend",
                StateMachine::new(Part),
                Lifecycle::new(part::Fail)
                    .start(part::Start)
                    .restart(part::Restart, restarts)
                    .stop(part::Stop, Some(part::Done.into()))
                    .abandon(part::Abandon),
                Quotas::new(),
            )
        })?
        .build();
    // Handlers go on across frontend restarts: no stop event, so a stop of
    // the frontend's supervisor leaves them as they are.
    let handlers = (0..3)
        .map(|i| {
            coordinator.register(
                format!("handler-{i}"),
                StateMachine::new(Part),
                Lifecycle::new(part::Fail)
                    .start(part::Start)
                    .restart(part::Restart, restarts),
                Quotas::new(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let slow = Arc::new(AtomicBool::new(true));
    let stall = Arc::new(AtomicBool::new(false));
    let seen: Seen = Arc::default();

    // Registered frontend first: the supervisor orders them by the system's
    // init order (the frontend depends on the cache).
    let front = frontend(
        &service,
        Frontend {
            coordinator: coordinator.clone(),
            listener,
            cache: service.cache.clone(),
            handlers: handlers.clone(),
            slow,
            seen: seen.clone(),
        },
    )?;
    let mut supervisor = Supervisor::new(Strategy::RestForOne)
        .system::<Service>()
        .intensity(restarts)
        .child(front)
        .child(cache_task(&coordinator, &service, stall.clone())?);
    watch("service", supervisor.events(), seen.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(supervisor.run_until(async move {
        let _ = stopped.await;
    }));
    let cache = service.cache.clone();
    let warm = wait_for(|| cache.state() == cache::State::Warm).await;
    checks.check("the cache loaded (async action)", warm);
    checks.check(
        "started in init order: cache, then frontend",
        saw(&seen, |(sup, e)| {
            *sup == "service"
                && matches!(e, SupervisorEvent::Started { child, .. } if &**child == "cache")
        }) && seen.lock().is_ok_and(|s| {
            let order: Vec<&str> = s
                .iter()
                .filter_map(|(sup, e)| match e {
                    SupervisorEvent::Started { child, .. } if *sup == "service" => Some(&**child),
                    _ => None,
                })
                .collect();
            order == ["cache", "frontend"]
        }),
    );

    println!("\n-- 1. a Connect that times out is rolled back, then retried");
    let mut link = StateMachine::new(Link {
        addr,
        attempts: 0,
        stream: None,
    })
    .with_history(8)
    .with_observer(MoveLogger::new(logger.clone()).labelled("link"))
    .with_observer(on_move(print_link as fn(&MoveRecord<Link>, &Link)));
    let first = link
        .fire_async_within(link::Connect, Duration::from_millis(100))
        .await;
    checks.check(
        "the slow Connect timed out",
        matches!(first, Err(FireError::Cancelled { .. })),
    );
    checks.check(
        "... and was rolled back (state Idle, no stream, attempts restored)",
        link.state() == link::State::Idle
            && link.data().stream.is_none()
            && link.data().attempts == 0,
    );
    checks.check(
        "... and recorded as cancelled",
        link.history().last().is_some_and(|r| r.is_cancelled()),
    );
    link.fire_async(link::Connect).await?;
    checks.check(
        "the retried Connect succeeded",
        link.state() == link::State::Connected,
    );
    let reply = link.data_mut().ask("GET hello").await?;
    checks.check("GET hello -> world", reply == "world");

    println!("\n-- 2. a handler panics: failed through its machine, restarted one for one");
    let mut panicking = TcpStream::connect(addr).await?;
    panicking.write_all(b"PANIC\n").await?;
    let restarted_one = wait_for(|| {
        saw(&seen, |(sup, e)| {
            *sup == "frontend"
                && matches!(e, SupervisorEvent::Restarting { strategy: Strategy::OneForOne, children }
                    if children.len() == 1 && children[0].starts_with("handler"))
        })
    })
    .await;
    checks.check(
        "a handler panicked and only it was restarted",
        restarted_one,
    );
    checks.check(
        "the panic was detected from the task",
        saw(&seen, |(_, e)| {
            matches!(e, SupervisorEvent::Exited { exit: Exit::Panicked(m), .. } if m.contains("asked to panic"))
        }),
    );
    let handler_failure = coordinator.failures().into_iter().find(|f| {
        f.component.starts_with("handler")
            && matches!(&f.cause, FailureCause::Panicked(m) if m.contains("asked to panic"))
    });
    checks.check(
        "the panic is a failure record of its component (cleanup done, restarted)",
        handler_failure.as_ref().is_some_and(|f| {
            f.state == "Failed"
                && f.cleanup.is_some_and(|c| c.is_ok())
                && matches!(f.action, FailureAction::Restarted(_))
        }),
    );
    if let Some(failure) = &handler_failure {
        println!("  [failure] {failure}");
        // The notifications reach the printing thread a moment after the
        // move: wait for them rather than race them.
        let expected = ["Running->Failed".to_owned(), "Failed->Running".to_owned()];
        let recorded = wait_for(|| path(&changes, &failure.component).ends_with(&expected)).await;
        checks.check("its component went Running -> Failed -> Running", recorded);
    }
    let reply = link.data_mut().ask("GET hello").await?;
    checks.check("the link still works", reply == "world");
    checks.check(
        "nothing else was restarted",
        !saw(&seen, |(sup, e)| {
            *sup == "service" && matches!(e, SupervisorEvent::Restarting { .. })
        }),
    );

    println!("\n-- 3. the cache stalls: failed through its machine, restarted rest for one");
    stall.store(true, Ordering::SeqCst);
    let restarted_rest = wait_for(|| {
        saw(&seen, |(sup, e)| {
            *sup == "service"
                && matches!(e, SupervisorEvent::Restarting { strategy: Strategy::RestForOne, children }
                    if children.iter().map(|c| &**c).eq(["cache", "frontend"]))
        })
    })
    .await;
    checks.check(
        "cache and frontend were restarted, in init order",
        restarted_rest,
    );
    let cache_failure = coordinator
        .failures()
        .into_iter()
        .find(|f| f.component == "cache");
    checks.check(
        "the cache missed its heartbeat: a failure record, its task aborted and awaited",
        cache_failure.as_ref().is_some_and(|f| {
            matches!(f.cause, FailureCause::MissedHeartbeat { .. })
                && f.cleanup.is_some_and(|c| c.is_ok())
                && matches!(f.action, FailureAction::Restarted(_))
        }),
    );
    if let Some(failure) = &cache_failure {
        println!("  [failure] {failure}");
    }
    let reloaded = wait_for(|| {
        cache.machine().with(|m| m.data().loads) == 2 && cache.state() == cache::State::Warm
    })
    .await;
    checks.check("the restarted cache loaded again", reloaded);
    let expected = [
        "Warm->Failed".to_owned(),
        "Failed->Cold".to_owned(),
        "Cold->Warm".to_owned(),
    ];
    let recorded = wait_for(|| path(&changes, "cache").ends_with(&expected)).await;
    checks.check(
        "the cache went Warm -> Failed -> Cold (evicted) -> Warm",
        recorded,
    );
    // The old connection died with the old frontend: reconnect.
    link.fire(link::Disconnect)?;
    link.fire_async(link::Connect).await?;
    let reply = link.data_mut().ask("GET hello").await?;
    checks.check("a new connection is served", reply == "world");

    println!("\n-- 4. graceful stop, in reverse dependency order");
    let _ = stop.send(());
    let report = running.await??;
    println!("{report}");
    let order: Vec<&str> = report.children.iter().map(|c| &*c.child).collect();
    checks.check(
        "stopped frontend, then cache",
        order == ["frontend", "cache"],
    );
    checks.check("nothing had to be killed", report.is_clean());
    checks.check(
        "both components reached Stopped through their machines",
        report.children.iter().all(|c| c.state == Some("Stopped"))
            && service.frontend.state() == part::State::Stopped
            && cache.state() == cache::State::Stopped,
    );

    let analytics = logger.analytics();
    println!("\nrecovery analytics:\n{analytics}");
    checks.check(
        "one cancelled move in the recovery log",
        analytics.cancelled == 1,
    );
    checks.check(
        "the panic and the stall were logged as failures",
        analytics.failures >= 2,
    );
    Ok(checks)
}
