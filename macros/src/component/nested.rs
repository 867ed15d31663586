//! Code generation for nested states: the superstate types, the `Region`
//! impls behind `is_in`, `Component::NESTING`, and the exit/action/entry
//! chain of a move that leaves or enters states with actions.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Generics, Ident};

use super::model::{Edge, Graph};

/// The hidden function that runs the exit (or entry) action of `node`.
fn hook_fn(node: usize, exit: bool) -> Ident {
    let kind = if exit { "exit" } else { "entry" };
    Ident::new(&format!("__typestep_{kind}_{node}"), Span::call_site())
}

/// One hidden function per exit or entry action, each naming the user's
/// path once (spanned there, so a wrong signature is reported once, at it).
/// An `async` action's function returns the future of its refusal.
pub fn hook_fns(graph: &Graph) -> TokenStream {
    let mut out = TokenStream::new();
    for (index, node) in graph.tree.nodes.iter().enumerate() {
        for (exit, hook) in [(true, &node.exit), (false, &node.entry)] {
            let Some(hook) = hook else { continue };
            let path = &hook.path;
            let function = hook_fn(index, exit);
            let step = format!("{} of {}", if exit { "exit" } else { "entry" }, node.name);
            out.extend(if hook.is_async {
                let call = quote_spanned! {path.span()=>
                    ::typestep::__private::run_hook_async(#step, ::typestep::__private::into_async(#path(data)))
                };
                quote! {
                    #[doc(hidden)]
                    #[allow(dead_code, non_snake_case)]
                    #[inline]
                    fn #function(data: &mut Self) -> impl ::core::future::Future<
                        Output = ::core::result::Result<(), ::typestep::__private::Refusal>,
                    > + '_ {
                        #call
                    }
                }
            } else {
                let call = quote_spanned! {path.span()=>
                    let hook: fn(&mut Self) -> ::core::result::Result<(), _> = #path;
                    ::typestep::__private::run_hook(data, #step, hook)
                };
                quote! {
                    #[doc(hidden)]
                    #[allow(dead_code, non_snake_case)]
                    #[inline]
                    fn #function(data: &mut Self) -> ::core::result::Result<(), ::typestep::__private::Refusal> {
                        #call
                    }
                }
            });
        }
    }
    out
}

/// The wrapped action of an edge with exit or entry actions: exits,
/// the transition's action, entries, all under one snapshot.
pub fn chain(edge: &Edge) -> TokenStream {
    let exits = edge.exits.iter().map(|&node| hook_fn(node, true));
    let entries = edge.entries.iter().map(|&node| hook_fn(node, false));
    let action = edge.action.as_ref().map(|path| {
        quote_spanned! {path.span()=> {
            let action: fn(&mut Self) -> ::core::result::Result<(), _> = #path;
            ::typestep::__private::run_chained_action(data, action)?;
        }}
    });
    quote! {
        ::core::option::Option::Some(|data: &mut Self| {
            ::typestep::__private::run_chain(data, |data: &mut Self| -> ::core::result::Result<(), ::typestep::__private::Refusal> {
                #(Self::#exits(data)?;)*
                #action
                #(Self::#entries(data)?;)*
                ::core::result::Result::Ok(())
            })
        })
    }
}

/// The steps of an async move's chain, inside `step_async`: exits, the
/// transition's action, entries, each awaited when it is `async`, as one
/// labelled block whose value is the first refusal (or `Ok`). `data` is
/// the `&mut Self` the steps borrow in turn (the move's snapshot guard
/// holds it); `action` is the action's step, written by the caller.
pub fn async_chain(
    graph: &Graph,
    (exits, entries): (&[usize], &[usize]),
    data: &TokenStream,
    action: Option<TokenStream>,
) -> TokenStream {
    let nodes = &graph.tree.nodes;
    let step = |node: usize, exit: bool| {
        let function = hook_fn(node, exit);
        let hook = if exit {
            &nodes[node].exit
        } else {
            &nodes[node].entry
        };
        let awaited = hook
            .as_ref()
            .is_some_and(|h| h.is_async)
            .then(|| quote!(.await));
        quote! {
            if let ::core::result::Result::Err(refusal) = Self::#function(#data) #awaited {
                break 'chain ::core::result::Result::Err(refusal);
            }
        }
    };
    let exits = exits.iter().map(|&node| step(node, true));
    let entries = entries.iter().map(|&node| step(node, false));
    let action = action.map(|action| {
        quote! {
            if let ::core::result::Result::Err(refusal) = #action {
                break 'chain ::core::result::Result::Err(refusal);
            }
        }
    });
    quote! {
        'chain: {
            #(#exits)*
            #action
            #(#entries)*
            ::core::result::Result::<(), ::typestep::__private::Refusal>::Ok(())
        }
    }
}

