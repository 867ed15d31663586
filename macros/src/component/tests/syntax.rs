//! Malformed attributes: an error that says what was expected, and never
//! a panic (hand-written cases and proptest token soups).

use super::*;

// ---- malformed syntax ----

/// The errors for a component with `items` in `#[component(...)]`.
fn component_errors(items: &str) -> Vec<String> {
    let source = format!("#[component({items})] struct Worker;");
    errors(syn::parse_str(&source).expect("valid attribute syntax"))
}

/// The errors for a valid component with one extra `#[transition(...)]`.
fn transition_errors(transition: &str) -> Vec<String> {
    let source = format!(
        "#[component(states(Created, Stopped), initial = Created, terminal(Stopped))] \
         #[transition(Created -> Stopped on Stop)] #[transition({transition})] struct Worker;"
    );
    errors(syn::parse_str(&source).expect("valid attribute syntax"))
}

#[test]
fn transition_syntax_errors_say_what_is_missing() {
    let cases: &[(&str, &str)] = &[
        (
            "Created -> Stopped Halt",
            "missing `on` between the target state `Stopped` and the event `Halt`",
        ),
        (
            "Created Stopped on Halt",
            "missing `->` between the source state `Created` and `Stopped`",
        ),
        (
            "Created",
            "incomplete transition of `Worker`: expected `-> To on Event` after `Created`",
        ),
        ("Created ->", "expected a target state after `->`"),
        (
            "Created -> Stopped",
            "expected `on Event` after the target state `Stopped`",
        ),
        ("Created -> Stopped on", "expected an event name after `on`"),
        (
            "Created -> Stopped on Halt Now",
            "unexpected `Now` after the event `Halt`",
        ),
        (
            "Created | -> Stopped on Halt",
            "expected a source state after `|`",
        ),
        ("-> Stopped on Halt", "expected a source state"),
        (
            "Created => Stopped on Halt",
            "expected `->` after the source state `Created`",
        ),
        (
            "Created -> Stopped on Halt, gaurd = Self::f",
            "did you mean `guard`?",
        ),
        ("Created -> Stopped on Halt, guard", "needs a function"),
        (
            "Created -> Stopped on Halt, guard =",
            "expected a path to a function after `guard =`",
        ),
        (
            "Created -> Stopped on Halt, guard = true",
            "must be a path to a `fn(&Worker) -> bool`",
        ),
        (
            "Created -> Stopped on Halt, guard = 42",
            "must be a path to a `fn(&Worker) -> bool`",
        ),
        (
            "Created -> Stopped on Halt, guard = |w| true",
            "must name a function, not a closure",
        ),
        (
            "Created -> Stopped on Halt, action = Self::stop()",
            "not a call: write `action = Self::stop`",
        ),
        (
            "Created -> Stopped on Halt, action = \"stop\"",
            "`fn(&mut Worker) -> Result<(), E>`",
        ),
        (
            "Created -> Stopped on Halt, guard = a::f, guard = a::g",
            "`guard` is declared more than once",
        ),
        (
            "Created -> Stopped on Halt guard = a::f",
            "options follow a comma",
        ),
        ("type -> Stopped on Halt", "a keyword cannot name a state"),
    ];
    for (transition, expected) in cases {
        let messages = transition_errors(transition);
        assert_eq!(messages.len(), 1, "{transition}: {messages:#?}");
        assert!(
            messages[0].contains(expected),
            "{transition}: {:?} lacks {expected:?}",
            messages[0]
        );
        assert!(
            messages[0].contains("Worker"),
            "{transition}: {:?} does not name the component",
            messages[0]
        );
    }
}

