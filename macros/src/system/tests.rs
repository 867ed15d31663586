//! Unit tests of the system validator and of the expansion's robustness,
//! as plain Rust (no compiler run needed).

use quote::quote;

use super::{attr, check};
use crate::ctxt::Ctxt;

/// The error messages for `input`, in order.
fn messages(input: proc_macro2::TokenStream) -> Vec<String> {
    let input: syn::DeriveInput = syn::parse2(input).expect("valid Rust");
    let mut cx = Ctxt::new();
    let decl = attr::parse(&mut cx, &input);
    let _ = check::check(&mut cx, &decl);
    cx.into_messages()
}

#[test]
fn a_valid_system_has_no_errors_and_plans_in_order() {
    let input: syn::DeriveInput = syn::parse2(quote! {
        #[system(lock_order(pool -> coordinator -> buffers))]
        struct Monitoring {
            pool: P,
            #[depends_on(pool)]
            coordinator: C,
            #[depends_on(pool, coordinator)]
            buffers: B,
        }
    })
    .expect("valid Rust");
    let mut cx = Ctxt::new();
    let decl = attr::parse(&mut cx, &input);
    let checked = check::check(&mut cx, &decl);
    assert!(cx.into_messages().is_empty());
    assert_eq!(checked.plan.init_order(), [0, 1, 2]);
    assert_eq!(checked.dependencies, [vec![], vec![0], vec![0, 1]]);
    assert_eq!(checked.lock_levels, [0, 1, 2]);
    assert_eq!(checked.lock_closure, [(0, 1), (0, 2), (1, 2)]);
}

#[test]
fn reports_every_independent_mistake_once() {
    let errors = messages(quote! {
        #[system(lock_order(pool -> stat, pool -> buffers -> pool))]
        struct Monitoring {
            #[depends_on(pool)]
            pool: P,
            #[depends_on(pol, buffers)]
            coordinator: C,
            #[depends_on(coordinator, coordinator)]
            buffers: B,
        }
    });
    assert_eq!(
        errors,
        [
            "`pool` depends on itself; remove `pool` from its `#[depends_on(...)]`",
            "`coordinator` depends on `pol`, which is not a part of `Monitoring`; did you mean `pool`?",
            "`buffers` depends on `coordinator` more than once; remove the repeated `coordinator`",
            "dependency cycle in `Monitoring`: `coordinator -> buffers -> coordinator` (each part depends on the next), so no part of it can be built first; remove one of these dependencies",
            "lock level `stat` in `lock_order(...)` is not a part of `Monitoring`; the parts are `pool`, `coordinator`, `buffers`",
            "lock-order cycle in `Monitoring`: `pool -> buffers -> pool`, so these locks have no order; remove one of these arrows",
        ]
    );
}

#[test]
fn a_cycle_names_the_whole_path() {
    let errors = messages(quote! {
        struct Plant {
            #[depends_on(b)] a: A,
            #[depends_on(c)] b: B,
            #[depends_on(d)] c: C,
            #[depends_on(a)] d: D,
        }
    });
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("`a -> b -> c -> d -> a`"),
        "{}",
        errors[0]
    );
}

#[test]
fn malformed_input_is_reported_not_panicked_on() {
    let cases = [
        quote!(
            enum NotAStruct {
                A,
            }
        ),
        quote!(
            struct Tuple(u8, u16);
        ),
        quote!(
            struct Unit;
        ),
        quote!(
            struct Generic<T> {
                part: T,
            }
        ),
        quote!(
            struct Empty {}
        ),
        quote!(
            #[system]
            struct S {
                a: u8,
            }
        ),
        quote!(
            #[system(lock_order)]
            struct S {
                a: u8,
            }
        ),
        quote!(
            #[system(lock_order(a ->))]
            struct S {
                a: u8,
            }
        ),
        quote!(
            #[system(lock_order(a b))]
            struct S {
                a: u8,
            }
        ),
        quote!(
            #[system(lock_ordr(a -> b))]
            struct S {
                a: u8,
                b: u8,
            }
        ),
        quote!(
            #[system(module = 3)]
            struct S {
                a: u8,
            }
        ),
        quote!(
            struct S {
                #[depends_on]
                a: u8,
            }
        ),
        quote!(
            struct S {
                #[depends_on = "a"]
                a: u8,
            }
        ),
        quote!(
            struct S {
                #[depends_on(a::b)]
                a: u8,
            }
        ),
        quote!(
            struct S {
                build: u8,
            }
        ),
        quote!(
            struct Self_ {
                r#type: u8,
                #[depends_on(r#type)]
                r#loop: u8,
            }
        ),
    ];
    for case in cases {
        // Must not panic, and must produce tokens that parse as items.
        let out = super::expand(case.clone());
        let parsed: syn::Result<syn::File> = syn::parse2(out);
        assert!(parsed.is_ok(), "unparsable expansion for {case}");
    }
    assert!(messages(quote!(
        #[system(lock_ordr(a -> b))]
        struct S {
            a: u8,
            b: u8,
        }
    ))[0]
        .contains("did you mean `lock_order`?"));
    assert!(messages(quote!(
        struct S {
            build: u8,
        }
    ))[0]
        .contains("`build()` method"));
}

#[test]
fn an_empty_system_expands() {
    let out = super::expand(quote!(
        struct Empty {}
    ));
    let text = out.to_string();
    assert!(text.contains("INIT_ORDER"));
    assert!(!text.contains("compile_error"));
}

