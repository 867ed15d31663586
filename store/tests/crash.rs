//! Crash test and two-process test (no test harness: the binary re-runs
//! itself as the child process).
//!
//! Crash: a child fires random events on a set of machines in a store; the
//! parent kills it with SIGKILL at random moments (`TYPESTEP_CRASH_KILLS`
//! times, 200 by default). After each kill every machine must load, be at
//! its last committed move (the child reports each commit; the store may be
//! one ahead, a commit the kill cut before its report, or one resolved
//! intent), replay to its data, and every intent must be resolved exactly
//! once, each outside effect performed at most once.
//!
//! Two processes: two children fire at one id; every move number is won by
//! exactly one of them.
//!
//! SQLite always; PostgreSQL too when `TYPESTEP_PG_URL` is set.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use typestep::prelude::*;
use typestep::store::{
    intents, moves, Durable, DurableMachine, OpenIntent, Options, Recovery, SqliteStore, Store,
};

const MACHINES: usize = 4;
const DUEL_MOVES: u64 = 150;

/// A job whose `Finish` has an outside effect (a line appended to a file).
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[component(states(Idle, Busy, Done), initial = Idle)]
#[transition(Idle -> Busy on Start, action = Self::start)]
#[transition(Busy -> Done on Finish, action = Self::finish)]
#[transition(Busy -> Done on Reconcile, action = Self::reconcile)]
#[transition(Busy -> Idle on Abort, action = Self::abort)]
#[transition(Done -> Idle on Reset, action = Self::reset)]
struct Job {
    id: String,
    n: u64,
    counts: BTreeMap<String, u64>,
}

type Io = Result<(), std::io::Error>;

impl Job {
    fn bump(&mut self, event: &str) -> Io {
        self.n += 1;
        *self.counts.entry(event.to_owned()).or_default() += 1;
        Ok(())
    }
    fn start(&mut self) -> Io {
        self.bump("Start")
    }
    fn finish(&mut self) -> Io {
        // The outside effect: one append of "id seq" (seq = moves before).
        let path = std::env::var("TYPESTEP_CRASH_EFFECTS").map_err(std::io::Error::other)?;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        file.write_all(format!("{} {}\n", self.id, self.n).as_bytes())?;
        self.bump("Finish")
    }
    fn reconcile(&mut self) -> Io {
        self.bump("Reconcile")
    }
    fn abort(&mut self) -> Io {
        self.bump("Abort")
    }
    fn reset(&mut self) -> Io {
        self.bump("Reset")
    }
}

impl Durable for Job {
    fn outside_effect(event: job::Event) -> bool {
        event == job::Event::Finish
    }
    fn recover(&self, _: &OpenIntent<Self>) -> Recovery<job::Event> {
        Recovery::Fire(job::Event::Reconcile)
    }
}

fn options() -> Options {
    Options {
        intent_lease: Duration::ZERO,
        ..Options::default()
    }
}

/// Opens the backend named by `spec`: `sqlite:<path>` or `pg`.
fn open(spec: &str) -> Box<dyn Store> {
    if let Some(path) = spec.strip_prefix("sqlite:") {
        return Box::new(SqliteStore::open_with(path, options()).expect("open sqlite"));
    }
    #[cfg(feature = "postgres")]
    if spec == "pg" {
        return Box::new(
            typestep::store::PgStore::connect_with(&pg_url(), options()).expect("connect"),
        );
    }
    panic!("unknown backend {spec}")
}

/// The server URL; a child's sessions are tagged so that the parent can
/// wait for them to end.
#[cfg(feature = "postgres")]
fn pg_url() -> String {
    let url = std::env::var("TYPESTEP_PG_URL").expect("TYPESTEP_PG_URL");
    if std::env::var("TYPESTEP_CRASH_CHILD").is_err() {
        return url;
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}application_name=typestep-crash-child")
}

