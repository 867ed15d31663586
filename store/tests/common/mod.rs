//! Components, and the test suite every backend runs (SQLite in
//! `tests/sqlite.rs`, PostgreSQL in `tests/postgres.rs`).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Barrier;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use typestep::prelude::*;
use typestep::store::{
    intents, moves, Durable, DurableError, DurableMachine, Fingerprint, Key, Migration, OpenIntent,
    Options, Recovery, Store, StoreError, Written,
};

/// Opens a store on the backend under test (the same database each call).
pub type Open<'a> = &'a (dyn Fn(Options) -> Box<dyn Store> + Sync);
/// Runs raw SQL on the backend under test (to plant hostile rows).
pub type Raw<'a> = &'a dyn Fn(&str);

/// A fresh id, unique across runs sharing one database.
pub fn fresh(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{tag}-{}-{nanos}-{}", std::process::id(), fastrand::u64(..))
}

/// Flips between two states; every move counts itself.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[component(states(A, B), initial = A)]
#[transition(A -> B on Flip, action = Self::count)]
#[transition(B -> A on Flop, action = Self::count)]
pub struct Toggle {
    pub n: u64,
}

impl Toggle {
    fn count(&mut self) -> Result<(), std::io::Error> {
        self.n += 1;
        Ok(())
    }
}

impl Durable for Toggle {}

impl Toggle {
    pub fn next(state: toggle::State) -> toggle::Event {
        match state {
            toggle::State::A => toggle::Event::Flip,
            toggle::State::B => toggle::Event::Flop,
        }
    }
}

/// A payment with an outside effect (`Charge`) and a recovery event.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[component(states(Open, Charged, Failed), initial = Open, terminal(Failed))]
#[transition(Open -> Charged on Charge, action = Self::charge)]
#[transition(Open -> Charged on Reconcile, action = Self::reconcile)]
#[transition(Charged -> Open on Refund)]
#[transition(Open -> Failed on Fail)]
pub struct Payment {
    pub charges: u32,
    pub reconciled: u32,
    pub refuse: bool,
    pub rerun: bool,
}

impl Payment {
    fn charge(&mut self) -> Result<(), std::io::Error> {
        if self.refuse {
            return Err(std::io::Error::other("card declined"));
        }
        self.charges += 1;
        Ok(())
    }
    fn reconcile(&mut self) -> Result<(), std::io::Error> {
        self.reconciled += 1;
        Ok(())
    }
}

impl Durable for Payment {
    fn outside_effect(event: payment::Event) -> bool {
        event == payment::Event::Charge
    }
    fn recover(&self, intent: &OpenIntent<Self>) -> Recovery<payment::Event> {
        // Tests pick the mode by the intent's move count.
        if intent.seq >= 1000 {
            Recovery::Rerun
        } else {
            Recovery::Fire(payment::Event::Reconcile)
        }
    }
}

pub mod v1 {
    use super::*;
    /// The first design of an order.
    #[derive(Component, Clone, Debug, Serialize, Deserialize)]
    #[component(states(Placed, Paid, Shipped), initial = Placed, terminal(Shipped))]
    #[transition(Placed -> Paid on Pay)]
    #[transition(Paid -> Shipped on Ship)]
    pub struct Order {
        pub total: u32,
    }
    impl Durable for Order {}
}

pub mod v2 {
    use super::*;
    /// The second design: `Paid` is now `Charged`, `Pay` is `Charge`.
    #[derive(Component, Clone, Debug, Serialize, Deserialize)]
    #[component(states(Placed, Charged, Shipped), initial = Placed, terminal(Shipped))]
    #[transition(Placed -> Charged on Charge)]
    #[transition(Charged -> Shipped on Ship)]
    pub struct Order {
        pub total: u32,
    }
    impl Durable for Order {}
}

fn opts() -> Options {
    Options::default()
}

fn no_lease() -> Options {
    Options {
        intent_lease: Duration::ZERO,
        ..Options::default()
    }
}

