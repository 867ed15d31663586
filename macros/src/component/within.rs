//! Code generation for typed handles and `history`: the memory a typed
//! handle carries (`Component::Memory`), the typed move into a superstate
//! with `history` (a `Within` handle, its leaf picked at run time), the
//! moves declared on such a superstate (`SuperTransition`), and the enum of
//! its leaves' handles (`Leaves`, `led::InBlinking`).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Generics, Ident};

use super::future::is_async;
use super::model::{Edge, Graph};

/// The enum of a superstate's leaf handles: `InBlinking`.
fn leaf_enum(graph: &Graph, node: usize) -> Ident {
    Ident::new(
        &format!("In{}", graph.tree.nodes[node].name),
        Span::call_site(),
    )
}

/// `type Memory`: one slot per superstate with `history`, or `()`.
pub fn memory_type(module: &Ident, graph: &Graph) -> TokenStream {
    match graph.tree.history_superstates().len() {
        0 => quote!(
            type Memory = ();
        ),
        n => quote!(type Memory = [::core::option::Option<#module::State>; #n];),
    }
}

/// The output type and body of the typed move along `edge` into a
/// superstate with `history` (`edge.resume`): a `Within` handle, in a
/// `Result` when any leaf it may resume can refuse it.
pub fn resume_move(
    private: &TokenStream,
    module: &Ident,
    ty: &TokenStream,
    graph: &Graph,
    edge: &Edge,
    target: usize,
) -> (TokenStream, TokenStream) {
    let superstate = &graph.tree.nodes[target].name;
    let (from, event) = (&graph.states[edge.from], &graph.events[edge.event]);
    let fallible = graph
        .edges
        .iter()
        .filter(|e| e.from == edge.from && e.event == edge.event)
        .any(Edge::is_fallible);
    let within = quote!(#private::Within<#ty, #module::#superstate>);
    if fallible {
        (
            quote!(::core::result::Result<#within, #private::Rejected<#ty, #module::#from>>),
            quote!(#private::resume(from, #module::Event::#event)),
        )
    } else {
        (
            within,
            quote!(#private::resume_infallible(from, #module::Event::#event)),
        )
    }
}

/// Inside the state module: one enum per superstate with `history`, of its
/// leaves' typed handles, generic over the component.
pub fn leaf_enums(component: &str, graph: &Graph) -> TokenStream {
    let mut out = TokenStream::new();
    for node in graph.tree.history_superstates() {
        let name = leaf_enum(graph, node);
        let superstate = &graph.tree.nodes[node].name;
        let doc = format!(
            "The handle of `{component}` in one leaf of `{superstate}`, from \
             `Within::into_leaf`: match it to go on from that leaf."
        );
        let leaves: Vec<_> = graph
            .leaf_states(node)
            .into_iter()
            .map(|leaf| &graph.states[leaf])
            .collect();
        let docs = leaves
            .iter()
            .map(|leaf| format!("In `{leaf}`."))
            .collect::<Vec<_>>();
        out.extend(quote! {
            #[doc = #doc]
            pub enum #name<C: ::typestep::component::Component> {
                #(
                    #[doc = #docs]
                    #leaves(::typestep::component::Typed<C, #leaves>),
                )*
            }
        });
    }
    out
}

/// Outside the module: `Leaves` for each superstate with `history`, and
/// `SuperTransition` for each event that every leaf of it accepts with one
/// target (declared on it or above; not async, not resuming).
pub fn within_impls(
    private: &TokenStream,
    module: &Ident,
    ty: &TokenStream,
    generics: &Generics,
    graph: &Graph,
) -> TokenStream {
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let mut out = TokenStream::new();
    for node in graph.tree.history_superstates() {
        let superstate = &graph.tree.nodes[node].name;
        let name = leaf_enum(graph, node);
        let leaves = graph.leaf_states(node);
        let Some((&last, rest)) = leaves.split_last() else {
            continue;
        };
        let arms = rest.iter().map(|&leaf| {
            let leaf = &graph.states[leaf];
            quote!(#module::State::#leaf => #module::#name::#leaf(#private::within_leaf(within)),)
        });
        let last = &graph.states[last];
        out.extend(quote! {
            #[automatically_derived]
            impl #impl_generics #private::Leaves<#ty> for #module::#superstate #where_clause {
                type Leaf = #module::#name<#ty>;

                #[inline]
                fn split(within: #private::Within<#ty, Self>) -> Self::Leaf {
                    #[allow(unreachable_patterns)]
                    match within.state() {
                        #(#arms)*
                        // A `Within` handle is only ever in a leaf of `Self`.
                        _ => #module::#name::#last(#private::within_leaf(within)),
                    }
                }
            }
        });
        for event in 0..graph.events.len() {
            let moves: Vec<&Edge> = leaves
                .iter()
                .filter_map(|&leaf| {
                    graph
                        .edges
                        .iter()
                        .find(|e| e.first && e.from == leaf && e.event == event)
                })
                .collect();
            let Some(first) = moves.first() else { continue };
            let uniform = moves.len() == leaves.len()
                && moves
                    .iter()
                    .all(|e| e.to == first.to && e.resume.is_none() && !is_async(e));
            if !uniform {
                continue;
            }
            let (to, event_name) = (&graph.states[first.to], &graph.events[event]);
            let next = quote!(#private::Typed<#ty, #module::#to>);
            let (output, body) = if moves.iter().any(|e| e.is_fallible()) {
                (
                    quote!(::core::result::Result<#next, #private::RejectedWithin<#ty, #module::#superstate>>),
                    quote!(#private::leave_within(from, #module::Event::#event_name)),
                )
            } else {
                (next, quote!(#private::leave_within_infallible(from)))
            };
            out.extend(quote! {
                #[automatically_derived]
                impl #impl_generics #private::SuperTransition<#ty, #module::#superstate> for #module::#event_name #where_clause {
                    type Output = #output;
                    #[inline]
                    fn apply(self, from: #private::Within<#ty, #module::#superstate>) -> Self::Output {
                        #body
                    }
                }
            });
        }
    }
    out
}
