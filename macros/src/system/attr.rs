//! Parsing of `#[system(...)]` and `#[depends_on(...)]` into a
//! [`Declaration`]. A malformed item is reported and skipped, so the rest of
//! the declaration is still read and checked.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Data, DeriveInput, Fields, Ident, Token, Type};

use super::ast::{Declaration, Part};
use crate::ctxt::Ctxt;
use crate::name;
use crate::suggest::did_you_mean;

const SYSTEM_KEYS: &[&str] = &["lock_order", "module"];

/// Reads the system declaration from the derive input, recording every
/// syntax error in `cx`.
pub fn parse(cx: &mut Ctxt, input: &DeriveInput) -> Declaration {
    let mut decl = Declaration {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        module: None,
        parts: Vec::new(),
        has_named_fields: false,
        lock_chains: Vec::new(),
    };
    let mut module_override = None;

    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            format_args!(
                "`#[derive(System)]` does not support generic parameters on `{}`: name the concrete part types",
                input.ident
            ),
        );
    }

    for attr in &input.attrs {
        if !attr.path().is_ident("system") {
            continue;
        }
        match attr.meta.require_list() {
            Ok(list) => {
                let parser = |stream: ParseStream| {
                    parse_system_items(cx, &mut decl, &mut module_override, stream);
                    Ok(())
                };
                if let Err(error) = parser.parse2(list.tokens.clone()) {
                    cx.syn_error(error);
                }
            }
            Err(_) => cx.error_spanned_by(
                attr,
                "expected `#[system(lock_order(a -> b -> c))]` or `#[system(module = name)]`",
            ),
        }
    }

    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                decl.has_named_fields = true;
                for field in &fields.named {
                    if field.ident.as_ref().is_some_and(|ident| ident == "_") {
                        // An unnamed field (unstable Rust): no part to
                        // build or lock, so nothing is generated.
                        decl.has_named_fields = false;
                        cx.error_spanned_by(
                            &field.ident,
                            format_args!(
                                "each part of `{}` needs a name: `_` cannot be built, locked or depended on",
                                input.ident
                            ),
                        );
                        continue;
                    }
                    if let Some(ident) = &field.ident {
                        decl.parts.push(Part {
                            ident: ident.clone(),
                            ty: without_self(&field.ty, &input.ident),
                            depends_on: parse_depends_on(cx, &field.attrs),
                        });
                    }
                }
            }
            _ => cx.error_at(
                input.ident.span(),
                format_args!(
                    "`#[derive(System)]` needs named fields, one per part: `struct {} {{ pool: ResourcePool, ... }}`",
                    input.ident
                ),
            ),
        },
        _ => cx.error_at(
            input.ident.span(),
            format_args!(
                "`#[derive(System)]` needs a struct whose named fields are the parts; `{}` is not a struct",
                input.ident
            ),
        ),
    }

    decl.module = match module_override {
        Some(module) => Some(module),
        None => name::default_module(
            cx,
            &input.ident,
            "module",
            "system",
            "system",
            "system_parts",
        )
        .ok(),
    };
    decl
}

/// `ty` with every `Self` replaced by the system's name: the part types are
/// also written in the builder's impl, where `Self` is the builder.
fn without_self(ty: &Type, system: &Ident) -> Type {
    fn replace(tokens: TokenStream, system: &Ident) -> TokenStream {
        tokens
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Ident(ident) if ident == "Self" => {
                    let mut renamed = system.clone();
                    renamed.set_span(ident.span());
                    TokenTree::Ident(renamed)
                }
                TokenTree::Group(group) => {
                    let mut inner = Group::new(group.delimiter(), replace(group.stream(), system));
                    inner.set_span(group.span());
                    TokenTree::Group(inner)
                }
                other => other,
            })
            .collect()
    }
    syn::parse2(replace(ty.to_token_stream(), system)).unwrap_or_else(|_| ty.clone())
}

/// The names of every `#[depends_on(a, b)]` on a field.
fn parse_depends_on(cx: &mut Ctxt, attrs: &[syn::Attribute]) -> Vec<Ident> {
    let mut names = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("depends_on") {
            continue;
        }
        let parsed = attr.meta.require_list().and_then(|list| {
            Punctuated::<Ident, Token![,]>::parse_terminated.parse2(list.tokens.clone())
        });
        match parsed {
            Ok(list) => names.extend(list),
            Err(_) => cx.error_spanned_by(
                attr,
                "expected `#[depends_on(part, ...)]`: the names of other fields of this system",
            ),
        }
    }
    names
}

