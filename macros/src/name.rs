//! Names as the user wrote them: `r#x` and `x` are one name, printed `x`,
//! and names derived from them (modules, generated types) are valid,
//! non-keyword identifiers.

use std::fmt;

use heck::ToSnakeCase;
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::Ident;

use crate::ctxt::Ctxt;

/// A state, event or part name: generates as its identifier (raw only when
/// it must be, for a keyword), compares and prints without `r#`.
#[derive(Clone)]
pub struct Name(Ident);

impl Name {
    /// `ident`, with a needless `r#` dropped (`r#Ready` is `Ready`).
    pub fn new(ident: Ident) -> Self {
        Name(plain(&ident))
    }

    pub fn ident(&self) -> &Ident {
        &self.0
    }

    pub fn span(&self) -> Span {
        self.0.span()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.unraw(), f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl ToTokens for Name {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.0.to_tokens(tokens);
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.0.unraw() == other.0.unraw()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0.unraw() == other
    }
}

/// The name without `r#`.
pub fn unraw(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// Whether `text` is an identifier that needs no `r#` (not a keyword).
pub fn is_plain_ident(text: &str) -> bool {
    syn::parse_str::<Ident>(text).is_ok()
}

/// `ident` without a needless `r#`: `r#Ready` becomes `Ready`; `r#type`
/// stays raw, since `type` is a keyword.
pub fn plain(ident: &Ident) -> Ident {
    let text = unraw(ident);
    if ident.to_string().starts_with("r#") && is_plain_ident(&text) {
        Ident::new(&text, ident.span())
    } else {
        ident.clone()
    }
}

/// What to do about the snake_case module name of a type.
pub enum ModuleName {
    /// A valid name (`HttpServer` gives `http_server`; `_1A` gives `_1a`).
    Valid(Ident),
    /// The name is a keyword or empty: why, and a valid replacement.
    Invalid { problem: String, replacement: Ident },
}

/// The snake_case module name of `ident`. A name that starts with a digit
/// keeps a leading `_` (still valid); a keyword, an empty name, or the
/// type's own name (`struct worker`) is invalid, with the replacement
/// `<name>_<suffix>` (or `<fallback>`).
pub fn snake_module(ident: &Ident, suffix: &str, fallback: &str) -> ModuleName {
    let name = unraw(ident).to_snake_case();
    // A name that starts with a digit keeps a leading underscore.
    let module = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.clone()
    };
    let clashes = module == unraw(ident);
    if is_plain_ident(&module) && !clashes {
        return ModuleName::Valid(Ident::new(&module, ident.span()));
    }
    let candidate = format!("{module}_{suffix}");
    let replacement = if !name.is_empty() && is_plain_ident(&candidate) {
        candidate
    } else {
        fallback.to_owned()
    };
    let problem = if name.is_empty() {
        String::from("has no snake_case name")
    } else if clashes {
        format!("would be named `{module}` like the type itself, and a module and a type share one namespace")
    } else {
        format!("would be named `{name}`, which is a Rust keyword")
    };
    ModuleName::Invalid {
        problem,
        replacement: Ident::new(&replacement, ident.span()),
    }
}

/// The default module of the type `ident` (its snake_case name), or, when
/// that is no valid module name, the error recorded in `cx` and the valid
/// replacement it suggests: `what` names the module in the message, `attr`
/// is the attribute that names it (`component`, `system`).
pub fn default_module(
    cx: &mut Ctxt,
    ident: &Ident,
    what: &str,
    attr: &str,
    suffix: &str,
    fallback: &str,
) -> Result<Ident, Ident> {
    match snake_module(ident, suffix, fallback) {
        ModuleName::Valid(module) => Ok(module),
        ModuleName::Invalid {
            problem,
            replacement,
        } => {
            cx.error_at(
                ident.span(),
                format_args!(
                    "the {what} of `{ident}` {problem}; name it with `#[{attr}(module = {replacement})]`"
                ),
            );
            Err(replacement)
        }
    }
}

/// A replacement module name for `ident` when the one written clashes:
/// `<snake_case>_<suffix>`, or `<fallback>` when that is no identifier.
pub fn module_suggestion(ident: &Ident, suffix: &str, fallback: &str) -> String {
    let name = unraw(ident).to_snake_case();
    let candidate = format!("{}_{suffix}", name.trim_start_matches('_'));
    if !name.trim_start_matches('_').is_empty() && is_plain_ident(&candidate) {
        candidate
    } else {
        fallback.to_owned()
    }
}

/// Hands out distinct, valid identifiers in one namespace of generated
/// items: a candidate that is no identifier (`1IsVacant`, `Self`, ``) gets
/// the prefix `Part`, and one already taken gets the first free number
/// (`Buf1IsVacant2`), so generated names never collide and never panic.
pub struct Namer {
    used: std::collections::HashSet<String>,
}

impl Namer {
    /// A namespace where `reserved` are already taken.
    pub fn new(reserved: &[&str]) -> Self {
        Namer {
            used: reserved.iter().map(|&name| name.to_owned()).collect(),
        }
    }

    /// A free identifier as close to `candidate` as possible, at `span`.
    pub fn fresh(&mut self, candidate: &str, span: Span) -> Ident {
        let base = if is_plain_ident(candidate) {
            candidate.to_owned()
        } else {
            format!("Part{candidate}")
        };
        let base = if is_plain_ident(&base) {
            base
        } else {
            String::from("Part")
        };
        let mut name = base.clone();
        let mut number = 2usize;
        while !self.used.insert(name.clone()) {
            name = format!("{base}{number}");
            number += 1;
        }
        Ident::new(&name, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(text: &str) -> Ident {
        syn::parse_str::<Ident>(text)
            .or_else(|_| syn::parse_str::<Ident>(&format!("r#{text}")))
            .unwrap_or_else(|_| Ident::new(text, Span::call_site()))
    }

    #[test]
    fn raw_and_plain_are_one_name() {
        let raw = Name::new(syn::parse_str("r#Ready").expect("ident"));
        assert_eq!(raw.ident().to_string(), "Ready");
        assert!(raw == Name::new(ident("Ready")));
        let keyword = Name::new(syn::parse_str("r#type").expect("ident"));
        assert_eq!(keyword.ident().to_string(), "r#type");
        assert_eq!(keyword.to_string(), "type");
        assert!(keyword == *"type");
    }

    #[test]
    fn module_names_are_valid_identifiers() {
        let valid = |text: &str| match snake_module(&ident(text), "states", "component_states") {
            ModuleName::Valid(module) => module.to_string(),
            ModuleName::Invalid { replacement, .. } => format!("invalid, use {replacement}"),
        };
        for (name, module) in [
            ("HttpServer", "http_server"),
            ("_1A", "_1a"),
            ("_2", "invalid, use _2_states"),
            ("_2A", "_2a"),
            ("Loop", "invalid, use loop_states"),
            ("__", "invalid, use component_states"),
            ("r#type", "invalid, use type_states"),
            ("worker", "invalid, use worker_states"),
        ] {
            assert_eq!(valid(name), module, "{name}");
        }
    }

    #[test]
    fn generated_names_are_valid_and_distinct() {
        let mut namer = Namer::new(&["Builder"]);
        for (candidate, name) in [
            ("Buf1", "Buf1"),
            ("Buf1", "Buf12"),
            ("1IsVacant", "Part1IsVacant"),
            ("Self", "PartSelf"),
            ("", "Part"),
            ("Builder", "Builder2"),
            ("Buf12", "Buf122"),
        ] {
            assert_eq!(namer.fresh(candidate, Span::call_site()).to_string(), name);
        }
    }
}
