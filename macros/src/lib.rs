//! Derive macros of [typestep](https://docs.rs/typestep). Use them through the
//! `typestep` crate, which re-exports them with the runtime they expand to.
//!
//! The crate is organised in phases, one module each: `attr` parses the
//! attributes into a typed model that keeps every span, `check` validates the
//! model as a graph (petgraph) and collects every error in a `ctxt::Ctxt`,
//! and `expand` generates code, including fallback code for the valid parts
//! when there are errors, so one mistake gives one error.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod component;
mod ctxt;
mod graph;
mod name;
mod suggest;
mod system;

#[cfg(test)]
mod shapes;

/// Derives `typestep::Component`: typestate handles, the run-time transition
/// table and diagrams, from `#[component(...)]` and `#[transition(...)]`.
/// `#[state(Name, initial = Child, history, entry = path, exit = path)]`
/// configures a state of nested `states(A, B(C, D))`; with `history`, a
/// transition into the superstate resumes the child it was last left from.
/// `entry = async path` (or `exit`) names an `async fn`: the moves that run
/// it are async moves.
/// One `#[transition(...)]` may hold several transitions separated by `;`:
/// rustc spends one level of its recursion limit (128) per helper attribute,
/// so a large machine keeps to a few attributes.
#[proc_macro_derive(Component, attributes(component, transition, state))]
pub fn derive_component(input: TokenStream) -> TokenStream {
    component::expand(input.into()).into()
}

/// Derives `typestep::System` on the struct that holds a system's parts:
/// the validated dependency graph (init order, cleanup plan), a typestate
/// builder, and compile-time lock ordering, from `#[depends_on(...)]` on the
/// fields and `#[system(lock_order(...))]` on the struct.
#[proc_macro_derive(System, attributes(system, depends_on))]
pub fn derive_system(input: TokenStream) -> TokenStream {
    system::expand(input.into()).into()
}
