//! Between a [`StateMachine`] and the typed handles: a machine made from a
//! handle, and the handle of the state a machine is in, with the leaves
//! remembered for `history` handed over both ways.

use super::error::WrongState;
use super::observer::Observer;
use super::StateMachine;
use crate::component::{Component, HistoryMemory, MemorySlots, StateMarker, Typed, Within};

impl<C: Component> StateMachine<C> {
    /// A machine in the state of a typed handle (same as `From`), with the
    /// leaves the handle remembers for `history`.
    pub fn from_typed<S: StateMarker<C>>(handle: Typed<C, S>) -> Self {
        let (data, memory) = handle.into_parts();
        Self::remembering(S::STATE, data, memory.slots())
    }

    /// A machine in `state` with `memory` (one slot per
    /// [`Component::HISTORY`] entry); callers guarantee both are valid.
    pub(crate) fn remembering(state: C::State, data: C, memory: &[Option<C::State>]) -> Self {
        let mut machine = Self::from_parts(state, data);
        if !C::HISTORY.is_empty() {
            machine
                .subscribers
                .set_memory(HistoryMemory::from_slots(memory));
        }
        machine
    }

    /// A machine in the leaf of a [`Within`] handle (same as `From`), with
    /// the leaves it remembers.
    pub fn from_within<R>(handle: Within<C, R>) -> Self {
        let (state, data, memory) = handle.into_machine_parts();
        Self::remembering(state, data, memory.slots())
    }
}

impl<C: Component, S: StateMarker<C>> From<Typed<C, S>> for StateMachine<C> {
    fn from(handle: Typed<C, S>) -> Self {
        StateMachine::from_typed(handle)
    }
}

impl<C: Component, R> From<Within<C, R>> for StateMachine<C> {
    fn from(handle: Within<C, R>) -> Self {
        StateMachine::from_within(handle)
    }
}

impl<C: Component, O: Observer<C>> StateMachine<C, O> {
    /// The typed handle of state `S`, when the machine is in `S`; otherwise
    /// the machine comes back unchanged in the error.
    ///
    /// ```
    /// use typestep::prelude::*;
    ///
    /// #[derive(Component, Debug)]
    /// #[component(states(Off, On), initial = Off)]
    /// #[transition(Off -> On on Press)]
    /// #[transition(On -> Off on Press)]
    /// struct Lamp;
    ///
    /// let m = StateMachine::new(Lamp);
    /// let m = m.into_typed::<lamp::On>().unwrap_err().into_machine();
    /// let off: Typed<Lamp, lamp::Off> = m.into_typed().unwrap();
    /// let on = off.fire(lamp::Press);
    /// assert_eq!(StateMachine::from(on).state(), lamp::State::On);
    /// ```
    pub fn into_typed<S: StateMarker<C>>(self) -> Result<Typed<C, S>, WrongState<Self, C::State>> {
        if self.state == S::STATE {
            let mut memory = C::Memory::EMPTY;
            for (slot, &kept) in memory.slots_mut().iter_mut().zip(self.subscribers.slots()) {
                *slot = kept;
            }
            Ok(Typed::from_parts(self.data, memory))
        } else {
            Err(WrongState {
                expected: S::STATE,
                actual: self.state,
                machine: self,
            })
        }
    }
}
