//! Parsing of `#[component(...)]` and `#[transition(...)]` into a
//! [`Declaration`]. A malformed item is reported and skipped, so the rest of
//! the declaration is still read and checked. Every message names the
//! component and says what was expected, at the token where it went wrong
//! (the closing parenthesis when the attribute ends too early).

use proc_macro2::{Delimiter, Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, DeriveInput, Ident, MacroDelimiter, Meta, Token, Type};

use super::ast::Declaration;
use crate::ctxt::Ctxt;
use crate::name::{self, Name};
use crate::suggest::did_you_mean;

const COMPONENT_KEYS: &[&str] = &["states", "initial", "terminal", "module", "snapshot"];

mod state;
mod transition;

/// What every parsing step needs: where to record errors, which component
/// is being read (for messages) and where the attribute ends (for errors
/// about missing pieces).
pub(super) struct Reader<'a> {
    cx: &'a mut Ctxt,
    component: &'a Ident,
    end: Span,
}

/// Reads the component declaration from the derive input, recording every
/// syntax error in `cx`.
pub fn parse(cx: &mut Ctxt, input: &DeriveInput) -> Declaration {
    let plain = name::plain(&input.ident);
    let component = &plain;
    let mut decl = Declaration {
        ident: component.clone(),
        vis: input.vis.clone(),
        generics: input.generics.clone(),
        module: component.clone(),
        states: None,
        state_parents: Vec::new(),
        state_attrs: Vec::new(),
        initial: None,
        terminal: None,
        snapshot: None,
        transitions: Vec::new(),
        anchor: component.span(),
        has_component_attr: false,
        component_malformed: false,
        transition_dropped: false,
    };
    let mut module_override = None;

    for attr in &input.attrs {
        if attr.path().is_ident("component") {
            if !decl.has_component_attr {
                decl.anchor = attr.path().span();
                decl.has_component_attr = true;
            }
            parse_component_attr(cx, &mut decl, &mut module_override, attr);
        } else if attr.path().is_ident("transition") {
            transition::parse_transition_attr(cx, &mut decl, component, attr);
        } else if attr.path().is_ident("state") {
            state::parse_state_attr(cx, &mut decl, component, attr);
        }
    }

    if !decl.has_component_attr {
        cx.error_at(
            component.span(),
            format_args!(
                "`{component}` derives `Component` but has no `#[component(...)]` attribute: \
                 declare its states, as in `#[component(states(A, B), initial = A)]`"
            ),
        );
    }

    decl.module = match module_override {
        Some(module) => module,
        None => name::default_module(
            cx,
            component,
            "state module",
            "component",
            "states",
            "component_states",
        )
        .unwrap_or_else(|replacement| replacement),
    };
    decl
}

fn parse_component_attr(
    cx: &mut Ctxt,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    attr: &Attribute,
) {
    let component = decl.ident.clone();
    let list = match &attr.meta {
        Meta::List(list) if matches!(list.delimiter, MacroDelimiter::Paren(_)) => list,
        _ => {
            decl.component_malformed = true;
            cx.error_spanned_by(
                attr,
                format_args!(
                    "`#[component]` of `{component}` takes a parenthesised declaration, \
                     as in `#[component(states(A, B), initial = A)]`"
                ),
            );
            return;
        }
    };
    let mut reader = Reader {
        cx,
        component: &component,
        end: list.delimiter.span().close(),
    };
    let parser = |stream: ParseStream| {
        parse_component_items(&mut reader, decl, module, stream);
        Ok(())
    };
    if let Err(error) = parser.parse2(list.tokens.clone()) {
        decl.component_malformed = true;
        cx.syn_error(error);
    }
}

/// Parses the comma-separated items of one `#[component(...)]`. An item that
/// does not parse is reported, and parsing resumes after the next comma.
fn parse_component_items(
    r: &mut Reader,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    stream: ParseStream,
) {
    while !stream.is_empty() {
        if let Err(error) = parse_component_item(r, decl, module, stream) {
            decl.component_malformed = true;
            r.cx.syn_error(error);
            skip_to_comma(stream);
        }
        if stream.is_empty() {
            break;
        }
        if stream.peek(Token![,]) {
            let _ = stream.parse::<Token![,]>();
        } else {
            decl.component_malformed = true;
            let error = error_at_next(
                stream,
                r.end,
                format!(
                    "unexpected {} in `#[component(...)]` of `{}`: separate the items with `,`",
                    describe_next(stream),
                    r.component
                ),
            );
            r.cx.syn_error(error);
            skip_past_comma(stream);
        }
    }
}

