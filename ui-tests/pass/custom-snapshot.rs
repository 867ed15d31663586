//! `#[component(snapshot = ...)]`: a component that is not `Clone` names its
//! own snapshot strategy, and a failed action is rolled back through it.
use typestep::prelude::*;
use typestep::Snapshot;

/// Large data that actions never touch, and a counter they do.
#[derive(Component, Debug)]
#[component(states(Open, Closed), initial = Open, terminal(Closed), snapshot = CounterOnly)]
#[transition(Open -> Open on Write, action = Self::write)]
#[transition(Open -> Closed on Close)]
struct Journal {
    archive: Vec<u8>,
    counter: u64,
    fail: bool,
    saves: u32,
}

/// Saves only `counter`, so a failed action restores only `counter`.
struct CounterOnly;

impl Snapshot<Journal> for CounterOnly {
    type Saved = u64;
    fn save(data: &Journal) -> u64 {
        data.counter
    }
    fn restore(data: &mut Journal, saved: u64) {
        data.counter = saved;
    }
}

#[derive(Debug)]
struct Full;

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("journal full")
    }
}

impl std::error::Error for Full {}

impl Journal {
    fn write(&mut self) -> Result<(), Full> {
        self.counter += 1;
        self.saves += 1;
        if self.fail {
            Err(Full)
        } else {
            Ok(())
        }
    }
}

fn main() {
    let journal = Journal { archive: vec![0; 1024], counter: 0, fail: false, saves: 0 };
    let mut open = Typed::new(journal).fire(journal::Write).expect("writes");
    assert_eq!(open.data().counter, 1);

    open.data_mut().fail = true;
    let rejected = open.fire(journal::Write).expect_err("full");
    assert!(matches!(rejected.reason, Refusal::ActionFailed(_)));
    let open = rejected.into_handle();
    // The strategy restored `counter` and nothing else: `saves` shows that
    // the custom strategy ran, not a full clone.
    assert_eq!(open.data().counter, 1);
    assert_eq!(open.data().saves, 2);
    assert_eq!(open.data().archive.len(), 1024);

    let closed: Typed<Journal, journal::Closed> = open.fire(journal::Close);
    assert_eq!(closed.state(), journal::State::Closed);
}
