//! A generator test of both derives (issue: hostile input). Declarations
//! are built from identifiers of every shape (raw, leading underscore,
//! digits, keywords, non-ASCII, names that differ only by `_`), then mutated
//! one token at a time. For every input rustc could hand to a derive:
//!
//! * the derive does not panic;
//! * every error it reports has a span inside the input (a real position in
//!   the source, never the call site);
//! * its output parses as Rust items, errors or not.
//!
//! A few generated valid inputs are compiled for real in `ui-tests/pass`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use proc_macro2::{TokenStream, TokenTree};
use proptest::prelude::*;

/// Identifiers of every shape a user may write, valid names or not.
fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "A",
        "B",
        "Ready",
        "Running",
        "Go",
        "Stop",
        "r#Ready",
        "r#A",
        "r#type",
        "r#loop",
        "r#match",
        "_a",
        "_1",
        "_0",
        "__",
        "_",
        "a1",
        "buf_1",
        "buf1",
        "Buf1",
        "a_b",
        "ab",
        "a__b",
        "x",
        "try_x",
        "self_",
        "build",
        "State",
        "Event",
        "type",
        "self",
        "Self",
        "fn",
        "Ünïcode",
        "naïve",
        "日本",
        "_Ready",
        "READY",
        "ready",
    ])
    .prop_map(String::from)
}

/// A `#[derive(Component)]` declaration over generated names.
fn component_source() -> impl Strategy<Value = String> {
    (
        ident(),
        prop::collection::vec(ident(), 1..6),
        prop::collection::vec((0usize..6, 0usize..6, ident(), any::<bool>()), 0..6),
        prop::collection::vec(0usize..6, 0..3),
        prop::option::of(ident()),
    )
        .prop_map(|(name, states, edges, terminal, module)| {
            let pick = |i: usize| states[i % states.len()].clone();
            let mut items = vec![
                format!("states({})", states.join(", ")),
                format!("initial = {}", pick(0)),
            ];
            if !terminal.is_empty() {
                let names: Vec<String> = terminal.iter().map(|&i| pick(i)).collect();
                items.push(format!("terminal({})", names.join(", ")));
            }
            if let Some(module) = module {
                items.push(format!("module = {module}"));
            }
            let transitions: Vec<String> = edges
                .iter()
                .map(|(from, to, event, guarded)| {
                    let guard = if *guarded { ", guard = Self::ok" } else { "" };
                    format!(
                        "#[transition({} -> {} on {event}{guard})]",
                        pick(*from),
                        pick(*to)
                    )
                })
                .collect();
            format!(
                "#[component({})] {} struct {name};",
                items.join(", "),
                transitions.join(" ")
            )
        })
}

/// A `#[derive(System)]` declaration over generated names.
fn system_source() -> impl Strategy<Value = String> {
    (
        ident(),
        prop::collection::vec((ident(), 0usize..4, prop::option::of(0usize..6)), 1..6),
        prop::collection::vec(prop::collection::vec(0usize..6, 1..4), 0..3),
        prop::option::of(ident()),
    )
        .prop_map(|(name, fields, chains, module)| {
            let pick = |i: usize| fields[i % fields.len()].0.clone();
            let mut attrs = Vec::new();
            if !chains.is_empty() {
                let chains: Vec<String> = chains
                    .iter()
                    .map(|chain| {
                        chain
                            .iter()
                            .map(|&i| pick(i))
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    })
                    .collect();
                attrs.push(format!("lock_order({})", chains.join(", ")));
            }
            if let Some(module) = module {
                attrs.push(format!("module = {module}"));
            }
            let attr = if attrs.is_empty() {
                String::new()
            } else {
                format!("#[system({})]", attrs.join(", "))
            };
            let types = [
                "u8",
                "Vec<Self>",
                "OrderedMutex<u8, L>",
                "Option<Box<Self>>",
            ];
            let body: Vec<String> = fields
                .iter()
                .map(|(field, ty, dep)| {
                    let dep = dep.map_or(String::new(), |d| format!("#[depends_on({})] ", pick(d)));
                    format!("{dep}{field}: {}", types[*ty])
                })
                .collect();
            format!("{attr} struct {name} {{ {} }}", body.join(", "))
        })
}