#[test]
fn component_syntax_errors_say_what_is_missing() {
    let cases: &[(&str, &str)] = &[
        (
            "states(A B), initial = A",
            "expected `,` between the state names in `states(...)`",
        ),
        ("states(A), initial A", "expected `=` after `initial`"),
        ("states(A), initial(A)", "expected `=` after `initial`"),
        (
            "states(A), initial = 3",
            "expected a state name after `initial =`",
        ),
        (
            "states(A), initial = A terminal(A)",
            "separate the items with `,`",
        ),
        (
            "states(A), initial = A, terminal = A",
            "`terminal` of `Worker` takes a parenthesised list",
        ),
        (
            "states(A), initial = A, snapshot = 42",
            "expected a type implementing `Snapshot<Worker>`",
        ),
        (
            "states(A), initial = A, module = 7",
            "expected a module name after `module =`",
        ),
        (
            "states(A), initial = A, initial = A",
            "`initial` of `Worker` is declared more than once",
        ),
        (
            "states(A), states(B), initial = A",
            "`states` of `Worker` is declared more than once",
        ),
        (
            "states(A), initial = A, 42",
            "expected an item of `#[component(...)]` of `Worker`",
        ),
        (
            "states(A), initial = A, termnal(A)",
            "did you mean `terminal`?",
        ),
        (
            "states(A, type), initial = A",
            "a keyword cannot name a state",
        ),
    ];
    for (items, expected) in cases {
        let messages = component_errors(items);
        assert_eq!(messages.len(), 1, "{items}: {messages:#?}");
        assert!(
            messages[0].contains(expected),
            "{items}: {:?} lacks {expected:?}",
            messages[0]
        );
        assert!(
            messages[0].contains("Worker"),
            "{items}: {:?} does not name the component",
            messages[0]
        );
    }
}

// ---- the expansion never panics and always reports malformed input ----

/// Expands `source` (a struct with its attributes), failing the test if the
/// expansion panics or emits tokens that are not items.
fn expand_source(source: &str) -> String {
    let input = TokenStream::from_str(source).expect("balanced tokens");
    let output = catch_unwind(AssertUnwindSafe(|| crate::component::expand(input)))
        .unwrap_or_else(|_| panic!("the derive panicked on {source}"));
    if let Err(error) = syn::parse2::<syn::File>(output.clone()) {
        panic!("the derive emitted invalid items for {source}: {error}\n{output}");
    }
    output.to_string()
}

fn assert_reports_error(source: &str) {
    let output = expand_source(source);
    assert!(output.contains("compile_error"), "no error for {source}");
}

/// Malformed `#[component(...)]` contents, next to a valid transition.
#[rustfmt::skip]
const MALFORMED_COMPONENT: &[&str] = &[
    "", ",", ",,", "states", "states()", "states[A]", "states{A}", "states(A,,B)", "states(,A)",
    "states(A B)", "states(A::B)", "states(A<B>)", "states(1)", "states(\"A\")",
    "states(A), initial", "states(A), initial =", "states(A), initial = ",
    "states(A), initial == A", "states(A), initial = A B", "states(A), initial = (A)",
    "states(A), initial = A::B", "states(A), initial = B", "states(A), initial = A, terminal",
    "states(A), initial = A, terminal()", "states(A), initial = A, terminal(B)",
    "states(A), initial = A, terminal(A, A)", "states(A), initial = A, module",
    "states(A), initial = A, module =", "states(A), initial = A, module = type",
    "states(A), initial = A, module = a::b", "states(A), initial = A, snapshot",
    "states(A), initial = A, snapshot =", "states(A), initial = A, snapshot = ,",
    "states(A), initial = A, snapshot = <", "states(A), initial = A, unknown",
    "states(A), initial = A, unknown = 1", "states(A), initial = A, type = A",
    "states(A), initial = A, r#type = A", "states(A), initial = A; terminal(A)",
    "states(State), initial = State", "states(Event, A), initial = A", "initial = A",
    "terminal(A)", "states(A, A), initial = A", "states(A, B), initial = A",
    "states(A), initial = A, states(B)", "#", "#[x]", "->", "A -> B on C", "'a", "42",
    "states(A), initial = 'a", "states(A), initial = A,, terminal(A)",
    "states(A), initial = A, terminal(A),, ,", "states(A) initial = A",
    "states(self), initial = self", "states(Self), initial = Self", "states(_), initial = _",
];

