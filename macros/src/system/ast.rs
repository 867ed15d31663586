//! The parsed declaration of a system, with every span kept.

use syn::{Ident, Type, Visibility};

/// Everything `#[derive(System)]` read from one struct.
pub struct Declaration {
    /// The system type's name.
    pub ident: Ident,
    pub vis: Visibility,
    /// The generated module's name (snake_case of `ident`, or
    /// `module = ...`); `None` when no valid name exists (already reported).
    pub module: Option<Ident>,
    /// The fields, in declaration order.
    pub parts: Vec<Part>,
    /// Each chain of `lock_order(a -> b -> c, ...)` as written.
    pub lock_chains: Vec<Vec<Ident>>,
}

/// One field of the system struct: a part.
pub struct Part {
    pub ident: Ident,
    pub ty: Type,
    /// The names in its `#[depends_on(...)]` attributes, as written.
    pub depends_on: Vec<Ident>,
}