/// Waits until no killed child's session is left on the server: a
/// PostgreSQL backend finishes a COMMIT it already received after its
/// client died, so the parent must not read before it has.
#[cfg(feature = "postgres")]
fn settle(spec: &str) -> Result<(), String> {
    if spec != "pg" {
        return Ok(());
    }
    let mut admin =
        postgres::Client::connect(&pg_url(), postgres::NoTls).map_err(|e| e.to_string())?;
    for _ in 0..10_000 {
        let row = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'typestep-crash-child'",
                &[],
            )
            .map_err(|e| e.to_string())?;
        if row.get::<_, i64>(0) == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Err("a killed child's session did not end".into())
}

#[cfg(not(feature = "postgres"))]
fn settle(_: &str) -> Result<(), String> {
    Ok(())
}

fn ids(prefix: &str) -> Vec<String> {
    (0..MACHINES).map(|i| format!("{prefix}-{i}")).collect()
}

/// The crash child: fires random accepted events until killed.
fn crash_child(spec: &str, prefix: &str) {
    let store = open(spec);
    let mut machines: Vec<DurableMachine<'_, Job, dyn Store>> = Vec::new();
    for id in ids(prefix) {
        let m = DurableMachine::load_or_create(&*store, &id, || Job {
            id: id.clone(),
            n: 0,
            counts: BTreeMap::new(),
        })
        .expect("load");
        println!("{} {}", id, m.seq());
        machines.push(m);
    }
    println!("ready");
    loop {
        let m = &mut machines[fastrand::usize(..MACHINES)];
        // `Reconcile` is for recovery only.
        let events: Vec<job::Event> = m
            .machine()
            .accepted_events()
            .filter(|e| *e != job::Event::Reconcile)
            .collect();
        let event = events[fastrand::usize(..events.len())];
        let record = m.fire(event).expect("fire");
        println!("{} {}", m.id(), record.seq);
    }
}

/// The duel child: fires at one id until it has `DUEL_MOVES` moves.
fn duel_child(spec: &str, id: &str) {
    let store = open(spec);
    println!("ready");
    let mut go = String::new();
    let _ = std::io::stdin().read_line(&mut go);
    loop {
        let mut m = DurableMachine::<Job, dyn Store>::load(&*store, id).expect("load");
        if m.seq() >= DUEL_MOVES {
            break;
        }
        let event = match m.state() {
            job::State::Idle => job::Event::Start,
            job::State::Busy => job::Event::Abort,
            job::State::Done => job::Event::Reset,
        };
        match m.fire(event) {
            Ok(record) => println!("won {}", record.seq),
            Err(e) if e.is_conflict() => {}
            Err(e) => panic!("duel: {e}"),
        }
    }
}

fn spawn(env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child")
}

/// Lines from a child's stdout, through a channel (complete lines only).
fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
    }
    text
}

