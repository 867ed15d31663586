//! Compile-time lock ordering of a system: the level types, each level's
//! place in the order (its position and the set of levels declared before
//! it, the transitive closure, as types: see `core/src/lock/order.rs`),
//! the `LockAfter` trait with one blanket impl that looks a level up in that
//! set (`LockBefore` is its mirror, one blanket impl), the `Locked` token,
//! and (outside the module) the assertions that fix each part's level by its
//! type.

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
        // Not the whole order: written once per level, it would make the
        // docs (and the build) quadratic in the number of levels.
        format!("Lock level of part `{name}` of `{system}` (the lock order is on [`Locked`](super::Locked)).")
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

    // Position 0 is `Unlocked`, before every level; level `k` (in
    // `lock_levels` order) is at `k + 1`.
    let height = tree_height(levels.len() + 1);
    let mut position_of = vec![None; names.len()];
    for (k, &i) in checked.lock_levels.iter().enumerate() {
        position_of[i] = Some(k + 1);
    }
    let mut earlier = vec![vec![false; 1 << height]; levels.len() + 1];
    for row in earlier.iter_mut().skip(1) {
        row[0] = true;
    }
    for &(before, after) in &checked.lock_closure {
        if let (Some(Some(before)), Some(Some(after))) =
            (position_of.get(before), position_of.get(after))
        {
            earlier[*after][*before] = true;
        }
    }
    let placed = |position: usize, ty: TokenStream| {
        let path = path_to(position, height);
        let set = set_tree(&earlier[position], height);
        quote! {
            impl Place for #ty {
                type Position = #path;
                type Earlier = #set;
            }
        }
    };
    let places = std::iter::once(placed(0, quote!(#private::Unlocked))).chain(
        levels
            .iter()
            .enumerate()
            .map(|(k, level)| placed(k + 1, quote!(level::#level))),
    );
    let subtrees = (0..=height).map(|h| {
        let (full, empty) = (subtree_name(true, h), subtree_name(false, h));
        let (full_def, empty_def) = match h.checked_sub(1) {
            None => (quote!(Declared), quote!(NotDeclared)),
            Some(below) => {
                let (full, empty) = (subtree_name(true, below), subtree_name(false, below));
                (quote!((#full, #full)), quote!((#empty, #empty)))
            }
        };
        quote! {
            pub type #full = #full_def;
            pub type #empty = #empty_def;
        }
    });

    // Spanned at the declared order, so that rustc's "required for `X` to
    // implement `LockAfter<Y>`" points there.
    let order_span = decl
        .lock_chains
        .first()
        .and_then(|chain| chain.first())
        .map_or_else(proc_macro2::Span::call_site, Ident::span);
    let after_impl = quote_spanned! {order_span=>
        impl<A: Place, B: Place> LockAfter<A> for B
        where
            B::Earlier: #private::Lookup<A::Position>,
            B: DeclaredAfter<A, <B::Earlier as #private::Lookup<A::Position>>::Leaf>,
        {
        }
    };

    let locked_doc = format!(
        "A link of this thread's lock chain that holds a lock of level `L` of `{system}` \
         (or nothing, for `Unlocked`).\n\n\
         [`lock`](Self::lock) takes a lock declared after `L` and returns its guard with the \
         next link; the compiler refuses any other order. Zero-sized. Lock order: `{lock_text}`."
    );
    let after_doc = format!(
        "`B: LockAfter<A>`: while holding level `A` of `{system}`, level `B` may be locked; \
         the bound of [`Locked::lock`]. One blanket impl: `A` is in the set of levels declared \
         before `B`, the transitive closure of `{lock_text}` (so DAG joins work), and \
         `Unlocked` is before every level."
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

        /// Where each level sits in the lock order: its position, and the
        /// levels declared before it (a tree of leaves, see
        /// `typestep::__private::Lookup`). The derive's; not for users.
        #[doc(hidden)]
        pub trait Place {
            /// The path to this level's leaf.
            type Position;
            /// The set of levels declared before this one.
            type Earlier;
        }

        /// The leaves of the sets, and whole subtrees of them by height.
        #[doc(hidden)]
        pub mod lock_order {
            /// The level at this position is declared before the set's.
            pub struct Declared;
            /// The level at this position is not declared before the set's.
            pub struct NotDeclared;
            impl #private::Leaf for Declared {}
            impl #private::Leaf for NotDeclared {}
            #(#subtrees)*
        }

        /// `B: DeclaredAfter<A, Declared>`: what `LockAfter` looks up; with
        /// `NotDeclared`, the bound a wrong order fails (reported with `LockAfter`'s
        /// message).
        #[doc(hidden)]
        pub trait DeclaredAfter<A, Leaf> {}

        impl<A, B> DeclaredAfter<A, lock_order::Declared> for B {}

        #(#places)*

        #after_impl

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

/// The height of a tree with at least `leaves` leaves (at least 1).
fn tree_height(leaves: usize) -> usize {
    let mut height = 1;
    while (1usize << height) < leaves {
        height += 1;
    }
    height
}

/// The path to leaf `position` of a tree of `height`: `(Left | Right, ...)`,
/// most significant step first, ending in `()`.
fn path_to(position: usize, height: usize) -> TokenStream {
    let private = quote!(::typestep::__private);
    (0..height).fold(quote!(()), |rest, bit| {
        let step = if position >> bit & 1 == 0 {
            quote!(#private::Left)
        } else {
            quote!(#private::Right)
        };
        quote!((#step, #rest))
    })
}

/// The alias of a whole subtree of `height` whose leaves are all declared
/// (`full`) or all not.
fn subtree_alias(full: bool, height: usize) -> TokenStream {
    let name = subtree_name(full, height);
    quote!(lock_order::#name)
}

/// The name of that alias in the generated `lock_order` module.
fn subtree_name(full: bool, height: usize) -> Ident {
    quote::format_ident!("{}{height}", if full { "Full" } else { "Empty" })
}

/// The set `leaves` (its length a power of two, `2^height`) as a tree, a
/// subtree whose leaves are all equal written as its alias.
fn set_tree(leaves: &[bool], height: usize) -> TokenStream {
    if leaves.iter().all(|&leaf| leaf) {
        return subtree_alias(true, height);
    }
    if !leaves.iter().any(|&leaf| leaf) || height == 0 {
        return subtree_alias(false, height);
    }
    let (left, right) = leaves.split_at(leaves.len() / 2);
    let (left, right) = (set_tree(left, height - 1), set_tree(right, height - 1));
    quote!((#left, #right))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tokens: TokenStream) -> String {
        tokens.to_string().replace(' ', "")
    }

    #[test]
    fn heights_hold_every_position() {
        assert_eq!(tree_height(2), 1);
        assert_eq!(tree_height(3), 2);
        assert_eq!(tree_height(4), 2);
        assert_eq!(tree_height(201), 8);
    }

    #[test]
    fn a_path_takes_the_most_significant_step_first() {
        assert_eq!(
            text(path_to(2, 2)),
            "(::typestep::__private::Right,(::typestep::__private::Left,()))"
        );
        assert_eq!(
            text(path_to(1, 2)),
            "(::typestep::__private::Left,(::typestep::__private::Right,()))"
        );
    }

    #[test]
    fn uniform_subtrees_are_written_as_one_alias() {
        assert_eq!(text(set_tree(&[true; 4], 2)), "lock_order::Full2");
        assert_eq!(
            text(set_tree(&[true, true, false, false], 2)),
            "(lock_order::Full1,lock_order::Empty1)"
        );
        assert_eq!(
            text(set_tree(&[true, false, false, false], 2)),
            "((lock_order::Full0,lock_order::Empty0),lock_order::Empty1)"
        );
    }
}