/// Malformed `#[transition(...)]` contents, next to a valid component.
#[rustfmt::skip]
const MALFORMED_TRANSITION: &[&str] = &[
    "", ",", "A", "A ->", "A -> B", "A -> B on", "A -> B on C D", "A B on C", "A -> on C",
    "-> B on C", "A | -> B on C", "| A -> B on C", "A || B -> B on C", "A -> B | C on D",
    "A -> B on C, guard", "A -> B on C, guard =", "A -> B on C, guard = ,",
    "A -> B on C, guard = 1", "A -> B on C, guard = true", "A -> B on C, guard = |x| true",
    "A -> B on C, guard = f()", "A -> B on C, guard = Self::f Self::g",
    "A -> B on C, guard = #[attr] f", "A -> B on C, guard = <Self as T>::f, action = ",
    "A -> B on C, action = Self::f::<", "A -> B on C, gaurd = f", "A -> B on C, on = f",
    "A -> B on C, guard = f, guard = g", "A -> B on C, action = f, action = g",
    "A -> B on C, guard == f", "A -> B on C; guard = f", "A -> B on C guard = f", "A -> Z on C",
    "Z -> B on C", "A -> B on State", "A -> B on A", "B -> A on C", "A -> B on C, , ,",
    "(A) -> B on C", "A -> (B) on C", "A -> B on (C)", "A -> B on C, (guard = f)", "A - > B on C",
    "A > B on C", "A -> B -> C on D", "type -> B on C", "A -> B on type", "A -> B on self",
    "A -> B on C, 42 = f", "A -> B on C, guard = 'a", "A -> B on C, type = f",
];

#[test]
fn malformed_component_attributes_give_errors_and_no_panic() {
    for items in MALFORMED_COMPONENT {
        assert_reports_error(&format!(
            "#[component({items})] #[transition(A -> A on Go)] struct Worker;"
        ));
    }
}

#[test]
fn malformed_transition_attributes_give_errors_and_no_panic() {
    for transition in MALFORMED_TRANSITION {
        assert_reports_error(&format!(
            "#[component(states(A, B), initial = A, terminal(B))] #[transition(A -> B on Go)] \
             #[transition({transition})] struct Worker;"
        ));
    }
}

#[test]
fn malformed_attribute_forms_give_errors_and_no_panic() {
    let sources = [
        "struct Worker;",
        "#[component] struct Worker;",
        "#[component = 1] struct Worker;",
        "#[component[states(A)]] struct Worker;",
        "#[component{states(A)}] struct Worker;",
        "#[component(states(A), initial = A)] #[transition] struct Worker;",
        "#[component(states(A), initial = A)] #[transition = 1] struct Worker;",
        "#[component(states(A), initial = A)] #[transition()] struct Worker;",
        "#[component(states(A), initial = A)] #[transition[A -> A on B]] struct Worker;",
        "#[component(states(A), initial = A)] struct Loop;",
        "#[component(states(A), initial = A)] struct Self_;",
        "#[component(states(A), initial = A)] struct r#Type;",
        "#[component(states(A), initial = A)] struct __;",
        "#[component(states(A), initial = A)] struct Crate;",
        "#[component(states(A), initial = A)] struct Super;",
        "#[component(states(A))] enum Worker { X }",
        "#[component(states(A), initial = B)] union Worker { x: u8 }",
        "#[component(states(A), initial = A)] #[component(initial = A)] struct Worker;",
        "#[component(states(A), initial = A)] #[transition(A -> A on B)] #[transition(A -> A on B)] struct Worker<T>(T);",
    ];
    for source in sources {
        assert_reports_error(source);
    }
}

#[test]
fn input_that_is_not_a_struct_gives_an_error_and_no_panic() {
    for source in [
        "",
        "fn f() {}",
        "struct",
        "struct Worker",
        "#[component(states(A))]",
    ] {
        let input = TokenStream::from_str(source).expect("balanced tokens");
        let output = catch_unwind(AssertUnwindSafe(|| crate::component::expand(input)))
            .unwrap_or_else(|_| panic!("the derive panicked on {source}"));
        assert!(output.to_string().contains("compile_error"), "{source}");
    }
}

