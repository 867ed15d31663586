//! Error collection: every independent mistake is reported in one build.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt::Display;

/// Collects spanned errors while a derive is parsed and checked, so that all
/// independent mistakes are reported together (serde_derive's `Ctxt`).
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt::default()
    }

    /// Records an error spanning `tokens`.
    pub fn error_spanned_by<T: ToTokens, M: Display>(&mut self, tokens: T, message: M) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub fn error_at<M: Display>(&mut self, span: proc_macro2::Span, message: M) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// Records an existing error.
    pub fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The messages collected so far (for tests).
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.errors.iter().map(|e| e.to_string()).collect()
    }

    /// All errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}