/// Checks every machine after a kill; returns the machines' move counts.
fn check(
    store: &dyn Store,
    prefix: &str,
    reported: &BTreeMap<String, u64>,
    effects: &str,
) -> Result<BTreeMap<String, u64>, String> {
    let effect_lines = std::fs::read_to_string(effects).unwrap_or_default();
    let mut effect_set = BTreeSet::new();
    for line in effect_lines.lines() {
        if !effect_set.insert(line.to_owned()) {
            return Err(format!("outside effect performed twice: {line}"));
        }
    }
    let mut seqs = BTreeMap::new();
    for id in ids(prefix) {
        let m = DurableMachine::<Job, dyn Store>::load(store, &id)
            .map_err(|e| format!("{id}: load failed: {e}"))?;
        let last = reported.get(&id).copied().unwrap_or(0);
        if m.seq() < last || m.seq() > last + 1 {
            return Err(format!(
                "{id}: store at move {}, child reported {last}",
                m.seq()
            ));
        }
        if m.data().n != m.seq() {
            return Err(format!(
                "{id}: data counts {} moves, store {}",
                m.data().n,
                m.seq()
            ));
        }
        // The data replays the history; every intent resolved once.
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_seq = BTreeMap::new();
        let mut after = 0;
        loop {
            let page = moves::<Job>(store, &id, after, 500).map_err(|e| e.to_string())?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for record in &page {
                let event = record.event().ok_or("no event")?;
                *counts.entry(event.name().to_owned()).or_default() += 1;
                by_seq.insert(record.seq, event);
            }
        }
        if counts != m.data().counts {
            return Err(format!(
                "{id}: history {counts:?} but data {:?}",
                m.data().counts
            ));
        }
        if let Some(last) = by_seq.values().last() {
            if Some(*last)
                != m.moves(m.seq() - 1, 1)
                    .map_err(|e| e.to_string())?
                    .first()
                    .and_then(|r| r.event())
            {
                return Err(format!("{id}: last move mismatch"));
            }
        }
        let log = intents::<Job>(store, &id, 0, usize::MAX).map_err(|e| e.to_string())?;
        let resolving = counts.get("Finish").copied().unwrap_or(0)
            + counts.get("Reconcile").copied().unwrap_or(0);
        if log.len() as u64 != resolving {
            return Err(format!(
                "{id}: {} intents but {resolving} resolving moves",
                log.len()
            ));
        }
        for intent in &log {
            let (_, how) = intent
                .resolved
                .as_ref()
                .ok_or(format!("{id}: intent {} open", intent.seq))?;
            let expected = match how.as_str() {
                "moved" => job::Event::Finish,
                "recovered" => job::Event::Reconcile,
                other => return Err(format!("{id}: resolution {other}")),
            };
            if by_seq.get(&(intent.seq + 1)) != Some(&expected) {
                return Err(format!(
                    "{id}: intent {} {how} but move {} is {:?}",
                    intent.seq,
                    intent.seq + 1,
                    by_seq.get(&(intent.seq + 1))
                ));
            }
            if how == "moved" && !effect_set.contains(&format!("{id} {}", intent.seq)) {
                return Err(format!(
                    "{id}: committed Finish at {} without its effect",
                    intent.seq
                ));
            }
        }
        seqs.insert(id, m.seq());
    }
    Ok(seqs)
}

fn crash_test(name: &str, spec: &str, kills: usize) -> Result<String, String> {
    let dir = std::env::temp_dir().join(common::fresh("typestep-crash"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let effects = dir.join("effects").to_string_lossy().into_owned();
    let spec = spec.replace("{dir}", &dir.to_string_lossy());
    let prefix = common::fresh("crash");
    let store = open(&spec);
    let mut reported: BTreeMap<String, u64> = BTreeMap::new();
    let mut total_lines = 0usize;
    for round in 0..kills {
        let mut child = spawn(&[
            ("TYPESTEP_CRASH_CHILD", &spec),
            ("TYPESTEP_CRASH_PREFIX", &prefix),
            ("TYPESTEP_CRASH_EFFECTS", &effects),
        ]);
        let rx = lines(&mut child);
        let mut ready = false;
        let mut seen = Vec::new();
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
            if line == "ready" {
                ready = true;
                break;
            }
            seen.push(line);
        }
        if !ready {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{name} round {round}: child not ready: {}",
                stderr_of(&mut child)
            ));
        }
        std::thread::sleep(Duration::from_micros(fastrand::u64(0..40_000)));
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{name} round {round}: child exited {status}: {}",
                stderr_of(&mut child)
            ));
        }
        child.kill().map_err(|e| e.to_string())?;
        let _ = child.wait();
        settle(&spec)?;
        seen.extend(rx.iter());
        total_lines += seen.len();
        for line in seen {
            if let Some((id, seq)) = line.split_once(' ') {
                if let Ok(seq) = seq.parse::<u64>() {
                    reported.insert(id.to_owned(), seq);
                }
            }
        }
        reported = check(&*store, &prefix, &reported, &effects)
            .map_err(|e| format!("{name} round {round}: {e}"))?;
    }
    let moves_total: u64 = reported.values().sum();
    let mut recovered = 0;
    for id in ids(&prefix) {
        let log = intents::<Job>(&*store, &id, 0, usize::MAX).map_err(|e| e.to_string())?;
        recovered += log
            .iter()
            .filter(|i| i.resolved.as_ref().is_some_and(|r| r.1 == "recovered"))
            .count();
    }
    let effects_total = std::fs::read_to_string(&effects)
        .unwrap_or_default()
        .lines()
        .count();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "{kills} kills, {moves_total} moves committed, {total_lines} reports, {effects_total} outside effects, {recovered} intents recovered after a kill, all machines valid"
    ))
}

