//! Code generation for typed handles and `history`: the memory a typed
//! handle carries (`Component::Memory`), the typed move into a superstate
//! with `history` (a `Within` handle, its leaf picked at run time), the
//! moves declared on such a superstate (`SuperTransition`), and the enum of
//! its leaves' handles (`Leaves`, `led::InBlinking`).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Generics, Ident};

use super::future::{is_async, typed_move};
use super::model::{Edge, Graph};

/// The superstates a `Within` handle may stand for: those with `history`,
/// and any a move resumes through its `initial` (a superstate whose
/// `initial` child has `history`), in node order.
fn within_nodes(graph: &Graph) -> Vec<usize> {
    let mut nodes = graph.tree.history_superstates();
    // The derive reports a state named like a `history` superstate's leaf
    // enum; for one resumed through its `initial` child a clashing name
    // leaves it without the enum (and its `Within` without `into_leaf`)
    // rather than a rustc error at generated code.
    let free = |node: usize| {
        let name = format!("In{}", graph.tree.nodes[node].name);
        !graph.tree.nodes.iter().any(|n| n.name == *name.as_str())
            && !graph.events.iter().any(|e| *e == *name.as_str())
    };
    nodes.extend(
        graph
            .edges
            .iter()
            .filter_map(|e| e.resume)
            .filter(|&n| free(n)),
    );
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

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

/// Inside the state module: one enum per superstate a `Within` handle may
/// stand for (see `within_nodes`), of its
/// leaves' typed handles, generic over the component.
pub fn leaf_enums(component: &str, graph: &Graph) -> TokenStream {
    let mut out = TokenStream::new();
    for node in within_nodes(graph) {
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

/// Outside the module: `Leaves` for each superstate a `Within` handle may
/// stand for, and `SuperTransition` for each event that every leaf of it
/// accepts with one target, a leaf or a resumed superstate (declared on it
/// or above; an `AsyncWithinMove` when any leaf's move is async).
pub fn within_impls(
    private: &TokenStream,
    module: &Ident,
    ty: &TokenStream,
    generics: &Generics,
    graph: &Graph,
) -> TokenStream {
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let mut out = TokenStream::new();
    for node in within_nodes(graph) {
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
            // Every variant of each leaf's move (one per leaf a resuming
            // move may enter): async if any is, else fallible if any is.
            let variants = || {
                moves.iter().flat_map(|m| {
                    graph
                        .edges
                        .iter()
                        .filter(move |e| e.from == m.from && e.event == m.event)
                })
            };
            let uniform = moves.len() == leaves.len()
                && moves.iter().all(|e| match first.resume {
                    Some(target) => e.resume == Some(target),
                    None => e.to == first.to && e.resume.is_none(),
                });
            if !uniform {
                continue;
            }
            let event_name = &graph.events[event];
            let fallible = variants().any(Edge::is_fallible);
            let rejected = quote!(#private::RejectedWithin<#ty, #module::#superstate>);
            let next = match first.resume {
                Some(target) => {
                    let next = &graph.tree.nodes[target].name;
                    quote!(#private::Within<#ty, #module::#next>)
                }
                None => {
                    let to = &graph.states[first.to];
                    quote!(#private::Typed<#ty, #module::#to>)
                }
            };
            let (output, body) = match first.resume {
                // An async move, whatever its target: a future of the next
                // handle.
                _ if variants().any(is_async) => typed_move(
                    private,
                    module,
                    event_name,
                    quote!(#private::AsyncWithinMove<#ty, #module::#superstate, #next>),
                ),
                // Into a superstate whose leaf is decided at run time (a
                // self-transition on a superstate with `history` resumes
                // the leaf it was in): another `Within` handle.
                Some(_) => {
                    if fallible {
                        (
                            quote!(::core::result::Result<#next, #rejected>),
                            quote!(#private::move_within(from, #module::Event::#event_name)),
                        )
                    } else {
                        (
                            next,
                            quote!(#private::move_within_infallible(from, #module::Event::#event_name)),
                        )
                    }
                }
                None => {
                    if fallible {
                        (
                            quote!(::core::result::Result<#next, #rejected>),
                            quote!(#private::leave_within(from, #module::Event::#event_name)),
                        )
                    } else {
                        (next, quote!(#private::leave_within_infallible(from)))
                    }
                }
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
