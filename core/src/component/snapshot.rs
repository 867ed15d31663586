//! Snapshots taken before an action so that a failed move changes nothing.

/// A strategy for saving a component's data before an action and putting it
/// back when the action fails or panics.
///
/// The default strategy is [`ByClone`]. A component with large data names its
/// own strategy with `#[component(snapshot = MySnapshot)]` and implements this
/// trait for it, saving only what actions can change.
///
/// ```
/// use typestep::Snapshot;
///
/// struct Big { log: Vec<u8>, counter: u64 }
///
/// /// Actions only touch `counter`, so only `counter` is saved.
/// struct CounterOnly;
///
/// impl Snapshot<Big> for CounterOnly {
///     type Saved = u64;
///     fn save(data: &Big) -> u64 { data.counter }
///     fn restore(data: &mut Big, saved: u64) { data.counter = saved }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a snapshot strategy for `{C}`",
    label = "this action of `{C}` runs under a snapshot taken with `{Self}`",
    note = "implement `Snapshot<{C}>` for `{Self}`, or drop `snapshot = ...` to use the default `ByClone` (which needs `{C}: Clone`)"
)]
pub trait Snapshot<C> {
    /// What is kept while the action runs.
    type Saved;
    /// Saves the parts of `data` an action may change.
    fn save(data: &C) -> Self::Saved;
    /// Puts `saved` back into `data`.
    fn restore(data: &mut C, saved: Self::Saved);
}

/// The default snapshot strategy: a full `Clone` of the component.
#[derive(Debug, Clone, Copy, Default)]
pub struct ByClone;

impl<C: Clone> Snapshot<C> for ByClone {
    type Saved = C;

    #[inline]
    fn save(data: &C) -> C {
        data.clone()
    }

    #[inline]
    fn restore(data: &mut C, saved: C) {
        *data = saved;
    }
}