/// A move, a reload, the row and the history agree; data survives.
pub fn round_trip(open: Open<'_>, _raw: Raw<'_>) {
    let store = open(opts());
    let id = fresh("round");
    let mut m = DurableMachine::create(&*store, &id, Toggle { n: 0 }).unwrap();
    assert!(matches!(
        DurableMachine::create(&*store, &id, Toggle { n: 0 }),
        Err(StoreError::AlreadyExists { .. })
    ));
    for i in 1..=5u64 {
        let record = m.fire(Toggle::next(m.state())).unwrap();
        assert_eq!(record.seq, i);
        assert!(record.at.is_some() && record.took.is_some());
    }
    let back = DurableMachine::<Toggle, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(
        (back.seq(), back.state(), back.data().n),
        (5, toggle::State::B, 5)
    );
    // Not allowed: nothing is written.
    let mut back = back;
    let err = back.fire(toggle::Event::Flip).unwrap_err();
    assert!(matches!(
        err,
        DurableError::Refused(FireError::NotAllowed { .. })
    ));
    assert_eq!(back.seq(), 5);
    let again = DurableMachine::<Toggle, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(again.seq(), 5);
    assert!(matches!(
        DurableMachine::<Toggle, dyn Store>::load(&*store, "no-such-id"),
        Err(StoreError::NotFound { .. })
    ));
    let created = DurableMachine::load_or_create(&*store, &id, || Toggle { n: 99 }).unwrap();
    assert_eq!(created.data().n, 5);
}

/// A lamp whose `Blinking` resumes the leaf it was left from.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
#[state(Blinking, initial = LedOn, history)]
#[transition(Idle -> Blinking on Start)]
#[transition(LedOn -> LedOff on Tick)]
#[transition(LedOff -> LedOn on Tick)]
#[transition(Blinking -> Idle on Stop)]
pub struct Blinker {
    pub n: u32,
}

impl Durable for Blinker {}

/// A loaded machine remembers what its stored moves left behind, so a move
/// into the history superstate resumes after a reload; a stored move that
/// entered another leaf than the memory says is refused as corrupt.
pub fn history_memory(open: Open<'_>, raw: Raw<'_>) {
    let store = open(opts());
    let id = fresh("history");
    let mut m = DurableMachine::create(&*store, &id, Blinker { n: 0 }).unwrap();
    for event in [
        blinker::Event::Start,
        blinker::Event::Tick,
        blinker::Event::Stop,
    ] {
        m.fire(event).unwrap();
    }
    let mut back = DurableMachine::<Blinker, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(
        back.machine().remembered(blinker::Blinking),
        Some(blinker::State::LedOff)
    );
    let record = back.fire(blinker::Start).unwrap();
    assert_eq!(record.to, blinker::State::LedOff);
    let again = DurableMachine::<Blinker, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!((again.seq(), again.state()), (4, blinker::State::LedOff));

    // Move 4 rewritten to enter `LedOn`, the first entry: not what the
    // memory of move 3 resumes.
    raw(&format!(
        "UPDATE typestep_moves SET to_state = 'LedOn' WHERE seq = 4 AND component = 'Blinker' AND id = '{id}'; \
         UPDATE typestep_machines SET state = 'LedOn' WHERE component = 'Blinker' AND id = '{id}'"
    ));
    match DurableMachine::<Blinker, dyn Store>::load(&*store, &id) {
        Err(StoreError::Corrupt { reason, .. }) => {
            assert!(
                reason.contains("move 4 `Idle -> LedOn on Start` is not a declared transition"),
                "{reason}"
            );
        }
        other => panic!("loaded a rewritten move: {:?}", other.map(|m| m.state())),
    }
}

