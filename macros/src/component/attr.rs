//! Parsing of `#[component(...)]` and `#[transition(...)]` into a
//! [`Declaration`]. A malformed item is reported and skipped, so the rest of
//! the declaration is still read and checked.

use heck::ToSnakeCase;
use proc_macro2::{Span, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Path, Token};

use super::ast::{Declaration, TransitionDecl};
use crate::ctxt::Ctxt;
use crate::suggest::did_you_mean;

const COMPONENT_KEYS: &[&str] = &["states", "initial", "terminal", "module", "snapshot"];
const TRANSITION_KEYS: &[&str] = &["guard", "action"];

mod kw {
    syn::custom_keyword!(on);
}

/// Reads the component declaration from the derive input, recording every
/// syntax error in `cx`.
pub fn parse(cx: &mut Ctxt, input: &DeriveInput) -> Declaration {
    let mut decl = Declaration {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        generics: input.generics.clone(),
        module: None,
        states: None,
        initial: None,
        terminal: None,
        snapshot: None,
        transitions: Vec::new(),
        anchor: input.ident.span(),
        has_component_attr: false,
    };
    let mut module_override = None;
    let mut seen_component = false;

    for attr in &input.attrs {
        if attr.path().is_ident("component") {
            if !seen_component {
                decl.anchor = attr.path().span();
                decl.has_component_attr = true;
                seen_component = true;
            }
            match attr.meta.require_list() {
                Ok(list) => {
                    let parser = |stream: ParseStream| {
                        parse_component_items(cx, &mut decl, &mut module_override, stream);
                        Ok(())
                    };
                    if let Err(error) = parser.parse2(list.tokens.clone()) {
                        cx.syn_error(error);
                    }
                }
                Err(_) => {
                    cx.error_spanned_by(attr, "expected `#[component(states(...), initial = ...)]`")
                }
            }
        } else if attr.path().is_ident("transition") {
            match attr.meta.require_list() {
                Ok(list) => match (|stream: ParseStream| parse_transition(cx, stream))
                    .parse2(list.tokens.clone())
                {
                    Ok(Some(transition)) => decl.transitions.push(transition),
                    Ok(None) => {}
                    Err(error) => cx.syn_error(error),
                },
                Err(_) => {
                    cx.error_spanned_by(attr, "expected `#[transition(From -> To on Event)]`")
                }
            }
        }
    }

    if !seen_component {
        cx.error_at(
            input.ident.span(),
            format_args!(
                "`{}` derives `Component` but declares no states: add `#[component(states(...), initial = ...)]`",
                input.ident
            ),
        );
    }

    decl.module = match module_override {
        Some(module) => Some(module),
        None => default_module(cx, &input.ident),
    };
    decl
}

/// The snake_case module name of a component, or an error when that name is
/// a keyword.
fn default_module(cx: &mut Ctxt, ident: &Ident) -> Option<Ident> {
    let name = ident.to_string().trim_start_matches("r#").to_snake_case();
    match syn::parse_str::<Ident>(&name) {
        Ok(_) => Some(Ident::new(&name, ident.span())),
        Err(_) => {
            cx.error_at(
                ident.span(),
                format_args!(
                    "the state module of `{ident}` would be named `{name}`, which is a Rust keyword; \
                     name it with `#[component(module = {name}_states)]`"
                ),
            );
            None
        }
    }
}

/// Parses the comma-separated items of one `#[component(...)]`. An item that
/// does not parse is reported, and parsing resumes after the next comma.
fn parse_component_items(
    cx: &mut Ctxt,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    stream: ParseStream,
) {
    while !stream.is_empty() {
        if let Err(error) = parse_component_item(cx, decl, module, stream) {
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

fn parse_component_item(
    cx: &mut Ctxt,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    stream: ParseStream,
) -> syn::Result<()> {
    let key: Ident = stream.call(Ident::parse_any_key)?;
    match key.to_string().as_str() {
        "states" => {
            let names = parse_name_list(stream, &key)?;
            if decl.states.is_some() {
                cx.error_at(key.span(), "`states` is declared more than once; list every state in one `states(...)`");
            } else {
                decl.states = Some((key, names));
            }
        }
        "initial" => {
            stream.parse::<Token![=]>()?;
            let state: Ident = stream.parse()?;
            set_once(cx, &mut decl.initial, state, "initial");
        }
        "terminal" => {
            let names = parse_name_list(stream, &key)?;
            if decl.terminal.is_some() {
                cx.error_at(key.span(), "`terminal` is declared more than once; list every terminal state in one `terminal(...)`");
            } else {
                decl.terminal = Some(names);
            }
        }
        "module" => {
            stream.parse::<Token![=]>()?;
            let name: Ident = stream.parse()?;
            set_once(cx, module, name, "module");
        }
        "snapshot" => {
            stream.parse::<Token![=]>()?;
            let strategy: syn::Type = stream.parse()?;
            set_once(cx, &mut decl.snapshot, strategy, "snapshot");
        }
        other => {
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown key `{other}` in `#[component(...)]`: expected one of `states`, `initial`, `terminal`, `module`, `snapshot`{}",
                    did_you_mean(other, COMPONENT_KEYS.iter().copied())
                ),
            ))
        }
    }
    Ok(())
}