#[test]
fn valid_input_expands_without_errors() {
    for source in [
        "#[component(states(A, B), initial = A, terminal(B))] #[transition(A -> B on Go, guard = Self::f, action = <Self as T>::g)] struct Worker;",
        "#[component(states(A), initial = A)] #[transition(A -> A on Go)] pub(crate) struct Worker<T: Clone>(T);",
        "#[component(module = type_states, states(A), initial = A)] struct Type;",
        "#[component(states(A), initial = A)] #[component(snapshot = crate::Snap<u8, u16>)] enum Worker { X }",
        "#[component(states(A, B), initial = A)] #[transition(A -> B on Go, guard = Self::f::<u8, u16>)] struct Worker;",
        "#[component(states(A), initial = A)] #[transition(A -> A on Worker)] struct Worker<'a, T: 'a, const N: usize> where T: Clone { x: &'a [T; N] }",
    ] {
        let output = expand_source(source);
        assert!(!output.contains("compile_error"), "{source}:\n{output}");
    }
}

/// A token of the soups: names that mean something to the macro, keywords,
/// punctuation and literals, or a group of such tokens.
fn soup_token() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("A"),
        Just("B"),
        Just("Go"),
        Just("states"),
        Just("initial"),
        Just("terminal"),
        Just("module"),
        Just("snapshot"),
        Just("guard"),
        Just("action"),
        Just("on"),
        Just("State"),
        Just("Event"),
        Just("Self"),
        Just("self"),
        Just("type"),
        Just("_"),
        Just("->"),
        Just("|"),
        Just(","),
        Just("="),
        Just("::"),
        Just(";"),
        Just("<"),
        Just(">"),
        Just("&"),
        Just("#"),
        Just("!"),
        Just("-"),
        Just("42"),
        Just("\"s\""),
        Just("'a"),
        Just("true"),
        Just("r#A"),
    ]
    .prop_map(String::from);
    leaf.prop_recursive(3, 24, 6, |inner| {
        (0..3usize, prop::collection::vec(inner, 0..6)).prop_map(|(delimiter, tokens)| {
            let tokens = tokens.join(" ");
            match delimiter {
                0 => format!("({tokens})"),
                1 => format!("[{tokens}]"),
                _ => format!("{{{tokens}}}"),
            }
        })
    })
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(soup_token(), 0..14).prop_map(|tokens| tokens.join(" "))
}

/// The tokens of a valid declaration, to mutate one token at a time.
#[rustfmt::skip]
const VALID: &[&str] = &[
    "#", "[", "component", "(", "states", "(", "A", ",", "B", ")", ",", "initial", "=", "A", ",",
    "terminal", "(", "B", ")", ")", "]", "#", "[", "transition", "(", "A", "->", "B", "on", "Go",
    ",", "guard", "=", "Self", "::", "f", ")", "]", "struct", "Worker", ";",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random token soups in both attributes. Without `on` no transition can
    /// be valid, so the expansion must report an error; in every case it
    /// must not panic and must emit well-formed items.
    #[test]
    fn token_soups_never_panic(component_items in soup(), transition in soup()) {
        let source = format!("#[component({component_items})] #[transition({transition})] struct Worker;");
        let output = expand_source(&source);
        if !transition.split_whitespace().any(|token| token.trim_matches(|c| "([{}])".contains(c)) == "on") {
            prop_assert!(output.contains("compile_error"), "no error for {}", source);
        }
    }

    /// A valid declaration with one token deleted, replaced or inserted.
    #[test]
    fn mutated_declarations_never_panic(
        index in 0..VALID.len(),
        operation in 0..3usize,
        token in soup_token(),
    ) {
        let mut tokens: Vec<String> = VALID.iter().map(|t| (*t).to_owned()).collect();
        match operation {
            0 => { tokens.remove(index); }
            1 => tokens[index] = token,
            _ => tokens.insert(index, token),
        }
        let source = tokens.join(" ");
        // Deleting or replacing a bracket may unbalance the source: such a
        // source never reaches a derive, since rustc rejects it first.
        if let Ok(input) = TokenStream::from_str(&source) {
            let output = catch_unwind(AssertUnwindSafe(|| crate::component::expand(input)));
            prop_assert!(output.is_ok(), "the derive panicked on {}", source);
        }
    }
}