fn parse_component_item(
    r: &mut Reader,
    decl: &mut Declaration,
    module: &mut Option<Ident>,
    stream: ParseStream,
) -> syn::Result<()> {
    let component = r.component;
    if !stream.peek(Ident::peek_any) {
        return Err(error_at_next(
            stream,
            r.end,
            format!(
                "expected an item of `#[component(...)]` of `{component}`, such as `states(A, B)` \
                 or `initial = A`, found {}",
                describe_next(stream)
            ),
        ));
    }
    let key = Ident::parse_any(stream)?;
    match key.to_string().as_str() {
        "states" => {
            let mut parents = Vec::new();
            let names = parse_name_list(r, stream, &key, Some(&mut parents))?;
            if decl.states.is_some() {
                r.cx.error_at(
                    key.span(),
                    format_args!(
                        "`states` of `{component}` is declared more than once: list every state in one `states(...)`"
                    ),
                );
            } else {
                decl.states = Some((key, names));
                decl.state_parents = parents;
            }
        }
        "terminal" => {
            let names = parse_name_list(r, stream, &key, None)?;
            if decl.terminal.is_some() {
                r.cx.error_at(
                    key.span(),
                    format_args!(
                        "`terminal` of `{component}` is declared more than once: list every terminal state in one `terminal(...)`"
                    ),
                );
            } else {
                decl.terminal = Some((key, names));
            }
        }
        "initial" => {
            expect_eq(r, stream, &key, "initial = Created")?;
            let state = parse_name(r, stream, "a state name after `initial =`")?;
            set_once(r, &mut decl.initial, state, &key);
        }
        "module" => {
            expect_eq(r, stream, &key, "module = worker_states")?;
            let name = parse_name(r, stream, "a module name after `module =`")?;
            let name = name.ident().clone();
            if name::unraw(&name) == name::unraw(component) {
                r.cx.error_spanned_by(
                    &name,
                    format_args!(
                        "the state module of `{component}` cannot be named `{name}` like the struct itself: \
                         a module and a struct share one namespace; name it, for example, `module = {}`",
                        name::module_suggestion(component, "states", "component_states")
                    ),
                );
            } else {
                set_once(r, module, name, &key);
            }
        }
        "snapshot" => {
            expect_eq(r, stream, &key, "snapshot = MySnapshot")?;
            let fork = stream.fork();
            match fork.parse::<Type>() {
                Ok(strategy) if fork.is_empty() || fork.peek(Token![,]) => {
                    stream.advance_to(&fork);
                    set_once(r, &mut decl.snapshot, strategy, &key);
                }
                _ => {
                    return Err(error_at_next(
                        stream,
                        r.end,
                        format!(
                        "expected a type implementing `Snapshot<{component}>` after `snapshot =`, \
                             as in `snapshot = MySnapshot`; found {}",
                        describe_next(stream)
                    ),
                    ))
                }
            }
        }
        other => {
            return Err(syn::Error::new(
                key.span(),
                format!(
                "unknown key `{other}` in `#[component(...)]` of `{component}`: expected one of \
                     `states`, `initial`, `terminal`, `module`, `snapshot`{}",
                did_you_mean(other, COMPONENT_KEYS.iter().copied())
            ),
            ))
        }
    }
    Ok(())
}

/// `(A, B, C)` after `states` or `terminal`. With `parents` (for `states`)
/// a name may be followed by its nested states, `Blinking(LedOn, LedOff)`,
/// to any depth; `parents` then receives, for each name, the position of the
/// superstate it is nested in.
fn parse_name_list(
    r: &mut Reader,
    stream: ParseStream,
    key: &Ident,
    parents: Option<&mut Vec<Option<usize>>>,
) -> syn::Result<Vec<Name>> {
    let component = r.component;
    if !stream.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            format!(
                "`{key}` of `{component}` takes a parenthesised list of state names, as in `{key}(A, B)`"
            ),
        ));
    }
    let content;
    let paren = syn::parenthesized!(content in stream);
    let mut inner = Reader {
        cx: &mut *r.cx,
        component,
        end: paren.span.close(),
    };
    let mut names = Vec::new();
    let result = parse_names(
        &mut inner,
        &content,
        key,
        &mut names,
        parents.map(|p| (p, None)),
    );
    let names = result.map(|()| names);
    if names.is_err() {
        // Consume the rest of the list, which the error already covers.
        while content.parse::<TokenTree>().is_ok() {}
    }
    names
}

