//! Lock levels: zero-sized types that name a place in a system's lock order.

use core::marker::PhantomData;

/// A lock level. `#[derive(System)]` generates one per part named in
/// `lock_order(...)` (in the `<system>::level` module); [`Unlocked`] is the
/// level of a chain that holds nothing.
pub trait Level: 'static {
    /// The part's name as written in the declaration.
    const NAME: &'static str;
}

/// The level of a lock chain that holds no lock yet: every level may be
/// locked after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Unlocked;

impl Level for Unlocked {
    const NAME: &'static str = "unlocked";
}

/// Implemented by the types that are locks of level `L`: [`OrderedMutex<T, L>`](super::OrderedMutex),
/// shared pointers to one, and groups of them (a `Vec`, an array or a slice:
/// locks of one level, taken together with `lock_all`).
/// `#[derive(System)]` requires it of every part named in `lock_order(...)`,
/// so a part's level is fixed by its type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a lock of level `{L}`",
    label = "this part is named in `lock_order(...)`, so its type must be a lock of level `{L}`",
    note = "wrap the part in `typestep::lock::OrderedMutex<_, {L}>` (or an `Arc` of one, or a `Vec` or array of them)"
)]
pub trait AtLevel<L: Level> {}

impl<T, L: Level> AtLevel<L> for super::OrderedMutex<T, L> {}
impl<M: AtLevel<L> + ?Sized, L: Level> AtLevel<L> for std::sync::Arc<M> {}
impl<M: AtLevel<L> + ?Sized, L: Level> AtLevel<L> for std::rc::Rc<M> {}
impl<M: AtLevel<L> + ?Sized, L: Level> AtLevel<L> for Box<M> {}
impl<M: AtLevel<L>, L: Level> AtLevel<L> for Vec<M> {}
impl<M: AtLevel<L>, L: Level, const N: usize> AtLevel<L> for [M; N] {}
impl<M: AtLevel<L>, L: Level> AtLevel<L> for [M] {}

/// Keeps the type parameter `L` without owning one (used by tokens).
pub(crate) type LevelMarker<L> = PhantomData<fn() -> L>;
