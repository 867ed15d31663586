//! Code generation for async edges (`guard = async path`, `action = async
//! path`): the arms of `Component::step_async` and the typed move, which is
//! a future.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Ident;

use super::check::{Edge, Graph};
use crate::name::Name;

/// Whether the edge's guard or action is async.
pub fn is_async(edge: &Edge) -> bool {
    (edge.guard.is_some() && edge.guard_async) || (edge.action.is_some() && edge.action_async)
}

/// `Component::step_async`, when the component has an async edge: one
/// `async` block whose arms run guard, then action under a snapshot guard,
/// awaiting what is async. Sync edges go to `step`.
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
            // Into a superstate with `history`, the leaf it resumes (an
            // async move runs no entry actions, so only the leaf differs).
            let to = match edge.resume {
                Some(target) => super::nested::entered(module, graph, target),
                None => {
                    let to = &states[edge.to];
                    quote!(#module::State::#to)
                }
            };
            let refused = quote! {
                return #private::Step::Refused { to, refusal }
            };
            // Spanned at the user's path, so that a wrong signature is
            // reported there.
            // An async guard or action is polled in place (no wrapping
            // future) through `poll_caught`, which turns a panic into a
            // refusal; `into_async` makes a blocking function named `async`
            // an error at the user's path first.
            let guard = edge.guard.as_ref().map(|path| {
                if edge.guard_async {
                    quote_spanned! {path.span()=>
                        if let ::core::result::Result::Err(refusal) = {
                            let mut guard = ::core::pin::pin!(#private::into_async(#path(&*data)));
                            #private::guard_verdict(
                                ::core::future::poll_fn(|cx| #private::poll_caught(guard.as_mut(), cx)).await,
                            )
                        } { #refused }
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
            let action = edge.action.as_ref().map(|path| {
                if edge.action_async {
                    quote_spanned! {path.span()=> {
                        let mut snapshot = #private::ActionGuard::<Self>::new(data);
                        let outcome = {
                            let mut action = ::core::pin::pin!(#private::into_async(#path(snapshot.data())));
                            ::core::future::poll_fn(|cx| #private::poll_caught(action.as_mut(), cx)).await
                        };
                        if let ::core::result::Result::Err(refusal) = snapshot.finish(outcome) { #refused }
                    }}
                } else {
                    quote_spanned! {path.span()=>
                        if let ::core::result::Result::Err(refusal) = {
                            let action: fn(&mut Self) -> ::core::result::Result<(), _> = #path;
                            #private::run_action(data, action)
                        } { #refused }
                    }
                }
            });
            quote! {
                (#module::State::#from, #module::Event::#event) => {
                    let to = #to;
                    #guard
                    #action
                    #private::Step::Moved(to)
                }
            }
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
        ) -> impl ::core::future::Future<Output = #private::Step<Self>> + '_ {
            <Self as #private::Component>::step_async_with_memory(data, from, event, &[])
        }

        #[allow(unused_variables)]
        fn step_async_with_memory<'a>(
            data: &'a mut Self,
            from: #module::State,
            event: #module::Event,
            memory: &'a [::core::option::Option<#module::State>],
        ) -> impl ::core::future::Future<Output = #private::Step<Self>> + 'a {
            async move {
                #[allow(unreachable_patterns)]
                match (from, event) {
                    #(#arms)*
                    _ => <Self as #private::Component>::step_with_memory(data, from, event, memory),
                }
            }
        }
    })
}

/// The output type and body of the typed move along an async edge: an
/// `AsyncMove`, awaited (boxed, `Send`) or run with `.run()`.
pub fn typed_move(
    private: &TokenStream,
    module: &Ident,
    ty: &TokenStream,
    event: &Name,
    from: &Name,
    to: &Name,
) -> (TokenStream, TokenStream) {
    (
        quote!(#private::AsyncMove<#ty, #module::#from, #module::#to>),
        quote! {
            #private::AsyncMove::new(from, #module::Event::#event, |step| {
                ::std::boxed::Box::pin(step.run())
            })
        },
    )
}
