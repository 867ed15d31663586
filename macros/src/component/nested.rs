//! Code generation for nested states: the superstate types, the `Region`
//! impls behind `is_in`, `Component::NESTING`, and the exit/action/entry
//! chain of a move that leaves or enters states with actions.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Generics, Ident};

use super::check::{Edge, Graph};

/// The hidden function that runs the exit (or entry) action of `node`.
fn hook_fn(node: usize, exit: bool) -> Ident {
    let kind = if exit { "exit" } else { "entry" };
    Ident::new(&format!("__typestep_{kind}_{node}"), Span::call_site())
}

/// One hidden function per exit or entry action, each naming the user's
/// path once (spanned there, so a wrong signature is reported once, at it).
pub fn hook_fns(graph: &Graph) -> TokenStream {
    let mut out = TokenStream::new();
    for (index, node) in graph.tree.nodes.iter().enumerate() {
        for (exit, hook) in [(true, &node.exit), (false, &node.entry)] {
            let Some(path) = hook else { continue };
            let function = hook_fn(index, exit);
            let step = format!("{} of {}", if exit { "exit" } else { "entry" }, node.name);
            let call = quote_spanned! {path.span()=>
                let hook: fn(&mut Self) -> ::core::result::Result<(), _> = #path;
                ::typestep::__private::run_hook(data, #step, hook)
            };
            out.extend(quote! {
                #[doc(hidden)]
                #[allow(dead_code, non_snake_case)]
                #[inline]
                fn #function(data: &mut Self) -> ::core::result::Result<(), ::typestep::__private::Refusal> {
                    #call
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

/// `Region` for every state type: the leaves it stands for.
pub fn region_impls(
    private: &TokenStream,
    module: &Ident,
    ty: &TokenStream,
    generics: &Generics,
    graph: &Graph,
) -> TokenStream {
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let tree = &graph.tree;
    let impls = tree.nodes.iter().enumerate().map(|(index, node)| {
        let name = &node.name;
        let leaves = tree
            .leaves_under(index)
            .into_iter()
            .filter_map(|leaf| tree.nodes[leaf].leaf)
            .map(|leaf| &graph.states[leaf]);
        quote! {
            #[automatically_derived]
            impl #impl_generics #private::Region<#ty> for #module::#name #where_clause {
                #[inline]
                fn contains(state: #module::State) -> bool {
                    matches!(state, #(#module::State::#leaves)|*)
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// `Component::NESTING`, when there is any superstate.
pub fn nesting_const(private: &TokenStream, module: &Ident, graph: &Graph) -> TokenStream {
    let tree = &graph.tree;
    let supers: Vec<usize> = (0..tree.nodes.len())
        .filter(|&n| !tree.is_leaf(n))
        .collect();
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
    quote! {
        const NESTING: &'static [#private::Superstate<#module::State>] = &[#(#entries),*];
    }
}
