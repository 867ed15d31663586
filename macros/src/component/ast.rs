//! The parsed declaration of a component, with every span kept.

use proc_macro2::Span;
use syn::{Generics, Ident, Path, Type, Visibility};

/// Everything `#[derive(Component)]` read from one struct.
pub struct Declaration {
    /// The component type's name.
    pub ident: Ident,
    pub vis: Visibility,
    pub generics: Generics,
    /// The generated module's name (snake_case of `ident`, or `module = ...`);
    /// `None` when no valid name exists (the error is already recorded).
    pub module: Option<Ident>,
    /// `states(...)`: the `states` keyword and the listed names.
    pub states: Option<(Ident, Vec<Ident>)>,
    pub initial: Option<Ident>,
    /// `terminal(...)`; `None` when the component may run forever.
    pub terminal: Option<Vec<Ident>>,
    /// `snapshot = Type`: a custom snapshot strategy.
    pub snapshot: Option<Type>,
    pub transitions: Vec<TransitionDecl>,
    /// Where to report errors about the declaration as a whole: the first
    /// `#[component]` attribute, or the struct name when there is none.
    pub anchor: Span,
    /// Whether any `#[component]` attribute was present (its absence is
    /// reported once, not as missing states and missing initial).
    pub has_component_attr: bool,
}

/// One `#[transition(A | B -> C on E, guard = .., action = ..)]`.
pub struct TransitionDecl {
    pub from: Vec<Ident>,
    pub to: Ident,
    pub event: Ident,
    pub guard: Option<Path>,
    pub action: Option<Path>,
}
