//! The design fingerprint of a component, and migrations between designs.

use core::fmt;
use std::hash::Hasher;

use fnv::FnvHasher;
use typestep_core::{Component, Label};

/// A stable hash of a component's declared design: its state names, initial
/// and terminal states, transitions (`from -> to on event`) and superstates
/// with `history` (when there are any).
///
/// It is computed from the table the derive already generates
/// ([`Label::ALL`], [`Component::INITIAL`], [`Component::TERMINAL`],
/// [`Component::TRANSITIONS`]), so no derive change is needed. Names are
/// sorted first: reordering declarations keeps the fingerprint; adding,
/// removing or renaming a state or transition changes it. Guards and
/// actions are not part of it (they do not change which stored rows are
/// valid). The hash is 64-bit FNV-1a, written as `fnv1a64:` and 16 hex digits.
///
/// ```
/// use typestep::prelude::*;
/// use typestep::store::Fingerprint;
///
/// #[derive(Component)]
/// #[component(states(Off, On), initial = Off)]
/// #[transition(Off -> On on Press)]
/// #[transition(On -> Off on Press)]
/// struct Lamp;
///
/// let fp = Fingerprint::of::<Lamp>();
/// assert_eq!(fp, Fingerprint::of::<Lamp>());
/// assert!(fp.to_string().starts_with("fnv1a64:"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// The fingerprint of `C`'s declared design.
    pub fn of<C: Component>() -> Self {
        let mut states: Vec<&str> = C::State::ALL.iter().map(|s| s.name()).collect();
        states.sort_unstable();
        let mut terminal: Vec<&str> = C::TERMINAL.iter().map(|s| s.name()).collect();
        terminal.sort_unstable();
        let mut edges: Vec<[&str; 3]> = C::TRANSITIONS
            .iter()
            .map(|t| [t.from.name(), t.event.name(), t.to.name()])
            .collect();
        edges.sort_unstable();
        let mut h = FnvHasher::default();
        let mut put = |s: &str| {
            // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
            h.write(&(s.len() as u64).to_le_bytes());
            h.write(s.as_bytes());
        };
        put("states");
        states.iter().for_each(|s| put(s));
        put("initial");
        put(C::INITIAL.name());
        put("terminal");
        terminal.iter().for_each(|s| put(s));
        put("transitions");
        for edge in &edges {
            edge.iter().for_each(|s| put(s));
        }
        // Superstates with `history` change where stored moves lead; left
        // out when there are none, so that older fingerprints stay as they were.
        if !C::HISTORY.is_empty() {
            let mut history: Vec<&str> = C::HISTORY
                .iter()
                .filter_map(|&s| C::NESTING.get(s).map(|n| n.name))
                .collect();
            history.sort_unstable();
            put("history");
            history.iter().for_each(|s| put(s));
        }
        Fingerprint(h.finish())
    }

    /// The 64-bit hash.
    pub fn value(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fnv1a64:{:016x}", self.0)
    }
}

/// How to read machines stored under an older design: old state and event
/// names mapped to new ones.
///
/// Loading with a migration first checks that the renamed machine is valid
/// under the new design (its state, every move of its chain and an open
/// intent): a migration that misses a name is refused with
/// [`MigrationIncomplete`](crate::StoreError::MigrationIncomplete) and the
/// store is left as it was. Then it rewrites the stored machine and its moves
/// in one transaction (names renamed, the new fingerprint stored) and loads
/// it like any load.
///
/// ```
/// use typestep::store::Migration;
///
/// let m = Migration::new()
///     .from_design("fnv1a64:0123456789abcdef")
///     .rename_state("Paid", "Charged")
///     .rename_event("Pay", "Charge");
/// assert_eq!(m.state("Paid"), "Charged");
/// assert_eq!(m.state("Shipped"), "Shipped");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Migration {
    from: Option<String>,
    states: Vec<(String, String)>,
    events: Vec<(String, String)>,
}

impl Migration {
    /// A migration that renames nothing and applies to any older design.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies only to machines stored under this fingerprint (as written
    /// by [`Fingerprint`]'s `Display`, or in a
    /// [`DesignChanged`](crate::StoreError::DesignChanged) error).
    pub fn from_design(mut self, fingerprint: impl Into<String>) -> Self {
        self.from = Some(fingerprint.into());
        self
    }

    /// Maps the stored state name `old` to `new`.
    pub fn rename_state(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.states.push((old.into(), new.into()));
        self
    }

    /// Maps the stored event name `old` to `new`.
    pub fn rename_event(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.events.push((old.into(), new.into()));
        self
    }

    /// Whether this migration applies to a machine stored under `design`.
    pub fn applies_to(&self, design: &str) -> bool {
        self.from.as_deref().is_none_or(|from| from == design)
    }

    /// The new name of stored state `old`.
    pub fn state<'a>(&'a self, old: &'a str) -> &'a str {
        rename(&self.states, old)
    }

    /// The new name of stored event `old`.
    pub fn event<'a>(&'a self, old: &'a str) -> &'a str {
        rename(&self.events, old)
    }

    /// The state renames, old to new.
    pub fn state_renames(&self) -> &[(String, String)] {
        &self.states
    }

    /// The event renames, old to new.
    pub fn event_renames(&self) -> &[(String, String)] {
        &self.events
    }
}

fn rename<'a>(map: &'a [(String, String)], old: &'a str) -> &'a str {
    map.iter()
        .find(|(o, _)| o == old)
        .map_or(old, |(_, n)| n.as_str())
}
