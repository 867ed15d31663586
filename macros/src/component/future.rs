//! Code generation for async edges (`guard = async path`, `action = async
//! path`): the arms of `Component::step_async` and the typed move, which is
//! a future.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Ident;

use super::model::{Edge, Graph};
use crate::name::Name;

/// Whether the move awaits anything: its guard, its action, or one of its
/// exit or entry actions is async.
pub fn is_async(edge: &Edge) -> bool {
    (edge.guard.is_some() && edge.guard_async)
        || (edge.action.is_some() && edge.action_async)
        || edge.hooks_async
}

/// The body of one async move inside `step_async`: guard, then the action
/// (or the exit/action/entry chain) under one snapshot guard, awaiting what
/// is async; the value is the move's `Step`.
fn async_move(private: &TokenStream, module: &Ident, graph: &Graph, edge: &Edge) -> TokenStream {
    let to = &graph.states[edge.to];
    let refused = quote! {
        return #private::AsyncStep::refused(to, refusal)
    };
    // Spanned at the user's path, so that a wrong signature is reported
    // there. An async guard or action is awaited through
    // `catch_unwind_async` (a plain future, polled in place), which turns a
    // panic into a refusal; `into_async` makes a blocking function named
    // `async` an error at the user's path first.
    let guard = edge.guard.as_ref().map(|path| {
        if edge.guard_async {
            quote_spanned! {path.span()=>
                if let ::core::result::Result::Err(refusal) = #private::guard_verdict(
                    #private::catch_unwind_async(#private::into_async(#path(&*data))).await,
                ) { #refused }
            }
        } else {
            quote_spanned! {path.span()=>
                if let ::core::result::Result::Err(refusal) = {
                    let guard: fn(&Self) -> bool = #path;
                    #private::run_guard(&*data, guard)
                } { #refused }
            }
        }
    });
    // The action's step, its value a `Result<(), Refusal>`, on `data`.
    let action_step = |data: TokenStream| {
        edge.action.as_ref().map(|path| {
            if edge.action_async {
                quote_spanned! {path.span()=>
                    #private::action_verdict(
                        #private::catch_unwind_async(#private::into_async(#path(#data))).await,
                    )
                }
            } else {
                quote_spanned! {path.span()=> {
                    let action: fn(&mut Self) -> ::core::result::Result<(), _> = #path;
                    #private::run_chained_action(#data, action)
                }}
            }
        })
    };
    let action = if edge.has_hooks() {
        let data = quote!(snapshot.data());
        let chain = super::nested::async_chain(
            graph,
            (&edge.exits, &edge.entries),
            &data,
            action_step(data.clone()),
        );
        Some(quote! {{
            let mut snapshot = #private::ActionGuard::<Self>::new(data);
            let outcome = #chain;
            if let ::core::result::Result::Err(refusal) = snapshot.settle(outcome) { #refused }
        }})
    } else if edge.action_async {
        action_step(quote!(snapshot.data())).map(|step| {
            quote! {{
                let mut snapshot = #private::ActionGuard::<Self>::new(data);
                let outcome = #step;
                if let ::core::result::Result::Err(refusal) = snapshot.settle(outcome) { #refused }
            }}
        })
    } else {
        // A sync action runs under its own snapshot, as in `step`.
        edge.action.as_ref().map(|path| {
            quote_spanned! {path.span()=>
                if let ::core::result::Result::Err(refusal) = {
                    let action: fn(&mut Self) -> ::core::result::Result<(), _> = #path;
                    #private::run_action(data, action)
                } { #refused }
            }
        })
    };
    quote! {{
        let to = #module::State::#to;
        #guard
        #action
        #private::AsyncStep::moved(to)
    }}
}

/// `Component::step_async`, when the component has an async edge: one
/// `async` block whose arms run each async move (`async_move`); a move into
/// a superstate with `history` picks its leaf's move from the memory first.
/// Sync edges go to `step`.
pub fn step_async(private: &TokenStream, module: &Ident, graph: &Graph) -> Option<TokenStream> {
    let states = &graph.states;
    let events = &graph.events;
    let arms = graph
        .edges
        .iter()
        .filter(|edge| is_async(edge) && edge.first)
        .map(|edge| {
            let from = &states[edge.from];
            let event = &events[edge.event];
            let body = match edge.resume {
                Some(target) => {
                    let pick = super::nested::entered(module, graph, target);
                    let variants = graph.edges.iter().filter(|e| {
                        e.from == edge.from && e.event == edge.event && e.resume.is_some()
                    });
                    let leaves = variants.clone().map(|e| &states[e.to]);
                    let moves = variants.map(|e| async_move(private, module, graph, e));
                    let first = async_move(private, module, graph, edge);
                    quote! {
                        match #pick {
                            #(#module::State::#leaves => #moves)*
                            _ => #first
                        }
                    }
                }
                None => async_move(private, module, graph, edge),
            };
            quote!((#module::State::#from, #module::Event::#event) => #body)
        })
        .collect::<Vec<_>>();
    if arms.is_empty() {
        return None;
    }
    Some(quote! {
        #[inline]
        fn step_async(
            data: &mut Self,
            from: #module::State,
            event: #module::Event,
        ) -> impl ::core::future::Future<Output = #private::AsyncStep<Self>> + '_ {
            <Self as #private::Component>::step_async_with_memory(data, from, event, &[])
        }

        #[allow(unused_variables)]
        fn step_async_with_memory<'a>(
            data: &'a mut Self,
            from: #module::State,
            event: #module::Event,
            memory: &'a [::core::option::Option<#module::State>],
        ) -> impl ::core::future::Future<Output = #private::AsyncStep<Self>> + 'a {
            async move {
                #[allow(unreachable_patterns)]
                match (from, event) {
                    #(#arms)*
                    _ => #private::AsyncStep::from_step(
                        <Self as #private::Component>::step_with_memory(data, from, event, memory),
                    ),
                }
            }
        }
    })
}

/// The output type and body of a typed handle's move along an async edge:
/// `output` (one of the `TypedAsyncMove` aliases: `AsyncMove`,
/// `AsyncResume`, `AsyncWithinMove`), awaited (boxed, `Send`) or run with
/// `.run()`.
pub fn typed_move(
    private: &TokenStream,
    module: &Ident,
    event: &Name,
    output: TokenStream,
) -> (TokenStream, TokenStream) {
    (
        output,
        quote! {
            #private::TypedAsyncMove::new(from, #module::Event::#event, |step| {
                ::std::boxed::Box::pin(step.run())
            })
        },
    )
}