/// 8 threads (each with its own connection) fire at one id: every move
/// number is taken exactly once; the losers get `Conflict` and an unchanged
/// machine; reloading and retrying works.
pub fn eight_writers(open: Open<'_>, _raw: Raw<'_>) {
    const WRITERS: usize = 8;
    const TOTAL: u64 = 120;
    let id = fresh("eight");
    DurableMachine::create(&*open(opts()), &id, Toggle { n: 0 }).unwrap();
    let barrier = Barrier::new(WRITERS);
    let results: Vec<(Vec<u64>, u64, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|_| {
                let barrier = &barrier;
                let id = &id;
                s.spawn(move || {
                    let store = open(opts());
                    let mut won = Vec::new();
                    let mut conflicts = 0u64;
                    // Round one: all load at move 0, then all fire.
                    let mut m = DurableMachine::<Toggle, dyn Store>::load(&*store, id).unwrap();
                    barrier.wait();
                    let first_won = match m.fire(toggle::Event::Flip) {
                        Ok(r) => {
                            won.push(r.seq);
                            true
                        }
                        Err(e) => {
                            match &e {
                                DurableError::Store(StoreError::Conflict {
                                    expected,
                                    found,
                                    ..
                                }) => {
                                    assert_eq!((*expected, *found), (0, 1));
                                }
                                other => panic!("unexpected {other}"),
                            }
                            // Unchanged in memory.
                            assert_eq!((m.state(), m.data().n, m.seq()), (toggle::State::A, 0, 0));
                            conflicts += 1;
                            false
                        }
                    };
                    barrier.wait();
                    loop {
                        m.reload().unwrap();
                        if m.seq() >= TOTAL {
                            break;
                        }
                        let before = (m.state(), m.data().n);
                        match m.fire(Toggle::next(m.state())) {
                            Ok(r) => won.push(r.seq),
                            Err(e) if e.is_conflict() => {
                                assert_eq!((m.state(), m.data().n), before);
                                conflicts += 1;
                            }
                            Err(e) => panic!("unexpected {e}"),
                        }
                    }
                    (won, conflicts, first_won)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let first_winners = results.iter().filter(|r| r.2).count();
    assert_eq!(first_winners, 1, "exactly one writer wins move 1");
    let mut all: Vec<u64> = results.iter().flat_map(|r| r.0.iter().copied()).collect();
    all.sort_unstable();
    let expected: Vec<u64> = (1..=TOTAL).collect();
    assert_eq!(all, expected, "every move number taken exactly once");
    let conflicts: u64 = results.iter().map(|r| r.1).sum();
    assert!(conflicts >= (WRITERS as u64 - 1));
    let store = open(opts());
    let m = DurableMachine::<Toggle, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!((m.seq(), m.data().n), (TOTAL, TOTAL));
    println!("eight writers: {TOTAL} moves, {conflicts} conflicts");
}

/// Plants one hostile change with `raw` on a fresh 2-move machine and
/// expects the load to fail with `Corrupt` (or, where `any_error`, any error).
fn hostile_case(
    open: Open<'_>,
    raw: Raw<'_>,
    options: Options,
    what: &str,
    sql: &dyn Fn(&str) -> String,
    any_error: bool,
) {
    let store = open(opts());
    let id = fresh("hostile");
    let mut m = DurableMachine::create(&*store, &id, Toggle { n: 0 }).unwrap();
    m.fire(toggle::Flip).unwrap();
    m.fire(toggle::Flop).unwrap();
    raw(&sql(&id));
    let store = open(options);
    let result = DurableMachine::<Toggle, dyn Store>::load(&*store, &id);
    match result {
        Err(StoreError::Corrupt { reason, .. }) => println!("hostile {what}: refused: {reason}"),
        Err(e) if any_error => println!("hostile {what}: refused: {e}"),
        Err(e) => panic!("hostile {what}: wrong error {e}"),
        Ok(m) => panic!("hostile {what}: loaded {:?}", (m.state(), m.seq())),
    }
}

/// Hostile or corrupt rows are refused with an error, never a panic or a
/// huge allocation.
pub fn hostile_rows(open: Open<'_>, raw: Raw<'_>) {
    let m = "typestep_machines";
    let mv = "typestep_moves";
    let w = |id: &str| format!("component = 'Toggle' AND id = '{id}'");
    type Case<'a> = (&'a str, Box<dyn Fn(&str) -> String>);
    let cases: Vec<Case<'_>> = vec![
        (
            "undeclared state",
            Box::new(move |id| format!("UPDATE {m} SET state = 'Nope' WHERE {}", w(id))),
        ),
        (
            "negative seq",
            Box::new(move |id| format!("UPDATE {m} SET seq = -1 WHERE {}", w(id))),
        ),
        (
            "seq past history",
            Box::new(move |id| format!("UPDATE {m} SET seq = 9223372036854775807 WHERE {}", w(id))),
        ),
        (
            "seq behind history",
            Box::new(move |id| format!("UPDATE {m} SET seq = 1 WHERE {}", w(id))),
        ),
        (
            "state not the last move's",
            Box::new(move |id| format!("UPDATE {m} SET state = 'B' WHERE {}", w(id))),
        ),
        (
            "undeclared edge",
            Box::new(move |id| {
                format!("UPDATE {mv} SET to_state = 'A' WHERE seq = 1 AND {}", w(id))
            }),
        ),
        (
            "undeclared event",
            Box::new(move |id| {
                format!(
                    "UPDATE {mv} SET event = 'Explode' WHERE seq = 2 AND {}",
                    w(id)
                )
            }),
        ),
        (
            "gap",
            Box::new(move |id| format!("DELETE FROM {mv} WHERE seq = 1 AND {}", w(id))),
        ),
        (
            "renumbered move",
            Box::new(move |id| format!("UPDATE {mv} SET seq = 7 WHERE seq = 2 AND {}", w(id))),
        ),
        (
            "negative duration",
            Box::new(move |id| format!("UPDATE {mv} SET took_ns = -5 WHERE seq = 2 AND {}", w(id))),
        ),
        (
            "negative time",
            Box::new(move |id| format!("UPDATE {mv} SET at_us = -5 WHERE seq = 2 AND {}", w(id))),
        ),
        (
            "broken JSON",
            Box::new(move |id| format!("UPDATE {m} SET data = '{{\"n\": ' WHERE {}", w(id))),
        ),
        (
            "wrong JSON type",
            Box::new(move |id| format!("UPDATE {m} SET data = '{{\"n\": -3}}' WHERE {}", w(id))),
        ),
        (
            "huge state name",
            Box::new(move |id| {
                format!(
                    "UPDATE {m} SET state = '{}' WHERE {}",
                    "A".repeat(5_000_000),
                    w(id)
                )
            }),
        ),
        (
            "intent at wrong move",
            Box::new(move |id| format!("UPDATE {m} SET intent_seq = 1 WHERE {}", w(id))),
        ),
        (
            "intent row missing",
            Box::new(move |id| format!("UPDATE {m} SET intent_seq = 2 WHERE {}", w(id))),
        ),
    ];
    for (what, sql) in &cases {
        hostile_case(open, raw, opts(), what, &**sql, false);
    }
    // Data over the limit is refused without being read.
    let small = Options {
        max_data_bytes: 64,
        ..Options::default()
    };
    hostile_case(
        open,
        raw,
        small,
        "data over the limit",
        &|id| {
            format!(
                "UPDATE {m} SET data = '{{\"n\": 0, \"pad\": \"{}\"}}' WHERE {}",
                "x".repeat(100_000),
                w(id)
            )
        },
        false,
    );
    // A row written under another component's name is not this machine.
    let store = open(opts());
    let id = fresh("hostile");
    DurableMachine::create(&*store, &id, Toggle { n: 0 }).unwrap();
    raw(&format!(
        "UPDATE {m} SET component = 'Other' WHERE {}",
        w(&id)
    ));
    assert!(matches!(
        DurableMachine::<Toggle, dyn Store>::load(&*store, &id),
        Err(StoreError::NotFound { .. })
    ));
}

/// A machine stored under another design is refused; a migration maps its
/// names; a partial migration is still refused.
pub fn design_change(open: Open<'_>, _raw: Raw<'_>) {
    assert_ne!(
        Fingerprint::of::<v1::Order>(),
        Fingerprint::of::<v2::Order>()
    );
    let store = open(opts());
    let id = fresh("design");
    let mut old = DurableMachine::create(&*store, &id, v1::Order { total: 7 }).unwrap();
    old.fire(v1::order::Pay).unwrap();
    let err = DurableMachine::<v2::Order, dyn Store>::load(&*store, &id).unwrap_err();
    let stored = match &err {
        StoreError::DesignChanged {
            stored, current, ..
        } => {
            assert_eq!(stored, &Fingerprint::of::<v1::Order>().to_string());
            assert_eq!(current, &Fingerprint::of::<v2::Order>().to_string());
            stored.clone()
        }
        other => panic!("expected DesignChanged, got {other}"),
    };
    assert!(err.to_string().contains("declare a Migration"), "{err}");
    // A migration for some other design does not apply.
    let elsewhere = Migration::new().from_design("fnv1a64:0000000000000000");
    assert!(matches!(
        DurableMachine::<v2::Order, dyn Store>::load_migrating(&*store, &id, &elsewhere),
        Err(StoreError::DesignChanged { .. })
    ));
    // Renaming only the state leaves the stored event undeclared: the
    // migration is checked before anything is rewritten, and refused...
    let partial = Migration::new()
        .from_design(stored.clone())
        .rename_state("Paid", "Charged");
    let second = fresh("design");
    let mut other = DurableMachine::create(&*store, &second, v1::Order { total: 1 }).unwrap();
    other.fire(v1::order::Pay).unwrap();
    let refused =
        DurableMachine::<v2::Order, dyn Store>::load_migrating(&*store, &second, &partial)
            .unwrap_err();
    assert!(
        matches!(&refused, StoreError::MigrationIncomplete { reason, .. } if reason.contains("Pay")),
        "{refused}"
    );
    // ...leaving the store as it was: the old design still loads it, and a
    // corrected migration still can.
    let untouched = DurableMachine::<v1::Order, dyn Store>::load(&*store, &second).unwrap();
    assert_eq!(untouched.state(), v1::order::State::Paid);
    let corrected = Migration::new()
        .from_design(stored.clone())
        .rename_state("Paid", "Charged")
        .rename_event("Pay", "Charge");
    let fixed =
        DurableMachine::<v2::Order, dyn Store>::load_migrating(&*store, &second, &corrected)
            .unwrap();
    assert_eq!(fixed.state(), v2::order::State::Charged);
    // ...while the full mapping loads, and rewrites the store for good.
    let full = Migration::new()
        .from_design(stored)
        .rename_state("Paid", "Charged")
        .rename_event("Pay", "Charge");
    let mut new =
        DurableMachine::<v2::Order, dyn Store>::load_migrating(&*store, &id, &full).unwrap();
    assert_eq!(
        (new.state(), new.seq(), new.data().total),
        (v2::order::State::Charged, 1, 7)
    );
    new.fire(v2::order::Ship).unwrap();
    let plain = DurableMachine::<v2::Order, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(plain.state(), v2::order::State::Shipped);
    let history = moves::<v2::Order>(&*store, &id, 0, 10).unwrap();
    assert_eq!(history[0].event(), Some(v2::order::Event::Charge));
    assert_eq!(history[0].to, v2::order::State::Charged);
    // And the old design is now the refused one.
    assert!(matches!(
        DurableMachine::<v1::Order, dyn Store>::load(&*store, &id),
        Err(StoreError::DesignChanged { .. })
    ));
}

/// The history reads back page by page, in order, complete.
pub fn paging(open: Open<'_>, _raw: Raw<'_>) {
    let store = open(opts());
    let id = fresh("paging");
    let mut m = DurableMachine::create(&*store, &id, Toggle { n: 0 }).unwrap();
    for _ in 0..25 {
        m.fire(Toggle::next(m.state())).unwrap();
    }
    let mut after = 0;
    let mut sizes = Vec::new();
    let mut state = toggle::State::A;
    loop {
        let page = m.moves(after, 10).unwrap();
        if page.is_empty() {
            break;
        }
        sizes.push(page.len());
        for record in &page {
            assert_eq!(record.seq, after + 1);
            assert_eq!(record.from, state);
            state = record.to;
            after = record.seq;
        }
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(state, m.state());
    assert!(moves::<Toggle>(&*store, &id, 25, 10).unwrap().is_empty());
    assert!(moves::<Toggle>(&*store, "nobody", 0, 10)
        .unwrap()
        .is_empty());
}

/// A move with an outside effect commits an intent first and closes it
/// with the move; a refused action removes it; a crash's open intent is
/// resolved exactly once on load (recovery event, or re-run), not before
/// the lease; while open, moves are refused.
pub fn intents_resolve(open: Open<'_>, _raw: Raw<'_>) {
    let store = open(no_lease());
    let fresh_payment = |refuse: bool| Payment {
        charges: 0,
        reconciled: 0,
        refuse,
        rerun: false,
    };
    // A normal durable move.
    let id = fresh("intent");
    let mut p = DurableMachine::create(&*store, &id, fresh_payment(false)).unwrap();
    p.fire(payment::Charge).unwrap();
    let log = intents::<Payment>(&*store, &id, 0, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0].resolved.as_ref().map(|r| r.1.as_str()),
        Some("moved")
    );
    // A refused action leaves no intent, and a later move works.
    let id = fresh("intent");
    let mut p = DurableMachine::create(&*store, &id, fresh_payment(true)).unwrap();
    assert!(matches!(
        p.fire(payment::Charge),
        Err(DurableError::Refused(FireError::ActionFailed { .. }))
    ));
    assert!(intents::<Payment>(&*store, &id, 0, 10).unwrap().is_empty());
    p.fire(payment::Fail).unwrap();

    // A crash after the intent: plant it as the writer would have.
    let id = fresh("intent");
    let mut p = DurableMachine::create(&*store, &id, fresh_payment(false)).unwrap();
    p.fire(payment::Charge).unwrap();
    p.fire(payment::Refund).unwrap();
    let key = Key {
        component: "Payment",
        id: &id,
    };
    let now = 1_700_000_000_000_000;
    assert_eq!(
        store.open_intent(key, 2, "Charge", "Open", now).unwrap(),
        Written::Done
    );
    // A second open intent is refused.
    assert_eq!(
        store.open_intent(key, 2, "Charge", "Open", now).unwrap(),
        Written::IntentOpen { seq: 2 }
    );
    // Within the lease, the load does not resolve it and moves are refused.
    let leased = open(Options {
        intent_lease: Duration::from_secs(3600 * 24 * 365 * 100),
        ..Options::default()
    });
    let mut waiting = DurableMachine::<Payment, dyn Store>::load(&*leased, &id).unwrap();
    assert_eq!(waiting.pending_intent().map(|i| i.seq), Some(2));
    assert!(matches!(
        waiting.fire(payment::Fail),
        Err(DurableError::Store(StoreError::IntentOpen { seq: 2, .. }))
    ));
    // The stale machine `p` (loaded before the intent) is refused too.
    assert!(p.fire(payment::Fail).is_err());
    // After the lease: resolved by the recovery event, once.
    let resolved = DurableMachine::<Payment, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(
        (resolved.seq(), resolved.state()),
        (3, payment::State::Charged)
    );
    assert_eq!(
        (resolved.data().charges, resolved.data().reconciled),
        (1, 1)
    );
    let again = DurableMachine::<Payment, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(again.seq(), 3);
    let log = intents::<Payment>(&*store, &id, 0, 10).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[1].resolved.as_ref().map(|r| r.1.as_str()),
        Some("recovered")
    );
    let history = moves::<Payment>(&*store, &id, 2, 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].event(), Some(payment::Event::Reconcile));
    // The waiting machine, stale, conflicts; reloaded it moves.
    assert!(waiting.fire(payment::Refund).is_err());
    waiting.reload().unwrap();
    waiting.fire(payment::Refund).unwrap();

    // Two loaders race to resolve one open intent: exactly one resolves it.
    let id = fresh("intent");
    DurableMachine::create(&*store, &id, fresh_payment(false)).unwrap();
    let key = Key {
        component: "Payment",
        id: &id,
    };
    assert_eq!(
        store.open_intent(key, 0, "Charge", "Open", now).unwrap(),
        Written::Done
    );
    let outcomes: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let id = &id;
                s.spawn(move || {
                    let store = open(no_lease());
                    DurableMachine::<Payment, dyn Store>::load(&*store, id).is_ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(outcomes.iter().any(|ok| *ok));
    let m = DurableMachine::<Payment, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!((m.seq(), m.data().reconciled), (1, 1));

    // Re-run (idempotent) resolution: `recover` picks it at move >= 1000,
    // planted directly (a 1000-move history is not needed to test it; the
    // chain is built by hand below).
    let id = fresh("intent");
    let mut p = DurableMachine::create(&*store, &id, fresh_payment(false)).unwrap();
    for _ in 0..500 {
        p.fire(payment::Charge).unwrap();
        p.fire(payment::Refund).unwrap();
    }
    let key = Key {
        component: "Payment",
        id: &id,
    };
    assert_eq!(
        store.open_intent(key, 1000, "Charge", "Open", now).unwrap(),
        Written::Done
    );
    let m = DurableMachine::<Payment, dyn Store>::load(&*store, &id).unwrap();
    assert_eq!(
        (m.seq(), m.data().charges, m.data().reconciled),
        (1001, 501, 0)
    );
    let log = intents::<Payment>(&*store, &id, 1000, 10).unwrap();
    assert_eq!(
        log[0].resolved.as_ref().map(|r| r.1.as_str()),
        Some("rerun")
    );
}

/// One suite test.
pub type SuiteTest = fn(Open<'_>, Raw<'_>);

/// Every suite test, by name.
pub const SUITE: &[(&str, SuiteTest)] = &[
    ("round_trip", round_trip),
    ("history_memory", history_memory),
    ("eight_writers", eight_writers),
    ("hostile_rows", hostile_rows),
    ("design_change", design_change),
    ("paging", paging),
    ("intents_resolve", intents_resolve),
];

/// Moves numbers in `won` lists: each of `1..=total` exactly once.
pub fn exactly_once(won: &[u64], total: u64) -> Result<(), String> {
    let set: BTreeSet<u64> = won.iter().copied().collect();
    if set.len() != won.len() {
        return Err(format!("a move number was taken twice: {won:?}"));
    }
    if set != (1..=total).collect() {
        return Err(format!("move numbers taken: {set:?}, expected 1..={total}"));
    }
    Ok(())
}