fn duel(name: &str, spec: &str) -> Result<String, String> {
    let dir = std::env::temp_dir().join(common::fresh("typestep-duel"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let spec = spec.replace("{dir}", &dir.to_string_lossy());
    let id = common::fresh("duel");
    let store = open(&spec);
    DurableMachine::create(
        &*store,
        &id,
        Job {
            id: id.clone(),
            n: 0,
            counts: BTreeMap::new(),
        },
    )
    .map_err(|e| e.to_string())?;
    let mut children: Vec<Child> = (0..2)
        .map(|_| spawn(&[("TYPESTEP_DUEL_CHILD", &spec), ("TYPESTEP_DUEL_ID", &id)]))
        .collect();
    // Both connected, then both start at once.
    let receivers: Vec<_> = children.iter_mut().map(lines).collect();
    for rx in &receivers {
        if rx.recv_timeout(Duration::from_secs(30)).as_deref() != Ok("ready") {
            return Err(format!("{name}: duel child not ready"));
        }
    }
    for child in &mut children {
        if let Some(stdin) = child.stdin.as_mut() {
            stdin.write_all(b"go\n").map_err(|e| e.to_string())?;
        }
    }
    let mut won: Vec<Vec<u64>> = Vec::new();
    for (child, rx) in children.iter_mut().zip(receivers) {
        let status = child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("{name}: duel child failed: {}", stderr_of(child)));
        }
        won.push(
            rx.iter()
                .filter_map(|l| l.strip_prefix("won ").and_then(|s| s.parse().ok()))
                .collect(),
        );
    }
    let all: Vec<u64> = won.iter().flatten().copied().collect();
    common::exactly_once(&all, DUEL_MOVES).map_err(|e| format!("{name}: {e}"))?;
    let m = DurableMachine::<Job, dyn Store>::load(&*store, &id).map_err(|e| e.to_string())?;
    if m.seq() != DUEL_MOVES || m.data().n != DUEL_MOVES {
        return Err(format!(
            "{name}: ended at {} with n = {}",
            m.seq(),
            m.data().n
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "two processes, {DUEL_MOVES} moves: {} + {} won, each move once",
        won[0].len(),
        won[1].len()
    ))
}

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var("TYPESTEP_CRASH_CHILD") {
        let prefix = std::env::var("TYPESTEP_CRASH_PREFIX").expect("prefix");
        crash_child(&spec, &prefix);
        return ExitCode::SUCCESS;
    }
    if let Ok(spec) = std::env::var("TYPESTEP_DUEL_CHILD") {
        duel_child(&spec, &std::env::var("TYPESTEP_DUEL_ID").expect("id"));
        return ExitCode::SUCCESS;
    }
    // `cargo test -- <filter>` and `--list` pass arguments; this binary has
    // no sub-tests to filter, so it runs whole unless asked to list.
    if std::env::args().any(|a| a == "--list") {
        println!("crash: test\n");
        return ExitCode::SUCCESS;
    }
    let kills = std::env::var("TYPESTEP_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(200);
    let mut failed = false;
    let mut run = |name: &str, result: Result<String, String>| match result {
        Ok(summary) => println!("{name}: ok: {summary}"),
        Err(e) => {
            println!("{name}: FAILED: {e}");
            failed = true;
        }
    };
    let sqlite = "sqlite:{dir}/store.db";
    run("sqlite crash test", crash_test("sqlite", sqlite, kills));
    run("sqlite two-process test", duel("sqlite", sqlite));
    pg(&mut run, kills);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(feature = "postgres")]
fn pg(run: &mut dyn FnMut(&str, Result<String, String>), kills: usize) {
    if std::env::var("TYPESTEP_PG_URL").is_err() {
        println!("postgres crash test: skipped: TYPESTEP_PG_URL not set");
        return;
    }
    run("postgres crash test", crash_test("postgres", "pg", kills));
    run("postgres two-process test", duel("postgres", "pg"));
}

#[cfg(not(feature = "postgres"))]
fn pg(_: &mut dyn FnMut(&str, Result<String, String>), _: usize) {
    println!("postgres crash test: skipped: built without feature `postgres`");
}