/// Parses the comma-separated items of one `#[system(...)]`.
fn parse_system_items(
    cx: &mut Ctxt,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    stream: ParseStream,
) {
    while !stream.is_empty() {
        if let Err(error) = parse_system_item(cx, decl, module, stream) {
            cx.syn_error(error);
            skip_past_comma(stream);
            continue;
        }
        if stream.is_empty() {
            break;
        }
        if let Err(error) = stream.parse::<Token![,]>() {
            cx.syn_error(error);
            skip_past_comma(stream);
        }
    }
}

fn parse_system_item(
    cx: &mut Ctxt,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    stream: ParseStream,
) -> syn::Result<()> {
    use syn::ext::IdentExt;
    let key = Ident::parse_any(stream)
        .map_err(|_| stream.error("expected `lock_order(...)` or `module = name`"))?;
    match key.to_string().as_str() {
        "lock_order" => {
            if !stream.peek(syn::token::Paren) {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `lock_order(a -> b -> c)`: chains of part names, locked left to right",
                ));
            }
            let content;
            syn::parenthesized!(content in stream);
            match Punctuated::<Chain, Token![,]>::parse_terminated(&content) {
                Ok(chains) => decl
                    .lock_chains
                    .extend(chains.into_iter().map(|chain| chain.0)),
                Err(error) => {
                    // The error covers the list: consume the rest of it, so
                    // syn adds no second "expected `)`" error.
                    while content.parse::<TokenTree>().is_ok() {}
                    return Err(error);
                }
            }
        }
        "module" => {
            if !stream.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `module = name` in `#[system(...)]`, as in `module = monitoring_parts`",
                ));
            }
            stream.parse::<Token![=]>()?;
            if !stream.peek(Ident) {
                return Err(stream.error(
                    "expected a module name after `module =`, as in `module = monitoring_parts` (a keyword cannot name a module)",
                ));
            }
            let name: Ident = stream.parse()?;
            if name::unraw(&name) == name::unraw(&decl.ident) {
                cx.error_spanned_by(
                    &name,
                    format_args!(
                        "the module of `{0}` cannot be named `{0}` like the struct itself: a module and a struct \
                         share one namespace; name it, for example, `module = {1}`",
                        decl.ident,
                        name::module_suggestion(&decl.ident, "system", "system_parts"),
                    ),
                );
            } else if module.is_some() {
                cx.error_spanned_by(&name, "`module` is declared more than once");
            } else {
                *module = Some(name);
            }
        }
        other => {
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown key `{other}` in `#[system(...)]`: expected `lock_order(...)` or `module = name`{}",
                    did_you_mean(other, SYSTEM_KEYS.iter().copied())
                ),
            ))
        }
    }
    Ok(())
}

/// `a -> b -> c`.
struct Chain(Vec<Ident>);

impl syn::parse::Parse for Chain {
    fn parse(stream: ParseStream) -> syn::Result<Self> {
        /// A part name, or an error saying one was expected.
        fn part(stream: ParseStream, after: &str) -> syn::Result<Ident> {
            if stream.peek(Ident) {
                return stream.parse();
            }
            Err(stream.error(format!(
                "expected the name of a part {after}in `lock_order(...)`, as in `lock_order(a -> b -> c)`"
            )))
        }
        let mut names = vec![part(stream, "")?];
        while stream.peek(Token![->]) {
            stream.parse::<Token![->]>()?;
            names.push(part(stream, "after `->` ")?);
        }
        if !stream.is_empty() && !stream.peek(Token![,]) {
            let last = names.last().map(crate::name::unraw).unwrap_or_default();
            let found = stream
                .cursor()
                .token_tree()
                .map_or_else(String::new, |(tree, _)| format!(", found `{tree}`"));
            return Err(stream.error(format!(
                "expected `->` and the next part after `{last}`, or `,` before the next chain{found}: \
                 write chains as in `lock_order(a -> b, a -> c)`"
            )));
        }
        Ok(Chain(names))
    }
}

/// Skips token trees up to and including the next top-level comma.
fn skip_past_comma(stream: ParseStream) {
    while !stream.is_empty() && !stream.peek(Token![,]) {
        if stream.parse::<TokenTree>().is_err() {
            break;
        }
    }
    let _ = stream.parse::<Option<Token![,]>>();
}
