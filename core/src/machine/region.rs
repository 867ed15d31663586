//! Asking a machine which superstate it is in, and what its superstates
//! with `history` remember.

use super::{Observer, SharedMachine, StateMachine};
use crate::component::{Component, HistoryMemory, Region};

impl<C: Component, O> StateMachine<C, O> {
    /// Whether the machine is in `region`: the leaf it is in, or a
    /// superstate that leaf is nested in (`machine.is_in(led::Blinking)`).
    /// [`state`](StateMachine::state) stays the leaf.
    #[inline]
    pub fn is_in<R: Region<C>>(&self, region: R) -> bool {
        let _ = region;
        R::contains(self.state)
    }

    /// The leaf the machine was in when it last left the superstate
    /// `region`, declared with `history`: the leaf a transition into
    /// `region` resumes (`None`: never left, so it enters by `initial`;
    /// always `None` for a leaf or a superstate without `history`).
    ///
    /// A move that leaves and re-enters `region` resumes the leaf it left
    /// and keeps this value until a move ends outside `region`.
    pub fn remembered<R: Region<C>>(&self, region: R) -> Option<C::State> {
        let _ = region;
        let superstate = R::SUPERSTATE?;
        let slot = C::HISTORY.iter().position(|&s| s == superstate)?;
        self.subscribers.slots().get(slot).copied().flatten()
    }

    /// Every remembered leaf of the superstates with `history` (see
    /// [`remembered`](Self::remembered)): what serde stores and
    /// [`rehydrate_remembering`](StateMachine::rehydrate_remembering) restores.
    pub fn memory(&self) -> HistoryMemory<C> {
        self.subscribers.memory()
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