/// `Component::enter_initial` (and `enter_initial_async` when one of them is
/// `async`), when a state of the initial configuration has an entry action:
/// the entries of the initial leaf's ancestors, outermost first, then its
/// own, under one snapshot.
pub fn initial_entries(private: &TokenStream, graph: &Graph) -> TokenStream {
    let tree = &graph.tree;
    let Some(leaf) = graph
        .initial
        .and_then(|initial| tree.nodes.iter().position(|n| n.leaf == Some(initial)))
    else {
        return TokenStream::new();
    };
    let mut entries: Vec<usize> = tree
        .ancestors(leaf)
        .filter(|&n| tree.nodes[n].entry.is_some())
        .collect();
    if entries.is_empty() {
        return TokenStream::new();
    }
    entries.reverse();
    let awaits = entries
        .iter()
        .any(|&n| tree.nodes[n].entry.as_ref().is_some_and(|h| h.is_async));
    if awaits {
        let chain = async_chain(graph, (&[], &entries), &quote!(snapshot.data()), None);
        return quote! {
            #[inline]
            fn enter_initial(data: &mut Self) -> ::core::result::Result<(), #private::Refusal> {
                let _ = data;
                ::core::result::Result::Err(#private::Refusal::NeedsAsync)
            }

            fn enter_initial_async(
                data: &mut Self,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<(), #private::Refusal>> + '_ {
                async move {
                    let mut snapshot = #private::ActionGuard::<Self>::new(data);
                    let outcome = #chain;
                    snapshot.settle(outcome)
                }
            }
        };
    }
    let entries = entries.iter().map(|&node| hook_fn(node, false));
    quote! {
        #[inline]
        fn enter_initial(data: &mut Self) -> ::core::result::Result<(), #private::Refusal> {
            #private::run_chain(data, |data: &mut Self| -> ::core::result::Result<(), #private::Refusal> {
                #(Self::#entries(data)?;)*
                ::core::result::Result::Ok(())
            })
        }
    }
}

/// The superstates' zero-sized types, next to the leaves' in the module.
pub fn superstate_types(component: &str, graph: &Graph) -> TokenStream {
    let supers: Vec<_> = graph
        .tree
        .nodes
        .iter()
        .filter(|n| !n.children.is_empty())
        .map(|n| &n.name)
        .collect();
    let docs = supers.iter().map(|s| {
        format!("Superstate `{s}` of `{component}`: the states nested in it, for `is_in`.")
    });
    let names = supers.iter().map(|s| s.to_string());
    quote! {
        #(
            #[doc = #docs]
            pub struct #supers;

            #[automatically_derived]
            impl ::core::clone::Clone for #supers {
                #[inline]
                fn clone(&self) -> Self { *self }
            }

            #[automatically_derived]
            impl ::core::marker::Copy for #supers {}

            #[automatically_derived]
            impl ::core::fmt::Debug for #supers {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(#names)
                }
            }
        )*
    }
}

