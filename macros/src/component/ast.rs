//! The parsed declaration of a component, with every span kept.

use proc_macro2::Span;
use syn::{ExprPath, Generics, Ident, Type, Visibility};

use crate::name::Name;

/// Everything `#[derive(Component)]` read from one struct.
pub struct Declaration {
    /// The component type's name.
    pub ident: Ident,
    pub vis: Visibility,
    pub generics: Generics,
    /// The generated module's name (snake_case of `ident`, or `module = ...`).
    /// When the snake_case name is a keyword the error is recorded and a
    /// stand-in name is used, so that the rest of the crate still compiles.
    pub module: Ident,
    /// `states(...)`: the `states` keyword and every listed name, nested
    /// ones included, in the order written (a superstate before its
    /// children).
    pub states: Option<(Ident, Vec<Name>)>,
    /// For each name in `states`, the position (in `states`) of the
    /// superstate it is nested in; `None` at the top level.
    pub state_parents: Vec<Option<usize>>,
    /// Every `#[state(Name, ...)]`, in the order written.
    pub state_attrs: Vec<StateDecl>,
    pub initial: Option<Name>,
    /// `terminal(...)`: the `terminal` keyword and the listed names; `None`
    /// when the component may run forever.
    pub terminal: Option<(Ident, Vec<Name>)>,
    /// `snapshot = Type`: a custom snapshot strategy.
    pub snapshot: Option<Type>,
    pub transitions: Vec<TransitionDecl>,
    /// Where to report errors about the declaration as a whole: the first
    /// `#[component]` attribute, or the struct name when there is none.
    pub anchor: Span,
    /// Whether any `#[component]` attribute was present (its absence is
    /// reported once, not as missing states and missing initial).
    pub has_component_attr: bool,
    /// Whether a piece of `#[component(...)]` could not be read. The piece
    /// may have been meant as `states`, `initial` or `terminal`, so their
    /// absence is not reported on top of the syntax error.
    pub component_malformed: bool,
    /// Whether a `#[transition(...)]` could not be read and was dropped. The
    /// graph is then incomplete, and the checks that need all of it
    /// (reachability, can-finish) are skipped rather than guessing.
    pub transition_dropped: bool,
}

/// One `#[transition(A | B -> C on E, guard = .., action = ..)]`.
pub struct TransitionDecl {
    pub from: Vec<Name>,
    pub to: Name,
    pub event: Name,
    pub guard: Option<ExprPath>,
    pub action: Option<ExprPath>,
    /// `guard = async path`: the guard is an `async fn(&Self) -> bool`.
    pub guard_async: bool,
    /// `action = async path`: the action is an
    /// `async fn(&mut Self) -> Result<(), E>`.
    pub action_async: bool,
}

/// One `#[state(Name, initial = Leaf, history, entry = path, exit = path)]`.
pub struct StateDecl {
    pub name: Name,
    /// `initial = Leaf`: the `initial` keyword and the child entered first.
    pub initial: Option<(Ident, Name)>,
    /// `history`: re-entering resumes the last active child.
    pub history: Option<Ident>,
    pub entry: Option<Hook>,
    pub exit: Option<Hook>,
}

/// `entry = path` or `exit = path`: a `fn(&mut Self) -> Result<(), E>`,
/// or with `async` an `async fn(&mut Self) -> Result<(), E>`.
#[derive(Clone)]
pub struct Hook {
    pub path: ExprPath,
    /// `entry = async path`: awaited, so only an async move can run it.
    pub is_async: bool,
}
