//! Durable order processing on SQLite, killed mid-way and resumed:
//! `cargo run --example orders --features store`.
//!
//! The program runs itself as a child process that works through five
//! orders (place, charge, pack, ship, deliver). Charging is a move with an
//! outside effect: the charge is appended to a ledger file (the "payment
//! provider") before the move commits, and the store records an intent
//! first. The parent kills the child with SIGKILL right after the ledger
//! write of the third order, before its move commits. Then the parent
//! resumes: loading that order finds the open intent, and the order's
//! recovery asks the ledger whether the charge went through (it did), so it
//! fires `Reconcile` instead of charging twice. The parent finishes every
//! order, prints each one's history as read back from the store, and exits
//! non-zero if any check fails: every order delivered, each charged exactly
//! once, the crashed one reconciled.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use typestep::prelude::*;
use typestep::store::{
    intents, moves, Durable, DurableMachine, OpenIntent, Options, Recovery, SqliteStore,
};

#[derive(Component, Clone, Debug, Serialize, Deserialize)]
#[component(
    states(Placed, Paid, Packed, Shipped, Delivered, Cancelled),
    initial = Placed,
    terminal(Delivered, Cancelled)
)]
#[transition(Placed -> Paid on Charge, action = Self::charge)]
#[transition(Placed -> Paid on Reconcile)]
#[transition(Paid -> Packed on Pack)]
#[transition(Packed -> Shipped on Ship)]
#[transition(Shipped -> Delivered on Deliver)]
#[transition(Placed | Paid -> Cancelled on Cancel)]
struct Order {
    id: String,
    cents: u64,
    ledger: PathBuf,
}

impl Order {
    /// Charges the customer: appends to the ledger (the outside world).
    fn charge(&mut self) -> Result<(), std::io::Error> {
        let mut ledger = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.ledger)?;
        ledger.write_all(format!("{} {}\n", self.id, self.cents).as_bytes())?;
        ledger.sync_all()?;
        println!("charged {}", self.id);
        if std::env::var("ORDERS_SLOW_CHARGE").as_deref() == Ok(self.id.as_str()) {
            // A slow provider: the parent kills the child in here.
            std::thread::sleep(Duration::from_secs(60));
        }
        Ok(())
    }

    fn charged_in_ledger(&self) -> bool {
        std::fs::read_to_string(&self.ledger)
            .unwrap_or_default()
            .lines()
            .any(|line| line.split_once(' ').map(|(id, _)| id) == Some(self.id.as_str()))
    }
}

impl Durable for Order {
    fn outside_effect(event: order::Event) -> bool {
        event == order::Event::Charge
    }

    /// After a crash during `Charge`: ask the ledger what happened.
    fn recover(&self, _: &OpenIntent<Self>) -> Recovery<order::Event> {
        if self.charged_in_ledger() {
            Recovery::Fire(order::Event::Reconcile)
        } else {
            Recovery::Rerun
        }
    }
}

const ORDERS: usize = 5;
const STEPS: [order::Event; 4] = [
    order::Event::Charge,
    order::Event::Pack,
    order::Event::Ship,
    order::Event::Deliver,
];

fn store(dir: &Path) -> Result<SqliteStore, Box<dyn std::error::Error>> {
    // One process owns this store at a time: an open intent is a crash's.
    let options = Options {
        intent_lease: Duration::ZERO,
        ..Options::default()
    };
    Ok(SqliteStore::open_with(dir.join("orders.db"), options)?)
}

/// Works every order to the end, one step at a time.
fn work(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let store = store(dir)?;
    for i in 1..=ORDERS {
        let id = format!("order-{i}");
        let mut order = DurableMachine::load_or_create(&store, &id, || Order {
            id: id.clone(),
            cents: 1000 * i as u64,
            ledger: dir.join("ledger"),
        })?;
        for step in STEPS {
            if order.machine().accepts(step) {
                let record = order.fire(step)?;
                println!("{id}: {record}");
            }
        }
    }
    Ok(())
}

fn check(ok: bool, what: &str, failures: &mut u32) {
    println!("  [{}] {what}", if ok { "ok" } else { "FAILED" });
    if !ok {
        *failures += 1;
    }
}

fn main() -> ExitCode {
    if let Ok(dir) = std::env::var("ORDERS_CHILD") {
        return match work(Path::new(&dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("child: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match parent() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(failures) => {
            println!("{failures} check(s) failed");
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parent() -> Result<u32, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("typestep-orders-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut failures = 0;

    println!("== worker process: five orders; it will be killed while charging order-3");
    let mut child = Command::new(std::env::current_exe()?)
        .env("ORDERS_CHILD", &dir)
        .env("ORDERS_SLOW_CHARGE", "order-3")
        .stdout(Stdio::piped())
        .spawn()?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let mut killed = false;
    for line in BufReader::new(out).lines() {
        let line = line?;
        println!("  child | {line}");
        if line == "charged order-3" {
            child.kill()?;
            killed = true;
            break;
        }
    }
    let status = child.wait()?;
    println!("== worker killed ({status})");
    check(killed, "the worker was killed mid-charge", &mut failures);

    println!("== resuming in this process");
    work(&dir)?;

    println!("== history read back from the store");
    let store = store(&dir)?;
    let ledger = std::fs::read_to_string(dir.join("ledger"))?;
    for i in 1..=ORDERS {
        let id = format!("order-{i}");
        let order = DurableMachine::<Order, _>::load(&store, &id)?;
        println!("{id} ({} moves, now {}):", order.seq(), order.state());
        let history = moves::<Order>(&store, &id, 0, 100)?;
        for record in &history {
            println!("  {record}");
        }
        for intent in intents::<Order>(&store, &id, 0, 10)? {
            let how = intent.resolved.as_ref().map_or("open", |r| r.1.as_str());
            println!("  intent at move {}: {} ({how})", intent.seq, intent.event);
        }
        let charges = ledger
            .lines()
            .filter(|l| l.starts_with(&format!("{id} ")))
            .count();
        check(
            order.state() == order::State::Delivered,
            &format!("{id} delivered"),
            &mut failures,
        );
        check(
            charges == 1,
            &format!("{id} charged exactly once ({charges})"),
            &mut failures,
        );
        let reconciled = history
            .iter()
            .any(|r| r.event() == Some(order::Event::Reconcile));
        check(
            reconciled == (i == 3),
            &format!(
                "{id} {}",
                if i == 3 {
                    "reconciled after the crash"
                } else {
                    "charged normally"
                }
            ),
            &mut failures,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(failures)
}