/// `Region` for every superstate type: the leaves it stands for (a leaf's
/// type has it through core's impl for every `StateMarker`).
pub fn region_impls(
    private: &TokenStream,
    module: &Ident,
    ty: &TokenStream,
    generics: &Generics,
    graph: &Graph,
) -> TokenStream {
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let tree = &graph.tree;
    let supers = tree.superstates();
    let impls = supers.iter().enumerate().map(|(at, &index)| {
        let name = &tree.nodes[index].name;
        let leaves = graph
            .leaf_states(index)
            .into_iter()
            .map(|leaf| &graph.states[leaf]);
        quote! {
            #[automatically_derived]
            impl #impl_generics #private::Region<#ty> for #module::#name #where_clause {
                #[inline]
                fn contains(state: #module::State) -> bool {
                    ::core::matches!(state, #(#module::State::#leaves)|*)
                }
                const SUPERSTATE: ::core::option::Option<usize> = ::core::option::Option::Some(#at);
            }
        }
    });
    quote!(#(#impls)*)
}

/// `Component::NESTING`, when there is any superstate.
pub fn nesting_const(private: &TokenStream, module: &Ident, graph: &Graph) -> TokenStream {
    let tree = &graph.tree;
    let supers = tree.superstates();
    if supers.is_empty() {
        return TokenStream::new();
    }
    let entries = supers.iter().map(|&n| {
        let node = &tree.nodes[n];
        let name = node.name.to_string();
        let parent = match node
            .parent
            .and_then(|p| supers.iter().position(|&s| s == p))
        {
            Some(p) => quote!(::core::option::Option::Some(#p)),
            None => quote!(::core::option::Option::None),
        };
        let leaves = node
            .children
            .iter()
            .filter_map(|&c| tree.nodes[c].leaf)
            .map(|leaf| &graph.states[leaf]);
        let (has_entry, has_exit) = (node.entry.is_some(), node.exit.is_some());
        quote! {
            #private::Superstate {
                name: #name, parent: #parent, leaves: &[#(#module::State::#leaves),*],
                has_entry: #has_entry, has_exit: #has_exit,
            }
        }
    });
    let history: Vec<usize> = supers
        .iter()
        .enumerate()
        .filter(|(_, &n)| tree.nodes[n].history)
        .map(|(at, _)| at)
        .collect();
    let history =
        (!history.is_empty()).then(|| quote!(const HISTORY: &'static [usize] = &[#(#history),*];));
    quote! {
        const NESTING: &'static [#private::Superstate<#module::State>] = &[#(#entries),*];
        #history
    }
}

/// The hidden function that picks the leaf entered when `node` is entered
/// by default.
fn enter_fn(node: usize) -> Ident {
    Ident::new(&format!("__typestep_enter_{node}"), Span::call_site())
}

/// The leaf entered when `node` is entered by default: a constant, or a
/// call of its `enter_fn` when a superstate with `history` decides.
pub fn entered(module: &Ident, graph: &Graph, node: usize) -> TokenStream {
    let tree = &graph.tree;
    if tree.resumes(node) {
        let function = enter_fn(node);
        return quote!(Self::#function(memory, from));
    }
    // No `initial` on the way is reported already; the first leaf stands in.
    let leaf = tree
        .leaf_of(node)
        .or_else(|| tree.leaves_under(node).first().copied())
        .unwrap_or(node);
    let name = &tree.nodes[leaf].name;
    quote!(#module::State::#name)
}

/// One hidden function per superstate whose default entry is decided at
/// run time: with `history`, the child holding the leaf it remembers (the
/// leaf the machine is in, if it is inside), else its `initial`.
pub fn enter_fns(module: &Ident, graph: &Graph) -> TokenStream {
    let tree = &graph.tree;
    let supers = tree.superstates();
    let history = tree.history_superstates();
    let mut out = TokenStream::new();
    for &node in supers.iter().filter(|&&n| tree.resumes(n)) {
        let function = enter_fn(node);
        let here = &tree.nodes[node];
        let initial = here.initial.map(|i| entered(module, graph, i));
        let body = match history.iter().position(|&h| h == node) {
            Some(slot) => {
                let name = &here.name;
                let arms = here.children.iter().map(|&child| {
                    let leaves = tree
                        .leaves_under(child)
                        .into_iter()
                        .map(|leaf| &tree.nodes[leaf].name);
                    let enter = entered(module, graph, child);
                    quote!(::core::option::Option::Some(#(#module::State::#leaves)|*) => #enter,)
                });
                quote! {
                    let last = if <#module::#name as __typestep::Region<Self>>::contains(from) {
                        ::core::option::Option::Some(from)
                    } else {
                        memory.get(#slot).copied().flatten()
                    };
                    #[allow(unreachable_patterns)]
                    match last {
                        #(#arms)*
                        _ => #initial,
                    }
                }
            }
            None => quote!(#initial),
        };
        out.extend(quote! {
            #[doc(hidden)]
            #[allow(dead_code, unused_variables)]
            #[inline]
            fn #function(memory: &[::core::option::Option<#module::State>], from: #module::State) -> #module::State {
                #body
            }
        });
    }
    out
}

/// `edge_with_memory` and `step_with_memory`, when a move's leaf is decided
/// at run time: its arm asks the target's `enter_fn` which leaf, and takes
/// that leaf's edge.
pub fn with_memory(
    private: &TokenStream,
    module: &Ident,
    graph: &Graph,
    edge_value: &dyn Fn(usize, &Edge) -> TokenStream,
    step_value: &dyn Fn(usize, &Edge) -> TokenStream,
) -> TokenStream {
    let mut edge_arms = Vec::new();
    let mut step_arms = Vec::new();
    for (index, edge) in graph.edges.iter().enumerate() {
        let (Some(target), true) = (edge.resume, edge.first) else {
            continue;
        };
        let variants: Vec<(usize, &Edge)> = graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.from == edge.from && e.event == edge.event && e.resume.is_some())
            .collect();
        let leaves: Vec<_> = variants.iter().map(|(_, e)| &graph.states[e.to]).collect();
        let pick = entered(module, graph, target);
        let (from, event) = (&graph.states[edge.from], &graph.events[edge.event]);
        let edges = variants.iter().map(|&(i, e)| edge_value(i, e));
        let first_edge = edge_value(index, edge);
        edge_arms.push(quote! {
            (#module::State::#from, #module::Event::#event) => ::core::option::Option::Some(match #pick {
                #(#module::State::#leaves => #edges,)*
                _ => #first_edge,
            }),
        });
        let steps = variants.iter().map(|&(i, e)| step_value(i, e));
        let first_step = step_value(index, edge);
        step_arms.push(quote! {
            (#module::State::#from, #module::Event::#event) => match #pick {
                #(#module::State::#leaves => #steps,)*
                _ => #first_step,
            },
        });
    }
    if edge_arms.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[inline]
        fn edge_with_memory(
            from: #module::State,
            event: #module::Event,
            memory: &[::core::option::Option<#module::State>],
        ) -> ::core::option::Option<#private::Edge<Self>> {
            #[allow(unreachable_patterns)]
            match (from, event) {
                #(#edge_arms)*
                _ => <Self as #private::Component>::edge(from, event),
            }
        }

        #[inline]
        fn step_with_memory(
            data: &mut Self,
            from: #module::State,
            event: #module::Event,
            memory: &[::core::option::Option<#module::State>],
        ) -> #private::Step<Self> {
            #[allow(unreachable_patterns)]
            match (from, event) {
                #(#step_arms)*
                _ => <Self as #private::Component>::step(data, from, event),
            }
        }
    }
}
