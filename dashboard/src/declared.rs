//! A component type's declared design, read from its [`Component`] impl:
//! states, initial and terminal states, and every transition.

use typestep_core::{Component, Label};

/// One declared edge `from --event--> to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeclaredEdge {
    pub(crate) from: &'static str,
    pub(crate) event: &'static str,
    pub(crate) to: &'static str,
}

/// A component type's declared table (`Component::TRANSITIONS`, `Label::ALL`).
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    pub(crate) kind: &'static str,
    pub(crate) states: Vec<&'static str>,
    pub(crate) initial: &'static str,
    pub(crate) terminal: Vec<&'static str>,
    pub(crate) edges: Vec<DeclaredEdge>,
}

impl Declared {
    pub(crate) fn of<C: Component>() -> Self {
        Declared {
            kind: C::NAME,
            states: C::State::ALL.iter().map(|s| s.name()).collect(),
            initial: C::INITIAL.name(),
            terminal: C::TERMINAL.iter().map(|s| s.name()).collect(),
            edges: C::TRANSITIONS
                .iter()
                .map(|t| DeclaredEdge {
                    from: t.from.name(),
                    event: t.event.name(),
                    to: t.to.name(),
                })
                .collect(),
        }
    }
}
