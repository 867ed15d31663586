//! The memory a typed handle carries for `history`: [`MemorySlots`].

/// What a typed handle remembers for the superstates with `history`
/// ([`Component::Memory`](super::Component::Memory)), over the state type
/// `S`: `()` for a component without any (so that the handle stays exactly
/// the component's size), or one `Option<S>` slot per
/// [`Component::HISTORY`](super::Component::HISTORY) entry, inline (a
/// handle allocates nothing).
pub trait MemorySlots<S>: Copy {
    /// Nothing remembered.
    const EMPTY: Self;

    /// The slots, as
    /// [`Component::step_with_memory`](super::Component::step_with_memory)
    /// reads them.
    fn slots(&self) -> &[Option<S>];

    /// The slots, to update after a move.
    fn slots_mut(&mut self) -> &mut [Option<S>];
}

impl<S> MemorySlots<S> for () {
    const EMPTY: Self = ();

    #[inline]
    fn slots(&self) -> &[Option<S>] {
        &[]
    }

    #[inline]
    fn slots_mut(&mut self) -> &mut [Option<S>] {
        &mut []
    }
}

impl<S: Copy, const N: usize> MemorySlots<S> for [Option<S>; N] {
    const EMPTY: Self = [None; N];

    #[inline]
    fn slots(&self) -> &[Option<S>] {
        self
    }

    #[inline]
    fn slots_mut(&mut self) -> &mut [Option<S>] {
        self
    }
}
