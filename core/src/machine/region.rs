//! Asking a machine which superstate it is in.

use super::{Observer, SharedMachine, StateMachine};
use crate::component::{Component, Region};

impl<C: Component, O> StateMachine<C, O> {
    /// Whether the machine is in `region`: the leaf it is in, or a
    /// superstate that leaf is nested in (`machine.is_in(led::Blinking)`).
    /// [`state`](StateMachine::state) stays the leaf.
    #[inline]
    pub fn is_in<R: Region<C>>(&self, region: R) -> bool {
        let _ = region;
        R::contains(self.state)
    }
}

impl<C: Component, O: Observer<C>> SharedMachine<C, O> {
    /// Whether the committed state ([`state`](SharedMachine::state)) is
    /// `region` or nested in it.
    pub fn is_in<R: Region<C>>(&self, region: R) -> bool {
        let _ = region;
        R::contains(self.state())
    }
}
