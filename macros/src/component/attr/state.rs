//! Parsing of `#[state(Name, initial = Leaf, history, entry = path, exit = path)]`:
//! what a state does when it is entered or left and, for a superstate,
//! which child is entered first. A malformed option is reported and
//! skipped; the rest of the attribute is still read.

use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, ExprPath, Ident, MacroDelimiter, Meta, Token};

use super::{describe_next, error_at_next, parse_name, parse_options, Reader};
use crate::component::ast::{Declaration, Hook, StateDecl};
use crate::ctxt::Ctxt;
use crate::suggest::did_you_mean;

const STATE_KEYS: &[&str] = &["initial", "history", "entry", "exit"];

/// Reads one `#[state(...)]` into `decl.state_attrs`; a declaration whose
/// state name cannot be read is reported and dropped.
pub(super) fn parse_state_attr(
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
                    "`#[state]` of `{component}` names a state and what it does, \
                     as in `#[state(Idle, entry = Self::reset)]`"
                ),
            );
            return;
        }
    };
    let mut reader = Reader {
        cx,
        component,
        end: list.delimiter.span().close(),
    };
    let parser = |stream: ParseStream| parse_state(&mut reader, stream);
    match parser.parse2(list.tokens.clone()) {
        Ok(state) => decl.state_attrs.push(state),
        Err(error) => cx.syn_error(error),
    }
}

fn parse_state(r: &mut Reader, stream: ParseStream) -> syn::Result<StateDecl> {
    let name = parse_name(r, stream, "a state name")?;
    let mut state = StateDecl {
        name,
        initial: None,
        history: None,
        entry: None,
        exit: None,
    };
    let (name, component) = (state.name.clone(), r.component);
    parse_options(
        r,
        stream,
        |found| {
            format!(
                "unexpected {found} in `#[state({name}, ...)]` of `{component}`: options follow a comma, \
                 as in `, entry = Self::on_entry`"
            )
        },
        |r, stream| parse_option(r, &mut state, stream),
    )?;
    Ok(state)
}

fn parse_option(r: &mut Reader, state: &mut StateDecl, stream: ParseStream) -> syn::Result<()> {
    let component = r.component;
    let name = state.name.clone();
    if !stream.peek(Ident::peek_any) {
        return Err(error_at_next(
            stream,
            r.end,
            format!(
                "expected `initial = Leaf`, `history`, `entry = path` or `exit = path` in \
                 `#[state({name}, ...)]` of `{component}`, found {}",
                describe_next(stream)
            ),
        ));
    }
    let key = Ident::parse_any(stream)?;
    let twice = |key: &Ident| {
        syn::Error::new(
            key.span(),
            format!(
                "`{key}` is declared more than once in `#[state({name}, ...)]` of `{component}`"
            ),
        )
    };
    match key.to_string().as_str() {
        "history" => {
            if state.history.is_some() {
                return Err(twice(&key));
            }
            state.history = Some(key);
        }
        "initial" => {
            expect_eq(r, stream, &key, &name, "initial = FirstChild")?;
            let leaf = parse_name(r, stream, "a nested state after `initial =`")?;
            if state.initial.is_some() {
                return Err(twice(&key));
            }
            state.initial = Some((key, leaf));
        }
        "entry" | "exit" => {
            expect_eq(r, stream, &key, &name, &format!("{key} = Self::on_{key}"))?;
            // `entry = async Self::power_on`: awaited, by async moves only.
            let is_async = stream.parse::<Option<Token![async]>>()?.is_some();
            let fork = stream.fork();
            let path = match fork.parse::<ExprPath>() {
                Ok(path) if path.attrs.is_empty() && (fork.is_empty() || fork.peek(Token![,])) => {
                    stream.advance_to(&fork);
                    path
                }
                _ => {
                    return Err(error_at_next(
                        stream,
                        key.span(),
                        format!(
                            "`{key}` of state `{name}` of `{component}` must be a path to a \
                             `fn(&mut {component}) -> Result<(), E>`, as in `{key} = Self::on_{key}`"
                        ),
                    ))
                }
            };
            let slot = if key == "entry" {
                &mut state.entry
            } else {
                &mut state.exit
            };
            if slot.is_some() {
                return Err(twice(&key));
            }
            *slot = Some(Hook { path, is_async });
        }
        other => {
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown key `{other}` in `#[state({name}, ...)]` of `{component}`: expected one of \
                     `initial`, `history`, `entry`, `exit`{}",
                    did_you_mean(other, STATE_KEYS.iter().copied())
                ),
            ))
        }
    }
    Ok(())
}

fn expect_eq(
    r: &Reader,
    stream: ParseStream,
    key: &Ident,
    state: &crate::name::Name,
    example: &str,
) -> syn::Result<()> {
    if stream.peek(Token![=]) {
        stream.parse::<Token![=]>()?;
        return Ok(());
    }
    Err(error_at_next(
        stream,
        key.span(),
        format!(
            "expected `=` after `{key}` in `#[state({state}, ...)]` of `{}`, as in `{example}`; found {}",
            r.component,
            describe_next(stream)
        ),
    ))
}
