//! Parsing of `#[transition(...)]`: one transition or several separated
//! by `;`, each `A | B -> C on E, guard = path, action = path`.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, ExprPath, Ident, MacroDelimiter, Meta, Token};

use super::{describe_next, error_at_next, parse_name, parse_options, Reader};
use crate::component::ast::{Declaration, TransitionDecl};
use crate::ctxt::Ctxt;
use crate::suggest::did_you_mean;

const TRANSITION_KEYS: &[&str] = &["guard", "action"];

mod kw {
    syn::custom_keyword!(on);
}

/// Reads one `#[transition(...)]`: one transition, or several separated by
/// `;` (each helper attribute costs rustc one level of its recursion limit,
/// so a large machine declares its transitions in a few attributes). A
/// transition that cannot be read is reported and dropped; the others are
/// kept.
pub(super) fn parse_transition_attr(
    cx: &mut Ctxt,
    decl: &mut Declaration,
    component: &Ident,
    attr: &Attribute,
) {
    let list = match &attr.meta {
        Meta::List(list)
            if matches!(list.delimiter, MacroDelimiter::Paren(_)) && !list.tokens.is_empty() =>
        {
            list
        }
        _ => {
            cx.error_spanned_by(
                attr,
                format_args!(
                    "`#[transition]` of `{component}` needs a declaration, as in `#[transition(From -> To on Event)]`"
                ),
            );
            decl.transition_dropped = true;
            return;
        }
    };
    let pieces = split_at_semicolons(list.tokens.clone(), list.delimiter.span().close());
    if pieces.is_empty() {
        cx.error_spanned_by(
            attr,
            format_args!(
                "`#[transition]` of `{component}` declares no transition, as in `#[transition(From -> To on Event)]`"
            ),
        );
        decl.transition_dropped = true;
    }
    for (tokens, end) in pieces {
        let mut reader = Reader { cx, component, end };
        let result = (|stream: ParseStream| parse_transition(&mut reader, stream)).parse2(tokens);
        match result {
            Ok(transition) => decl.transitions.push(transition),
            Err(error) => {
                cx.syn_error(error);
                decl.transition_dropped = true;
            }
        }
    }
}

/// The pieces of `tokens` between top-level `;`, each with the span where
/// it ends (its `;`, or `close` for the last). Empty pieces are left out, so
/// a trailing `;` is allowed.
fn split_at_semicolons(tokens: TokenStream, close: Span) -> Vec<(TokenStream, Span)> {
    let mut pieces = Vec::new();
    let mut piece = TokenStream::new();
    for tree in tokens {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == ';' => {
                if !piece.is_empty() {
                    pieces.push((std::mem::take(&mut piece), punct.span()));
                }
            }
            _ => piece.extend([tree]),
        }
    }
    if !piece.is_empty() {
        pieces.push((piece, close));
    }
    pieces
}

/// Parses `A | B -> C on E, guard = path, action = path`. Errors after the
/// event are recorded and the transition is still kept; errors in the
/// `A -> C on E` part drop the transition.
fn parse_transition(r: &mut Reader, stream: ParseStream) -> syn::Result<TransitionDecl> {
    let component = r.component;
    let first = parse_name(r, stream, "a source state")?;
    let mut last = first.clone();
    let mut from = vec![first];
    while stream.peek(Token![|]) {
        stream.parse::<Token![|]>()?;
        last = parse_name(r, stream, "a source state after `|`")?;
        from.push(last.clone());
    }
    if !stream.peek(Token![->]) {
        let message = if stream.peek(Ident) {
            format!(
                "missing `->` between the source state `{last}` and {} in a transition of `{component}`, \
                 as in `{last} -> To on Event`",
                describe_next(stream)
            )
        } else if stream.is_empty() {
            format!(
                "incomplete transition of `{component}`: expected `-> To on Event` after `{last}`"
            )
        } else {
            format!(
                "expected `->` after the source state `{last}` in a transition of `{component}`, found {}",
                describe_next(stream)
            )
        };
        return Err(error_at_next(stream, last.span(), message));
    }
    stream.parse::<Token![->]>()?;
    let to = parse_name(r, stream, "a target state after `->`")?;
    if !stream.peek(kw::on) {
        let message = if stream.peek(Ident) {
            format!(
                "missing `on` between the target state `{to}` and the event {} in a transition of `{component}`, \
                 as in `{} -> {to} on Event`",
                describe_next(stream),
                from[0],
            )
        } else if stream.is_empty() {
            format!(
                "incomplete transition of `{component}`: expected `on Event` after the target state `{to}`"
            )
        } else {
            format!(
                "expected `on Event` after the target state `{to}` in a transition of `{component}`, found {}",
                describe_next(stream)
            )
        };
        return Err(error_at_next(stream, to.span(), message));
    }
    stream.parse::<kw::on>()?;
    let event = parse_name(r, stream, "an event name after `on`")?;
    let mut transition = TransitionDecl {
        from,
        to,
        event,
        guard: None,
        action: None,
        guard_async: false,
        action_async: false,
    };

    let event = transition.event.clone();
    parse_options(
        r,
        stream,
        |found| {
            format!(
                "unexpected {found} after the event `{event}` in a transition of `{component}`: \
                 options follow a comma, as in `, guard = Self::can_start`"
            )
        },
        |r, stream| parse_transition_option(r, &mut transition, stream),
    )?;
    Ok(transition)
}