/// Expands `input`: it must not panic, its output must parse as items, and
/// the messages of its errors are returned (empty for a valid system).
fn expand_messages(input: proc_macro2::TokenStream) -> Vec<String> {
    let out = super::expand(input.clone());
    let file: syn::File = syn::parse2(out.clone())
        .unwrap_or_else(|e| panic!("unparsable expansion ({e}) for {input}"));
    let mut messages = Vec::new();
    for item in &file.items {
        if let syn::Item::Macro(mac) = item {
            if mac.mac.path.is_ident("compile_error")
                || mac
                    .mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "compile_error")
            {
                messages.push(mac.mac.tokens.to_string());
            }
        }
    }
    messages
}

/// Every generated identifier declared in the module: type names of
/// structs and traits, so tests can check they are distinct.
fn declared_types(input: proc_macro2::TokenStream) -> Vec<String> {
    let file: syn::File = syn::parse2(super::expand(input)).expect("items");
    let mut names = Vec::new();
    fn walk(items: &[syn::Item], names: &mut Vec<String>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => names.push(s.ident.to_string()),
                syn::Item::Trait(t) => names.push(t.ident.to_string()),
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        let mut inner_names = Vec::new();
                        walk(inner, &mut inner_names);
                        names.extend(inner_names.into_iter().map(|n| format!("{}::{n}", m.ident)));
                    }
                }
                _ => {}
            }
        }
    }
    walk(&file.items, &mut names);
    names
}

fn assert_distinct(names: &[String]) {
    let mut sorted = names.to_vec();
    sorted.sort();
    let before = sorted.len();
    sorted.dedup();
    assert_eq!(
        before,
        sorted.len(),
        "colliding generated names: {names:#?}"
    );
}

#[test]
fn field_names_that_camel_case_to_no_identifier_are_valid() {
    // `_1` and `_0` camel-case to `1` and `0`; `__` to nothing; `self_` to `Self`.
    let input = quote! {
        #[system(lock_order(__ -> self_))]
        struct Odd {
            _1: u8,
            #[depends_on(_1)]
            _0: u8,
            __: OrderedMutex<u8, odd::level::Part>,
            self_: OrderedMutex<u8, odd::level::PartSelf>,
        }
    };
    assert_eq!(expand_messages(input.clone()), Vec::<String>::new());
    let names = declared_types(input);
    assert_distinct(&names);
    assert!(
        names.contains(&"odd::Part1IsVacant".to_owned()),
        "{names:#?}"
    );
    assert!(
        names.contains(&"odd::level::PartSelf".to_owned()),
        "{names:#?}"
    );
}

#[test]
fn fields_that_camel_case_alike_get_distinct_names() {
    let input = quote! {
        #[system(lock_order(buf_1 -> buf1))]
        struct Buffers {
            buf_1: OrderedMutex<u8, buffers::level::Buf1>,
            #[depends_on(buf_1)]
            buf1: OrderedMutex<u8, buffers::level::Buf12>,
        }
    };
    assert_eq!(expand_messages(input.clone()), Vec::<String>::new());
    assert_distinct(&declared_types(input));
}

#[test]
fn a_part_whose_methods_clash_is_one_error_at_its_name() {
    for (input, fragment) in [
        (
            quote!(struct Clash { x: u8, try_x: u8 }),
            "part `try_x` of `Clash` clashes with part `x`: the builder method `try_x()` already fallibly builds `x`",
        ),
        (
            quote!(struct Clash { try_x: u8, x: u8 }),
            "part `x` of `Clash` clashes with part `try_x`: the builder method `try_x()` already builds `try_x`",
        ),
    ] {
        let errors = expand_messages(input);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].contains(fragment), "{}", errors[0]);
    }
}

#[test]
fn self_in_a_part_type_names_the_system() {
    let input = quote! {
        struct Tree {
            children: Vec<Self>,
            #[depends_on(children)]
            parent: Option<Box<Self>>,
        }
    };
    assert_eq!(expand_messages(input.clone()), Vec::<String>::new());
    let text = super::expand(input).to_string();
    assert!(!text.contains("Self >"), "{text}");
    assert!(text.contains("Vec < Tree >"), "{text}");
}

#[test]
fn a_module_named_like_the_struct_is_an_error_with_a_valid_fix() {
    for (input, fragments) in [
        (
            quote!(
                #[system(module = Plant)]
                struct Plant {
                    a: u8,
                }
            ),
            &[
                "cannot be named `Plant` like the struct itself",
                "`module = plant_system`",
            ][..],
        ),
        // A snake-case name with a leading digit keeps its underscore, and
        // the fix for the struct's own name is valid Rust (not `2_system`).
        (
            quote!(
                struct _2 {
                    a: u8,
                }
            ),
            &["`#[system(module = _2_system)]`"][..],
        ),
        (
            quote!(
                struct Loop {
                    a: u8,
                }
            ),
            &["`#[system(module = loop_system)]`"][..],
        ),
    ] {
        let errors = expand_messages(input);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        for fragment in fragments {
            assert!(errors[0].contains(fragment), "{}", errors[0]);
        }
    }
    assert_eq!(
        expand_messages(quote!(
            struct _2A {
                a: u8,
            }
        )),
        Vec::<String>::new()
    );
}

#[test]
fn a_lock_order_syntax_mistake_is_one_error() {
    for (order, fragment) in [
        (quote!(a b), "expected `->` and the next part"),
        (quote!(a ->), "expected the name of a part after `->`"),
        (quote!(a -> 3), "expected the name of a part after `->`"),
        (
            quote!(, a),
            "expected the name of a part in `lock_order(...)`",
        ),
    ] {
        let errors = expand_messages(quote! {
            #[system(lock_order(#order))]
            struct S { a: u8, b: u8 }
        });
        assert_eq!(errors.len(), 1, "{order}: {errors:#?}");
        assert!(errors[0].contains(fragment), "{order}: {}", errors[0]);
    }
}
