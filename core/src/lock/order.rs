//! The lock order as types: what `#[derive(System)]`'s `LockAfter` impl
//! looks up.
//!
//! Each level of a system has a *position* (a path into a balanced binary
//! tree: [`Left`] and [`Right`] steps, then `()`) and the set of levels
//! declared before it (the transitive closure of the declared order, computed
//! by the derive), written as a tree of the same height whose leaves
//! ([`Leaf`]) say yes or no. One blanket impl per system,
//! `B: LockAfter<A>` when B's set holds A's position, replaces an impl per
//! ordered pair: the derive writes one set per level, and a whole subtree of
//! equal leaves as one alias, so a chain of n levels costs O(n log n) tokens
//! and n impls instead of n²/2 impls.
//!
//! The failing bound of a wrong order is the system's
//! `DeclaredAfter<Held, NotDeclared>` on the level being locked, the same type as in
//! `LockAfter`'s bound, so rustc reports `LockAfter`'s own message
//! (`on_unimplemented`), which names both levels and the declared order.

/// A step into the left subtree of a position.
pub struct Left;

/// A step into the right subtree of a position.
pub struct Right;

/// A leaf of a level's set. The derive declares the two leaf types per
/// system (`Declared` and `NotDeclared`, in the system's hidden `lock_order`
/// module), so that a wrong order's help line reads
/// `DeclaredAfter<Buffers, lock_order::NotDeclared>` instead of a path into
/// this crate. (Whether rustc shortens the path to the bare name depends on
/// what else is in the build: `No` was bare without typestep's optional
/// dependencies and `lock_order::No` with them; `NotDeclared` is printed
/// with its prefix in both, which the ui snapshots rely on.)
pub trait Leaf {}

/// The leaf of a set (`Self`) at position `Path`.
pub trait Lookup<Path> {
    /// The leaf found.
    type Leaf;
}

impl<T: Leaf> Lookup<()> for T {
    type Leaf = T;
}

impl<L: Lookup<P>, R, P> Lookup<(Left, P)> for (L, R) {
    type Leaf = L::Leaf;
}

impl<L, R: Lookup<P>, P> Lookup<(Right, P)> for (L, R) {
    type Leaf = R::Leaf;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::marker::PhantomData;

    struct Yes;
    struct No;
    impl Leaf for Yes {}
    impl Leaf for No {}

    /// Positions 0..4 of a tree of height 2: 0 and 2 are in the set.
    type Set = ((Yes, No), (Yes, No));

    fn leaf<S: Lookup<P>, P>() -> PhantomData<S::Leaf> {
        PhantomData
    }

    #[test]
    fn a_position_finds_its_leaf() {
        let _: PhantomData<Yes> = leaf::<Set, (Left, (Left, ()))>();
        let _: PhantomData<No> = leaf::<Set, (Left, (Right, ()))>();
        let _: PhantomData<Yes> = leaf::<Set, (Right, (Left, ()))>();
        let _: PhantomData<No> = leaf::<Set, (Right, (Right, ()))>();
    }
}