fn parse_transition_option(
    r: &mut Reader,
    transition: &mut TransitionDecl,
    stream: ParseStream,
) -> syn::Result<()> {
    let component = r.component;
    if !stream.peek(Ident::peek_any) {
        return Err(error_at_next(
            stream,
            r.end,
            format!(
                "expected `guard = path` or `action = path` in a transition of `{component}`, found {}",
                describe_next(stream)
            ),
        ));
    }
    let key = Ident::parse_any(stream)?;
    let is_guard = key == "guard";
    let signature = match key.to_string().as_str() {
        "guard" => format!("fn(&{component}) -> bool"),
        "action" => format!("fn(&mut {component}) -> Result<(), E>"),
        other => {
            return Err(syn::Error::new(
                key.span(),
                format!(
                "unknown key `{other}` in a transition of `{component}`: expected `guard = path` \
                     or `action = path`{}",
                did_you_mean(other, TRANSITION_KEYS.iter().copied())
            ),
            ))
        }
    };
    if !stream.peek(Token![=]) {
        return Err(syn::Error::new(
            key.span(),
            format!(
                "`{key}` of a transition of `{component}` needs a function, as in `{key} = Self::{key}_name` \
                 (a `{signature}`)"
            ),
        ));
    }
    stream.parse::<Token![=]>()?;
    // `action = async Self::connect`: an async fn, awaited by `fire_async`.
    let is_async = stream.parse::<Option<Token![async]>>()?.is_some();

    let fork = stream.fork();
    let path = match fork.parse::<ExprPath>() {
        Ok(path) if path.attrs.is_empty() && (fork.is_empty() || fork.peek(Token![,])) => {
            stream.advance_to(&fork);
            path
        }
        _ => return Err(bad_function_path(stream, r, &key, &signature)),
    };
    let from = &transition.from[0];
    let (to, event) = (&transition.to, &transition.event);
    let slot = if is_guard {
        &mut transition.guard
    } else {
        &mut transition.action
    };
    if slot.is_some() {
        r.cx.error_at(
            key.span(),
            format_args!(
                "`{key}` is declared more than once in the transition `{from} -> {to} on {event}` of `{component}`",
            ),
        );
    } else {
        *slot = Some(path);
        if is_guard {
            transition.guard_async = is_async;
        } else {
            transition.action_async = is_async;
        }
    }
    Ok(())
}

/// The error for a guard or action value that is not a path to a function,
/// naming what was written instead (a closure, a call, a literal...).
fn bad_function_path(stream: ParseStream, r: &Reader, key: &Ident, signature: &str) -> syn::Error {
    let component = r.component;
    let mut value = proc_macro2::TokenStream::new();
    while !stream.is_empty() && !stream.peek(Token![,]) {
        match stream.parse::<TokenTree>() {
            Ok(tree) => value.extend([tree]),
            Err(_) => break,
        }
    }
    if value.is_empty() {
        return error_at_next(
            stream,
            key.span(),
            format!(
                "expected a path to a function after `{key} =` in a transition of `{component}`, \
                 as in `{key} = Self::{key}_name`"
            ),
        );
    }
    let rule = match syn::parse2::<Expr>(value.clone()) {
        Ok(Expr::Closure(_)) => format!(
            "`{key}` of a transition of `{component}` must name a function, not a closure: \
             define a `{signature}` and write `{key} = Self::name`"
        ),
        Ok(Expr::Call(call)) => {
            let callee = &call.func;
            let callee = quote::quote!(#callee).to_string().replace(' ', "");
            format!(
                "`{key}` of a transition of `{component}` takes the function itself, not a call: \
                 write `{key} = {callee}`"
            )
        }
        _ => format!(
            "`{key}` of a transition of `{component}` must be a path to a `{signature}`, \
             as in `{key} = Self::{key}_name`"
        ),
    };
    syn::Error::new_spanned(value, rule)
}
