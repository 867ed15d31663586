//! Error collection: every independent mistake is reported in one build.
//!
//! Like serde_derive's `Ctxt`, the collector must be consumed: its errors go
//! out through [`Ctxt::into_compile_errors`] (or, in tests,
//! [`Ctxt::into_messages`]). Dropping it with its errors still inside would
//! lose a user's mistake silently, so in debug builds (tests included) that
//! drop panics, and a code path that forgets the errors fails its tests.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt::Display;

/// Collects spanned errors while a derive is parsed and checked, so that all
/// independent mistakes are reported together (serde_derive's `Ctxt`).
pub struct Ctxt {
    /// `None` once the errors were taken out.
    errors: Option<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: Some(Vec::new()),
        }
    }

    fn push(&mut self, error: syn::Error) {
        // After the errors were taken the collector is gone by value, so
        // `errors` is always `Some` here; `get_or_insert_with` keeps it total.
        self.errors.get_or_insert_with(Vec::new).push(error);
    }

    /// Records an error spanning `tokens`.
    pub fn error_spanned_by<T: ToTokens, M: Display>(&mut self, tokens: T, message: M) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub fn error_at<M: Display>(&mut self, span: proc_macro2::Span, message: M) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an existing error.
    pub fn syn_error(&mut self, error: syn::Error) {
        self.push(error);
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn has_errors(&self) -> bool {
        self.errors
            .as_ref()
            .is_some_and(|errors| !errors.is_empty())
    }

    /// Takes the errors out, disarming the drop check.
    fn take(mut self) -> Vec<syn::Error> {
        self.errors.take().unwrap_or_default()
    }

    /// The messages collected (for tests); consumes the collector.
    #[cfg(test)]
    pub fn into_messages(self) -> Vec<String> {
        self.take().iter().map(|e| e.to_string()).collect()
    }

    /// All errors as `compile_error!` invocations; consumes the collector.
    pub fn into_compile_errors(self) -> TokenStream {
        self.take()
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // A bug in the derive, never the user's mistake: only debug builds
        // (and so the tests) check it, and never while already unwinding.
        if cfg!(debug_assertions) && !std::thread::panicking() {
            if let Some(errors) = &self.errors {
                assert!(
                    errors.is_empty(),
                    "Ctxt dropped with {} unreported error(s): {}",
                    errors.len(),
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumed_errors_do_not_trip_the_guard() {
        let mut cx = Ctxt::new();
        cx.error_at(proc_macro2::Span::call_site(), "one");
        assert!(cx.has_errors());
        assert_eq!(cx.into_messages(), ["one"]);

        let mut cx = Ctxt::new();
        cx.error_at(proc_macro2::Span::call_site(), "two");
        assert!(!cx.into_compile_errors().is_empty());

        // A collector without errors may simply be dropped.
        drop(Ctxt::new());
    }

    #[test]
    #[should_panic(expected = "Ctxt dropped with 1 unreported error(s): lost")]
    fn dropping_unreported_errors_is_caught() {
        let mut cx = Ctxt::new();
        cx.error_at(proc_macro2::Span::call_site(), "lost");
        drop(cx);
    }
}
