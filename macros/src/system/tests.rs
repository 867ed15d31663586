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
