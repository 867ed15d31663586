//! Compile-time lock ordering of a system: the level types, the
//! `LockAfter` trait with one direct impl per pair of the order's
//! transitive closure (`LockBefore` is its mirror, one blanket impl), the `Locked` token, and (outside the module)
//! the assertions that fix each part's level by its type.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Ident;

use super::super::ast::Declaration;
use super::super::check::Checked;
use crate::name::Namer;

/// The lock levels, the order traits with their closure impls, the token,
/// and (outside the module) the assertions that fix each level by its type.
pub fn locks(
    decl: &Declaration,
    checked: &Checked,
    module: &Ident,
    system: &str,
    lock_text: &str,
    names: &[String],
) -> (TokenStream, TokenStream) {
    if checked.lock_levels.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let private = quote!(::typestep::__private);
    // One distinct, valid type per level (`self_` would be `Self`, `__`
    // nothing, `buf_1` and `buf1` both `Buf1`).
    let mut namer = Namer::new(&[]);
    let mut level_of = vec![None; names.len()];
    for &i in &checked.lock_levels {
        level_of[i] =
            Some(namer.fresh(&names[i].to_upper_camel_case(), decl.parts[i].ident.span()));
    }
    let level_ident = |i: usize| level_of[i].clone();
    let levels: Vec<Ident> = checked
        .lock_levels
        .iter()
        .filter_map(|&i| level_ident(i))
        .collect();
    let level_names: Vec<&str> = checked
        .lock_levels
        .iter()
        .map(|&i| names[i].as_str())
        .collect();
    let level_docs = level_names.iter().map(|name| {
        format!("Lock level of part `{name}` of `{system}` (lock order: `{lock_text}`).")
    });

    // `{Self}`, `{A}` and `{B}` are filled in by rustc.
    let before_message = format!(
        "lock order violation in `{system}`: `{{Self}}` cannot be held while locking `{{B}}`"
    );
    let after_message =
        format!("lock order violation in `{system}`: cannot lock `{{Self}}` while holding `{{A}}`");
    let before_label = "`{B}` is not declared after `{Self}`".to_owned();
    let after_label = "`{Self}` is not declared after `{A}`".to_owned();
    let order_note = format!("declared lock order of `{system}`: {lock_text}");
    let same_note = "two locks of one level are taken together, in a fixed order, with `lock_both` or `lock_all`".to_owned();

    let root_impls = levels.iter().map(|level| {
        quote! {
            impl LockAfter<#private::Unlocked> for level::#level {}
        }
    });
    let pair_impls = checked.lock_closure.iter().map(|&(before, after)| {
        let (Some(before), Some(after)) = (level_ident(before), level_ident(after)) else {
            return TokenStream::new();
        };
        quote! {
            impl LockAfter<level::#before> for level::#after {}
        }
    });

    let locked_doc = format!(
        "A link of this thread's lock chain that holds a lock of level `L` of `{system}` \
         (or nothing, for `Unlocked`).\n\n\
         [`lock`](Self::lock) takes a lock declared after `L` and returns its guard with the \
         next link; the compiler refuses any other order. Zero-sized. Lock order: `{lock_text}`."
    );
    let after_doc = format!(
        "`B: LockAfter<A>`: while holding level `A` of `{system}`, level `B` may be locked; \
         the bound of [`Locked::lock`]. One direct impl per ordered pair of the transitive \
         closure of `{lock_text}` (so DAG joins work), plus one per level after `Unlocked`."
    );
    // Checked before the order, so a lock of another system is named as
    // such rather than as "not declared after" a level it has no order with.
    let own_doc = format!(
        "Implemented by the lock levels of `{system}` only: a `Locked` token of `{system}` takes only its own system's locks."
    );
    let own_message = format!(
        "`{{Self}}` is a lock level of another system, not of `{system}`: this `Locked` token orders only the locks of `{system}`"
    );
    let own_label = "this lock belongs to another system".to_owned();
    let own_note = format!(
        "lock it through its own system's `Locked` token; the lock order of `{system}` is: {lock_text}"
    );
    let before_doc =
        "`A: LockBefore<B>`: the mirror of [`LockAfter`], for bounds on the level held (one blanket impl over `LockAfter`).".to_owned();

    let module_items = quote! {
        /// Lock levels: one zero-sized type per part named in `lock_order(...)`.
        pub mod level {
            #(
                #[doc = #level_docs]
                #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash, ::core::default::Default)]
                pub struct #levels;

                impl ::typestep::__private::Level for #levels {
                    const NAME: &'static str = #level_names;
                }
            )*
        }

        #[doc = #before_doc]
        #[diagnostic::on_unimplemented(message = #before_message, label = #before_label, note = #order_note, note = #same_note)]
        pub trait LockBefore<B> {}

        impl<A, B: LockAfter<A>> LockBefore<B> for A {}

        #[doc = #after_doc]
        #[diagnostic::on_unimplemented(message = #after_message, label = #after_label, note = #order_note, note = #same_note)]
        pub trait LockAfter<A> {}

        #[doc = #own_doc]
        #[diagnostic::on_unimplemented(message = #own_message, label = #own_label, note = #own_note)]
        pub trait OwnLevel {
            /// The level itself: the order bound is on this projection, so a
            /// lock of another system gets one error (this trait's), not a
            /// second one about the order.
            type Level;
        }

        #(impl OwnLevel for level::#levels { type Level = Self; })*

        #(#root_impls)*
        #(#pair_impls)*

        #[doc = #locked_doc]
        pub struct Locked<'a, L> {
            link: #private::Link<'a, L>,
        }

        impl<'a> Locked<'a, #private::Unlocked> {
            /// The first link of `chain`: nothing is held, every level may be locked.
            #[inline(always)]
            pub fn new(chain: &'a mut #private::LockChain) -> Self {
                Locked { link: #private::Link::root(chain) }
            }
        }

        impl<'a, L: #private::Level> Locked<'a, L> {
            /// Locks `mutex` (of a level declared after `L`): its guard, and the
            /// link that holds it. This link is borrowed until both are dropped.
            #[inline(always)]
            pub fn lock<'b, T, M: #private::Level>(
                &'b mut self,
                mutex: &'b #private::OrderedMutex<T, M>,
            ) -> (#private::LockGuard<'b, T>, Locked<'b, M>)
            where
                M: OwnLevel,
                <M as OwnLevel>::Level: LockAfter<L>,
            {
                let guard = #private::lock_acquire(mutex);
                (guard, Locked { link: #private::lock_next(&mut self.link) })
            }

            /// Locks two mutexes of one level `M` (declared after `L`) in a fixed
            /// order, so that threads locking the same pair cannot deadlock. The
            /// guards come back in argument order. Refuses the same mutex twice.
            #[inline]
            pub fn lock_both<'b, T, M: #private::Level>(
                &'b mut self,
                first: &'b #private::OrderedMutex<T, M>,
                second: &'b #private::OrderedMutex<T, M>,
            ) -> ::core::result::Result<
                (#private::LockGuard<'b, T>, #private::LockGuard<'b, T>, Locked<'b, M>),
                #private::LockError,
            >
            where
                M: OwnLevel,
                <M as OwnLevel>::Level: LockAfter<L>,
            {
                let (a, b) = #private::lock_acquire_both(first, second)?;
                ::core::result::Result::Ok((a, b, Locked { link: #private::lock_next(&mut self.link) }))
            }

            /// Locks every mutex of one level `M` (declared after `L`) in a fixed
            /// order; the guards come back in argument order. Refuses a mutex
            /// given twice (and then locks nothing). A part that is a group of
            /// one level (`Vec<OrderedMutex<_, M>>`, an array) is locked with
            /// `lock_all(&part.iter().collect::<Vec<_>>())`.
            #[inline]
            pub fn lock_all<'b, T, M: #private::Level>(
                &'b mut self,
                mutexes: &[&'b #private::OrderedMutex<T, M>],
            ) -> ::core::result::Result<
                (::std::vec::Vec<#private::LockGuard<'b, T>>, Locked<'b, M>),
                #private::LockError,
            >
            where
                M: OwnLevel,
                <M as OwnLevel>::Level: LockAfter<L>,
            {
                let guards = #private::lock_acquire_all(mutexes)?;
                ::core::result::Result::Ok((guards, Locked { link: #private::lock_next(&mut self.link) }))
            }

            /// The name of the level this link holds (`"unlocked"` for none).
            #[inline]
            pub fn level_name(&self) -> &'static str {
                <L as #private::Level>::NAME
            }
        }

        impl<L: #private::Level> ::core::fmt::Debug for Locked<'_, L> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.link, f)
            }
        }
    };

    let assertions = checked.lock_levels.iter().zip(&levels).map(|(&i, level)| {
        let ty = &decl.parts[i].ty;
        quote_spanned! {ty.span()=>
            __typestep_at_level::<#ty, #module::level::#level>();
        }
    });
    let outer = quote! {
        #[allow(dead_code)]
        fn __typestep_levels_are_fixed_by_type() {
            fn __typestep_at_level<T: ?::core::marker::Sized + #private::AtLevel<L>, L: #private::Level>() {}
            #(#assertions)*
        }
    };
    (module_items, outer)
}