/// One token of a mutation: a name, a punctuation mark, or a group.
fn mutation_token() -> impl Strategy<Value = String> {
    prop_oneof![
        ident(),
        prop::sample::select(vec![
            "->", "|", ",", "=", "::", ";", "<", ">", "#", "!", "42", "\"s\"", "'a", "()", "[]",
            "{}", "on"
        ])
        .prop_map(String::from),
    ]
}

/// Deletes, replaces or inserts one token of `source` (split at spaces).
fn mutate(source: &str, index: usize, operation: usize, token: String) -> String {
    let mut tokens: Vec<String> = source.split(' ').map(str::to_owned).collect();
    let index = index % tokens.len();
    match operation {
        0 => {
            tokens.remove(index);
        }
        1 => tokens[index] = token,
        _ => tokens.insert(index, token),
    }
    tokens.join(" ")
}

/// Runs `derive` on `source` when rustc could hand it to a derive (it is a
/// struct or enum item) and checks the three promises.
fn check(derive: fn(TokenStream) -> TokenStream, source: &str) -> Result<(), TestCaseError> {
    let Ok(input) = TokenStream::from_str(source) else {
        return Ok(());
    };
    if syn::parse2::<syn::DeriveInput>(input.clone()).is_err() {
        return Ok(());
    }
    let output = catch_unwind(AssertUnwindSafe(|| derive(input)));
    let Ok(output) = output else {
        return Err(TestCaseError::fail(format!(
            "the derive panicked on {source}"
        )));
    };
    if let Err(error) = syn::parse2::<syn::File>(output.clone()) {
        return Err(TestCaseError::fail(format!(
            "unparsable output ({error}) for {source}"
        )));
    }
    let lines: Vec<&str> = source.lines().collect();
    let spans = error_spans(output.clone());
    if spans.is_empty() {
        // A valid declaration: no two generated types or modules share a
        // name in one module (rustc would refuse the expansion).
        let file: syn::File =
            syn::parse2(output).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(name) = first_collision(&file.items) {
            return Err(TestCaseError::fail(format!(
                "`{name}` is generated twice for {source}"
            )));
        }
    }
    for span in spans {
        let start = span.start();
        let inside = start.line >= 1
            && start.line <= lines.len()
            && start.column <= lines[start.line - 1].chars().count()
            && span.source_text().is_some();
        prop_assert!(
            inside,
            "an error spans {start:?}, outside the input {source}"
        );
    }
    Ok(())
}

/// A type or module name declared twice in one module of `items`.
fn first_collision(items: &[syn::Item]) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let name = match item {
            syn::Item::Struct(item) => item.ident.to_string(),
            syn::Item::Enum(item) => item.ident.to_string(),
            syn::Item::Trait(item) => item.ident.to_string(),
            syn::Item::Mod(item) => {
                if let Some((_, inner)) = &item.content {
                    if let Some(name) = first_collision(inner) {
                        return Some(name);
                    }
                }
                item.ident.to_string()
            }
            _ => continue,
        };
        if !seen.insert(name.clone()) {
            return Some(name);
        }
    }
    None
}

/// The start span of each `compile_error!` in `output`.
fn error_spans(output: TokenStream) -> Vec<proc_macro2::Span> {
    let mut spans = Vec::new();
    for tree in output {
        match tree {
            TokenTree::Ident(ident) if ident == "compile_error" => spans.push(ident.span()),
            TokenTree::Group(group) => spans.extend(error_spans(group.stream())),
            _ => {}
        }
    }
    spans
}

/// A declaration for either derive, with the derive to feed it to.
fn declaration() -> impl Strategy<Value = (fn(TokenStream) -> TokenStream, String)> {
    let component: fn(TokenStream) -> TokenStream = crate::component::expand;
    let system: fn(TokenStream) -> TokenStream = crate::system::expand;
    prop_oneof![
        component_source().prop_map(move |source| (component, source)),
        system_source().prop_map(move |source| (system, source)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn declarations_of_every_name_shape((derive, source) in declaration()) {
        check(derive, &source)?;
    }

    #[test]
    fn mutated_declarations(
        (derive, source) in declaration(),
        index in 0usize..200,
        operation in 0usize..3,
        token in mutation_token(),
    ) {
        check(derive, &mutate(&source, index, operation, token))?;
    }
}