/// The comma-separated names inside `states(...)` or `terminal(...)`,
/// appended to `names`. With `nest` (the parent list and the position of the
/// enclosing superstate) a name may open a nested list.
fn parse_names(
    r: &mut Reader,
    content: ParseStream,
    key: &Ident,
    names: &mut Vec<Name>,
    mut nest: Option<(&mut Vec<Option<usize>>, Option<usize>)>,
) -> syn::Result<()> {
    while !content.is_empty() {
        let name = parse_name(r, content, "a state name")?;
        let position = names.len();
        names.push(name.clone());
        if let Some((parents, parent)) = nest.as_mut() {
            parents.push(*parent);
            if content.peek(syn::token::Paren) {
                let inner;
                let paren = syn::parenthesized!(inner in content);
                if inner.is_empty() {
                    return Err(syn::Error::new(
                        paren.span.join(),
                        format!(
                            "superstate `{name}` of `{}` has no nested states: list them, as in \
                             `{name}(A, B)`, or remove the parentheses",
                            r.component
                        ),
                    ));
                }
                let mut nested = Reader {
                    cx: &mut *r.cx,
                    component: r.component,
                    end: paren.span.close(),
                };
                let result = parse_names(
                    &mut nested,
                    &inner,
                    key,
                    names,
                    Some((&mut **parents, Some(position))),
                );
                if result.is_err() {
                    // The error covers the rest of the nested list.
                    while inner.parse::<TokenTree>().is_ok() {}
                }
                result?;
            }
        }
        if content.is_empty() {
            break;
        }
        if !content.peek(Token![,]) {
            return Err(error_at_next(
                content,
                r.end,
                format!(
                    "expected `,` between the state names in `{key}(...)` of `{}`, found {}",
                    r.component,
                    describe_next(content)
                ),
            ));
        }
        content.parse::<Token![,]>()?;
    }
    Ok(())
}

/// The `=` after `key`.
fn expect_eq(r: &Reader, stream: ParseStream, key: &Ident, example: &str) -> syn::Result<()> {
    if stream.peek(Token![=]) {
        stream.parse::<Token![=]>()?;
        return Ok(());
    }
    Err(error_at_next(
        stream,
        key.span(),
        format!(
            "expected `=` after `{key}` in `#[component(...)]` of `{}`, as in `{example}`; found {}",
            r.component,
            describe_next(stream)
        ),
    ))
}

/// A state, event or module name (an identifier that is not a keyword).
pub(super) fn parse_name(r: &Reader, stream: ParseStream, what: &str) -> syn::Result<Name> {
    if stream.peek(Ident) {
        return stream.parse().map(Name::new);
    }
    let found = describe_next(stream);
    let hint = if stream.peek(Ident::peek_any) {
        ": a keyword cannot name a state, event or module"
    } else {
        ""
    };
    Err(error_at_next(
        stream,
        r.end,
        format!(
            "expected {what} in the declaration of `{}`, found {found}{hint}",
            r.component
        ),
    ))
}

fn set_once<T>(r: &mut Reader, slot: &mut Option<T>, value: T, key: &Ident) {
    if slot.is_some() {
        r.cx.error_at(
            key.span(),
            format_args!(
                "`{key}` of `{}` is declared more than once: keep one `{key} = ...`",
                r.component
            ),
        );
    } else {
        *slot = Some(value);
    }
}

/// Parses the `, option, option` list after an attribute's head with
/// `parse_option`. A mistake is reported and skipped up to the next comma, so
/// every independent mistake in the list is reported at once. `no_comma`
/// words the error for a token found where a comma belongs (it gets that
/// token, described).
pub(super) fn parse_options(
    r: &mut Reader,
    stream: ParseStream,
    no_comma: impl Fn(String) -> String,
    mut parse_option: impl FnMut(&mut Reader, ParseStream) -> syn::Result<()>,
) -> syn::Result<()> {
    while !stream.is_empty() {
        if !stream.peek(Token![,]) {
            let error = error_at_next(stream, r.end, no_comma(describe_next(stream)));
            r.cx.syn_error(error);
            skip_to_comma(stream);
            continue;
        }
        stream.parse::<Token![,]>()?;
        if stream.is_empty() {
            break;
        }
        if let Err(error) = parse_option(r, stream) {
            r.cx.syn_error(error);
            skip_to_comma(stream);
        }
    }
    Ok(())
}

/// An error at the next token, or at `otherwise` when nothing is left.
pub(super) fn error_at_next(stream: ParseStream, otherwise: Span, message: String) -> syn::Error {
    let span = stream
        .cursor()
        .token_tree()
        .map_or(otherwise, |(tree, _)| tree.span());
    syn::Error::new(span, message)
}

/// The next token, as a message shows it: "`Stop`", "`(...)`", or "the end of the attribute".
pub(super) fn describe_next(stream: ParseStream) -> String {
    match stream.cursor().token_tree() {
        None => String::from("the end of the attribute"),
        Some((TokenTree::Group(group), _)) => match group.delimiter() {
            Delimiter::Parenthesis => String::from("`(...)`"),
            Delimiter::Bracket => String::from("`[...]`"),
            Delimiter::Brace => String::from("`{...}`"),
            Delimiter::None => String::from("an expression"),
        },
        Some((tree, _)) => format!("`{tree}`"),
    }
}

/// Skips token trees up to and including the next top-level comma.
fn skip_past_comma(stream: ParseStream) {
    skip_to_comma(stream);
    let _ = stream.parse::<Option<Token![,]>>();
}

/// Skips token trees up to (not including) the next top-level comma.
pub(super) fn skip_to_comma(stream: ParseStream) {
    while !stream.is_empty() && !stream.peek(Token![,]) {
        if stream.parse::<TokenTree>().is_err() {
            break;
        }
    }
}