/// `(A, B, C)` after `states` or `terminal`.
fn parse_name_list(stream: ParseStream, key: &Ident) -> syn::Result<Vec<Ident>> {
    if !stream.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            format!("expected `{key}(A, B, ...)`: a parenthesised list of state names"),
        ));
    }
    let content;
    syn::parenthesized!(content in stream);
    let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
    Ok(names.into_iter().collect())
}

fn set_once<T>(cx: &mut Ctxt, slot: &mut Option<T>, value: T, key: &str)
where
    T: quote::ToTokens,
{
    if slot.is_some() {
        cx.error_spanned_by(&value, format_args!("`{key}` is declared more than once"));
    } else {
        *slot = Some(value);
    }
}

/// Parses `A | B -> C on E, guard = path, action = path`. Errors in the
/// options are recorded and the transition is still kept; errors in the
/// `A -> B on E` part drop the transition.
fn parse_transition(cx: &mut Ctxt, stream: ParseStream) -> syn::Result<Option<TransitionDecl>> {
    if stream.is_empty() {
        return Err(stream.error("expected `From -> To on Event`"));
    }
    let mut from = vec![stream.parse::<Ident>()?];
    while stream.peek(Token![|]) {
        stream.parse::<Token![|]>()?;
        from.push(stream.parse::<Ident>()?);
    }
    if !stream.peek(Token![->]) {
        return Err(stream.error("expected `->` and the target state, as in `From -> To on Event`"));
    }
    stream.parse::<Token![->]>()?;
    let to: Ident = stream.parse()?;
    if !stream.peek(kw::on) {
        return Err(syn::Error::new(
            to.span(),
            format!("expected `on <Event>` after the target state `{to}`, as in `From -> {to} on Event`"),
        ));
    }
    stream.parse::<kw::on>()?;
    let event: Ident = stream.parse()?;
    let mut transition = TransitionDecl {
        from,
        to,
        event,
        guard: None,
        action: None,
    };

    while !stream.is_empty() {
        if let Err(error) = stream.parse::<Token![,]>() {
            cx.syn_error(error);
            skip_past_comma(stream);
            continue;
        }
        if stream.is_empty() {
            break;
        }
        if let Err(error) = parse_transition_option(cx, &mut transition, stream) {
            cx.syn_error(error);
            skip_to_comma(stream);
        }
    }
    Ok(Some(transition))
}

fn parse_transition_option(
    cx: &mut Ctxt,
    transition: &mut TransitionDecl,
    stream: ParseStream,
) -> syn::Result<()> {
    let key: Ident = stream.call(Ident::parse_any_key)?;
    let slot = match key.to_string().as_str() {
        "guard" => &mut transition.guard,
        "action" => &mut transition.action,
        other => {
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown key `{other}` in `#[transition(...)]`: expected `guard = path` or `action = path`{}",
                    did_you_mean(other, TRANSITION_KEYS.iter().copied())
                ),
            ))
        }
    };
    if !stream.peek(Token![=]) {
        return Err(syn::Error::new(
            key.span(),
            format!("expected `{key} = path::to::function`"),
        ));
    }
    stream.parse::<Token![=]>()?;
    let path: Path = stream.parse()?;
    if !stream.is_empty() && !stream.peek(Token![,]) {
        return Err(stream.error(format!(
            "expected a path to a function after `{key} =`, such as `Self::{key}_name`"
        )));
    }
    if slot.is_some() {
        cx.error_spanned_by(
            &path,
            format_args!("`{key}` is declared more than once for this transition"),
        );
    } else {
        *slot = Some(path);
    }
    Ok(())
}

/// Skips token trees up to and including the next top-level comma.
fn skip_past_comma(stream: ParseStream) {
    skip_to_comma(stream);
    let _ = stream.parse::<Option<Token![,]>>();
}

/// Skips token trees up to (not including) the next top-level comma.
fn skip_to_comma(stream: ParseStream) {
    while !stream.is_empty() && !stream.peek(Token![,]) {
        if stream.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

/// An identifier in key position, keywords included (so `type = ..` is
/// reported as an unknown key, not as a parse error).
trait ParseAnyKey: Sized {
    fn parse_any_key(stream: ParseStream) -> syn::Result<Self>;
}

impl ParseAnyKey for Ident {
    fn parse_any_key(stream: ParseStream) -> syn::Result<Ident> {
        use syn::ext::IdentExt;
        Ident::parse_any(stream).map_err(|_| {
            let span = stream
                .cursor()
                .token_tree()
                .map_or(Span::call_site(), |(tt, _)| tt.span());
            syn::Error::new(
                span,
                "expected a key such as `states(...)` or `initial = ...`",
            )
        })
    }
}
