//! Every error points at the user's token.

use super::*;

// ---- every error points at the user's token ----

/// Each error of `source` as (message, the source text where it starts,
/// its column). The spans come from `syn::parse_str`, so they are positions
/// in `source` (proc-macro2's `span-locations`).
fn error_positions(source: &str) -> Vec<(String, String, usize)> {
    let input: DeriveInput = syn::parse_str(source).expect("valid Rust");
    let mut cx = Ctxt::new();
    let decl = attr::parse(&mut cx, &input);
    check::check(&mut cx, &decl);
    // `to_compile_error` gives `::core::compile_error!{"message"}`: the
    // tokens up to `!` carry the start of the error's span.
    let mut positions = Vec::new();
    let mut start = None;
    for tree in cx.into_compile_errors() {
        match tree {
            proc_macro2::TokenTree::Ident(ident) if ident == "compile_error" => {
                let span = ident.span();
                start = Some((span.source_text().unwrap_or_default(), span.start().column));
            }
            proc_macro2::TokenTree::Group(group) => {
                let message = group.stream().to_string();
                let (text, column) = start.take().expect("compile_error! before its message");
                positions.push((message, text, column));
            }
            _ => {}
        }
    }
    positions
}

/// The column of the `nth` (0-based) occurrence of `token` in `source`.
fn column_of(source: &str, token: &str, nth: usize) -> usize {
    source
        .match_indices(token)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{token}` occurs fewer than {} times", nth + 1))
        .0
}

#[test]
fn errors_point_at_the_offending_token() {
    // (source, the token the single error must start at, which occurrence)
    let cases: &[(&str, &str, usize)] = &[
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> Bb on Go)] struct W;",
            "Bb", 0,
        ),
        (
            "#[component(states(A, B, B), initial = A)] #[transition(A -> B on Go)] struct W;",
            "B", 1,
        ),
        (
            "#[component(states(A, B), initial = C)] #[transition(A -> B on Go)] struct W;",
            "C", 0,
        ),
        (
            "#[component(states(A, B), initial = A, terminal(Z))] #[transition(A -> B on Go)] struct W;",
            "Z", 0,
        ),
        (
            "#[component(states(A, B), terminal(B))] #[transition(A -> B on Go)] struct W;",
            "component", 0,
        ),
        (
            "#[component(states(A, B, C), initial = A)] #[transition(A -> B on Go)] struct W;",
            "C", 0,
        ),
        (
            "#[component(states(A, B, C), initial = A, terminal(C))] #[transition(A -> B on Go)] #[transition(A -> C on Stop)] struct W;",
            "B", 0,
        ),
        (
            "#[component(states(A, B), initial = A, terminal(B))] #[transition(A -> B on Go)] #[transition(B -> A on Back)] struct W;",
            "B", 3,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on B)] struct W;",
            "B", 2,
        ),
        ("#[component(states(), initial = A)] struct W;", "states", 0),
        ("#[transition(A -> B on Go)] struct W;", "W", 0),
        ("#[component(states(A), initial = A)] struct Loop;", "Loop", 0),
        (
            "#[component(states(A, B), initial = A, inital = B)] #[transition(A -> B on Go)] struct W;",
            "inital", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A B on Go)] struct W;",
            "B", 1,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B Go)] struct W;",
            "Go", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on Go, guard = 42)] struct W;",
            "42", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on Go, gard = f)] struct W;",
            "gard", 0,
        ),
        (
            "#[component(states(A, B), initial = A)] #[transition(A -> B on Go)] #[transition] struct W;",
            "#", 2,
        ),
    ];
    for &(source, token, nth) in cases {
        let positions = error_positions(source);
        assert_eq!(positions.len(), 1, "{source}: {positions:#?}");
        let (message, text, column) = &positions[0];
        assert_eq!(text, token, "{source}: {message}");
        assert_eq!(
            *column,
            column_of(source, token, nth),
            "{source}: {message}"
        );
    }
}

#[test]
fn conflicting_targets_point_at_both_transitions() {
    let source = "#[component(states(A, B, C), initial = A)] \
                  #[transition(A -> B on Go)] #[transition(A -> C on Go)] #[transition(B | C -> A on Back)] struct W;";
    let positions = error_positions(source);
    assert_eq!(positions.len(), 2, "{positions:#?}");
    assert_eq!(positions[0].2, column_of(source, "Go", 1));
    assert_eq!(positions[1].2, column_of(source, "Go", 0));
}
