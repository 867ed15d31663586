//! `#[derive(Component)]`: parse (`attr`), validate (`check`) into the
//! checked `model`, generate (`expand`, `diagram`).

mod ast;
mod attr;
mod check;
mod diagram;
mod expand;
mod future;
mod hierarchy;
mod model;
mod nested;
mod nested_diagram;
mod nesting;
mod picture;
mod within;

use proc_macro2::TokenStream;

use crate::ctxt::Ctxt;

/// Expands `#[derive(Component)]` on `input`. Never panics: every mistake
/// becomes a spanned `compile_error!`, next to fallback code generated from
/// the valid part of the declaration.
pub fn expand(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::new();
    let declaration = attr::parse(&mut cx, &input);
    let graph = check::check(&mut cx, &declaration);
    let generated = expand::generate(&declaration, &graph);
    let errors = cx.into_compile_errors();
    quote::quote! { #generated #errors }
}

#[cfg(test)]
mod tests;
