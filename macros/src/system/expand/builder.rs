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
        "level",
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
    let fields = parts
        .iter()
        .zip(&params)
        .map(|(part, param)| quote!(#[doc(hidden)] pub(super) #part: #param));

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

    let module_items = quote! {
        #[doc = #builder_doc]
        #[must_use = "a builder does nothing until `build()` is called"]
        pub struct Builder<#(#params = ::typestep::__private::Missing),*> {
            #(#fields,)*
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
        let output_slots: Vec<TokenStream> = params
            .iter()
            .enumerate()
            .map(|(j, p)| {
                if j == i {
                    quote!(#private::Built<#ty>)
                } else {
                    quote!(#p)
                }
            })
            .collect();
        let deps = &checked.dependencies[i];
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
                quote!(#private::Slot::<#dep_ty>::part(&self.#field))
            })
            .collect();
        let rebuild = parts.iter().enumerate().map(|(j, field)| {
            if j == i {
                quote!(#field: #private::Built(part))
            } else {
                quote!(#field: self.#field)
            }
        });
        let rebuild: Vec<TokenStream> = rebuild.collect();
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
            impl<#(#params),*> #module::Builder<#(#params),*> {
                #[doc = #doc]
                #[inline]
                pub fn #part<__TypestepMake>(self, make: __TypestepMake) -> #module::Builder<#(#output_slots),*>
                where
                    __TypestepMake: ::core::ops::FnOnce(#(&#dep_types),*) -> #ty,
                    #own_param: #module::#vacant,
                    #(#dep_bounds,)*
                {
                    let part = make(#(#dep_args),*);
                    #module::Builder { #(#rebuild,)* }
                }

                #[doc = #try_doc]
                #[inline]
                pub fn #try_part<__TypestepMake, __TypestepError>(
                    self,
                    make: __TypestepMake,
                ) -> ::core::result::Result<#module::Builder<#(#output_slots),*>, __TypestepError>
                where
                    __TypestepMake: ::core::ops::FnOnce(#(&#dep_types),*) -> ::core::result::Result<#ty, __TypestepError>,
                    #own_param: #module::#vacant,
                    #(#dep_bounds,)*
                {
                    let part = make(#(#dep_args),*)?;
                    ::core::result::Result::Ok(#module::Builder { #(#rebuild,)* })
                }
            }
        });
    }

    let built_bounds = params
        .iter()
        .zip(&built_traits)
        .zip(&types)
        .map(|((param, name), ty)| quote!(#param: #module::#name<#ty>));
    let take = parts
        .iter()
        .zip(&types)
        .map(|(field, ty)| quote!(#field: #private::Slot::<#ty>::into_part(self.#field)));
    let build_doc = format!("The finished `{system}` (offered once every part is built).");
    outer.extend(quote! {
        #[automatically_derived]
        impl<#(#params),*> #module::Builder<#(#params),*> {
            #[doc = #build_doc]
            #[inline]
            pub fn build(self) -> #ident
            where
                #(#built_bounds,)*
            {
                #ident { #(#take,)* }
            }
        }
    });

    (module_items, outer)
}
