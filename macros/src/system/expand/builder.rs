//! The typestate builder of a system: a type parameter per part slot,
//! `Missing` until the part's constructor ran, and one
//! `#[diagnostic::on_unimplemented]` trait per rule (a dependency not built
//! yet, a part built twice, `build()` before every part), so a mistake in
//! the construction order reads as a design error.

use heck::ToUpperCamelCase;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, Type};

use super::super::ast::Declaration;
use super::super::check::{unraw, Checked};
use crate::name::Namer;

/// The typestate builder: items for the module, and the impls that mention
/// the user's types.
pub fn builder(
    decl: &Declaration,
    checked: &Checked,
    module: &Ident,
    system: &str,
    init_text: &str,
) -> (TokenStream, TokenStream) {
    let private = quote!(::typestep::__private);
    let ident = &decl.ident;
    let parts: Vec<&Ident> = decl.parts.iter().map(|p| &p.ident).collect();
    let types: Vec<&Type> = decl.parts.iter().map(|p| &p.ty).collect();
    let names: Vec<String> = decl.parts.iter().map(|p| unraw(&p.ident)).collect();
    let params: Vec<Ident> = (0..parts.len())
        .map(|i| format_ident!("__TypestepSlot{}", i))
        .collect();
    let camel: Vec<String> = names.iter().map(|n| n.to_upper_camel_case()).collect();
    // The traits share the module with the builder and the lock items; each
    // gets a distinct valid name (`buf_1` and `buf1` both camel-case to
    // `Buf1`; `_1` camel-cases to `1`, no identifier).
    let mut namer = Namer::new(&[
        "Builder",
        "LockBefore",
        "LockAfter",
        "Locked",
        "OwnLevel",
        "Place",
        "DeclaredAfter",
        "level",
        "lock_order",
    ]);
    let edge_traits: Vec<Vec<Ident>> = checked
        .dependencies
        .iter()
        .enumerate()
        .map(|(part, deps)| {
            deps.iter()
                .map(|&dep| {
                    namer.fresh(
                        &format!("{}Needs{}", camel[part], camel[dep]),
                        Span::call_site(),
                    )
                })
                .collect()
        })
        .collect();
    let vacant_traits: Vec<Ident> = camel
        .iter()
        .map(|c| namer.fresh(&format!("{c}IsVacant"), Span::call_site()))
        .collect();
    let built_traits: Vec<Ident> = camel
        .iter()
        .map(|c| namer.fresh(&format!("{c}IsBuilt"), Span::call_site()))
        .collect();

    let builder_doc = format!(
        "Builds a `{system}` part by part, in dependency order.\n\n\
         Each type parameter is the slot of one part: [`Missing`]({private_doc}::Missing) until \
         its constructor ran, then [`Built`]({private_doc}::Built). A part's constructor is \
         offered once the parts it depends on are built, and receives them; `build()` is \
         offered once every part is built. Init order: `{init_text}`.",
        private_doc = "::typestep",
    );

    let mut traits = TokenStream::new();
    for (part, deps) in checked.dependencies.iter().enumerate() {
        for (&dep, name) in deps.iter().zip(&edge_traits[part]) {
            let (p, d) = (&names[part], &names[dep]);
            let message =
                format!("cannot build `{p}` of `{system}` before `{d}`: `{p}` depends on `{d}`");
            let label = format!("`{d}` is not built yet");
            let note = format!(
                "build `{d}` first with `.{d}(...)`; the init order of `{system}` is `{init_text}`"
            );
            traits.extend(quote! {
                #[doc(hidden)]
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                pub trait #name<T>: #private::Slot<T> {}
                impl<T> #name<T> for #private::Built<T> {}
            });
        }
    }
    for (part, vacant) in vacant_traits.iter().enumerate() {
        let p = &names[part];
        let message = format!("`{p}` of `{system}` is already built");
        let label = format!("`{p}` was built by an earlier call");
        let note =
            format!("each part is built once; the init order of `{system}` is `{init_text}`");
        traits.extend(quote! {
            #[doc(hidden)]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait #vacant {}
            impl #vacant for #private::Missing {}
        });
    }
    for (part, name) in built_traits.iter().enumerate() {
        let p = &names[part];
        let message = format!("cannot build `{system}`: part `{p}` is not built yet");
        let label = format!("`{p}` is missing");
        let note = format!(
            "call `.{p}(...)` before `.build()`; the init order of `{system}` is `{init_text}`"
        );
        traits.extend(quote! {
            #[doc(hidden)]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait #name<T>: #private::Slot<T> {}
            impl<T> #name<T> for #private::Built<T> {}
        });
    }

    let missing = quote!(::typestep::__private::Missing);
    let all_missing = uniform_tree(0, parts.len(), &missing);
    let module_items = quote! {
        #[doc = #builder_doc]
        #[must_use = "a builder does nothing until `build()` is called"]
        pub struct Builder<__TypestepParts, __TypestepSlots = #all_missing> {
            #[doc(hidden)]
            pub(super) parts: __TypestepParts,
            #[doc(hidden)]
            pub(super) slots: ::core::marker::PhantomData<fn() -> __TypestepSlots>,
        }

        #traits
    };

    let mut outer = TokenStream::new();
    for (i, part) in parts.iter().enumerate() {
        if !checked.builder_methods[i] {
            // Reported by `check`: its methods would clash with `build()` or
            // with another part's methods.
            continue;
        }
        let try_part = format_ident!("try_{}", names[i]);
        let ty = types[i];
        let own_param = &params[i];
        let vacant = &vacant_traits[i];
        let deps = &checked.dependencies[i];
        // Only the slots of this part and of its dependencies are spelled
        // out; every other subtree of the slot tree is one parameter.
        let mut open = vec![false; parts.len()];
        open[i] = true;
        for &d in deps {
            open[d] = true;
        }
        let built = quote!(#private::Built<#ty>);
        let mut generics = Vec::new();
        let input = slot_tree(0, parts.len(), &open, &params, None, &mut generics);
        let mut unused = Vec::new();
        let output = slot_tree(
            0,
            parts.len(),
            &open,
            &params,
            Some((i, &built)),
            &mut unused,
        );
        let dep_types: Vec<&Type> = deps.iter().map(|&d| types[d]).collect();
        let dep_bounds: Vec<TokenStream> = deps
            .iter()
            .zip(&edge_traits[i])
            .map(|(&d, trait_name)| {
                let param = &params[d];
                let dep_ty = types[d];
                quote!(#param: #module::#trait_name<#dep_ty>)
            })
            .collect();
        let dep_args: Vec<TokenStream> = deps
            .iter()
            .map(|&d| {
                let field = parts[d];
                let dep_ty = types[d];
                quote!(#private::built_part::<#dep_ty>(&self.parts.#field))
            })
            .collect();
        let field = parts[i];
        let rebuild = quote! {
            let mut parts = self.parts;
            parts.#field = ::core::option::Option::Some(part);
            #module::Builder { parts, slots: ::core::marker::PhantomData }
        };
        let dep_list = if deps.is_empty() {
            "no other part".to_owned()
        } else {
            deps.iter()
                .map(|&d| format!("`{}`", names[d]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let doc = format!(
            "Builds `{}` with `make`, which receives {dep_list} (offered once those are built).",
            names[i]
        );
        let try_doc = format!(
            "Builds `{}` with the fallible `make`, which receives {dep_list}; on error the builder (and every part built so far) is dropped.",
            names[i]
        );
        outer.extend(quote_spanned! {Span::call_site()=>
            #[automatically_derived]
            impl<#(#generics),*> #module::Builder<__TypestepParts, #input> {
                #[doc = #doc]
                #[inline]
                pub fn #part<__TypestepMake>(self, make: __TypestepMake) -> #module::Builder<__TypestepParts, #output>
                where
                    __TypestepMake: ::core::ops::FnOnce(#(&#dep_types),*) -> #ty,
                    #own_param: #module::#vacant,
                    #(#dep_bounds,)*
                {
                    let part = make(#(#dep_args),*);
                    #rebuild
                }

                #[doc = #try_doc]
                #[inline]
                pub fn #try_part<__TypestepMake, __TypestepError>(
                    self,
                    make: __TypestepMake,
                ) -> ::core::result::Result<#module::Builder<__TypestepParts, #output>, __TypestepError>
                where
                    __TypestepMake: ::core::ops::FnOnce(#(&#dep_types),*) -> ::core::result::Result<#ty, __TypestepError>,
                    #own_param: #module::#vacant,
                    #(#dep_bounds,)*
                {
                    let part = make(#(#dep_args),*)?;
                    ::core::result::Result::Ok({ #rebuild })
                }
            }
        });
    }

    // The parts themselves, in one struct of the user's types: each
    // constructor moves this one value (the slot types live only on the
    // type level), so a method's body does not grow with the part count.
    let storage_doc = format!("The parts of a `{system}` under construction.");
    outer.extend(quote! {
        #[doc = #storage_doc]
        #[doc(hidden)]
        pub struct __TypestepParts {
            #(#parts: ::core::option::Option<#types>,)*
        }
    });
    let all_open = slot_tree(
        0,
        parts.len(),
        &vec![true; parts.len()],
        &params,
        None,
        &mut Vec::new(),
    );
    let built_bounds = params
        .iter()
        .zip(&built_traits)
        .zip(&types)
        .map(|((param, name), ty)| quote!(#param: #module::#name<#ty>));
    let take = parts
        .iter()
        .zip(&types)
        .map(|(field, ty)| quote!(#field: #private::into_built_part::<#ty>(parts.#field)));
    let build_doc = format!("The finished `{system}` (offered once every part is built).");
    outer.extend(quote! {
        #[automatically_derived]
        impl<#(#params),*> #module::Builder<__TypestepParts, #all_open> {
            #[doc = #build_doc]
            #[inline]
            pub fn build(self) -> #ident
            where
                #(#built_bounds,)*
            {
                let parts = self.parts;
                #ident { #(#take,)* }
            }
        }
    });

    (module_items, outer)
}

/// The slot tree of parts `lo..hi`: a balanced binary tree of pairs whose
/// leaves are the parts' slots. A slot type is a tree rather than one type
/// parameter per part so that a constructor names only the slots it
/// checks (its own and its dependencies'; `open`) and one parameter per
/// subtree it leaves alone (pushed to `generics`): O(log n) parameters a
/// method instead of n, so the builder's size grows as n log n, not n².
/// `replace` puts a type at one leaf (the constructor's output).
fn slot_tree(
    lo: usize,
    hi: usize,
    open: &[bool],
    params: &[Ident],
    replace: Option<(usize, &TokenStream)>,
    generics: &mut Vec<Ident>,
) -> TokenStream {
    if hi <= lo {
        return quote!(());
    }
    if !open[lo..hi].iter().any(|&o| o) {
        let rest = format_ident!("__TypestepRest{}_{}", lo, hi);
        generics.push(rest.clone());
        return quote!(#rest);
    }
    if hi - lo == 1 {
        if let Some((at, ty)) = replace {
            if at == lo {
                return ty.clone();
            }
        }
        generics.push(params[lo].clone());
        let param = &params[lo];
        return quote!(#param);
    }
    let mid = lo + (hi - lo) / 2;
    let left = slot_tree(lo, mid, open, params, replace, generics);
    let right = slot_tree(mid, hi, open, params, replace, generics);
    quote!((#left, #right))
}

/// The slot tree of parts `lo..hi` with `leaf` at every leaf.
fn uniform_tree(lo: usize, hi: usize, leaf: &TokenStream) -> TokenStream {
    match hi.saturating_sub(lo) {
        0 => quote!(()),
        1 => leaf.clone(),
        _ => {
            let mid = lo + (hi - lo) / 2;
            let left = uniform_tree(lo, mid, leaf);
            let right = uniform_tree(mid, hi, leaf);
            quote!((#left, #right))
        }
    }
}
