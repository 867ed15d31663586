//! Rebuilding a machine from a stored state, validated against the table.

use super::error::RehydrateError;
use super::StateMachine;
use crate::component::{Component, HistoryMemory, Label};

/// Whether `state` can be reached from the initial state along declared
/// transitions (a hand-written [`Component`] may declare a state that cannot).
pub(crate) fn reachable<C: Component>(state: C::State) -> bool {
    let mut seen = vec![false; C::State::ALL.len()];
    let mut stack = vec![C::INITIAL];
    while let Some(current) = stack.pop() {
        let Some(slot) = seen.get_mut(current.index()) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        if current == state {
            return true;
        }
        stack.extend(
            C::TRANSITIONS
                .iter()
                .filter(|t| t.from == current)
                .map(|t| t.to),
        );
    }
    false
}

impl<C: Component> StateMachine<C> {
    /// Rebuilds a machine in a stored `state` with its `data`, after checking
    /// that the state is one a machine of `C` can be in.
    ///
    /// ```
    /// use typestep::prelude::*;
    ///
    /// #[derive(Component)]
    /// #[component(states(Off, On), initial = Off)]
    /// #[transition(Off -> On on Press)]
    /// #[transition(On -> Off on Press)]
    /// struct Lamp;
    ///
    /// let m = StateMachine::rehydrate(lamp::State::On, Lamp)?;
    /// assert_eq!(m.state(), lamp::State::On);
    /// # Ok::<(), RehydrateError>(())
    /// ```
    pub fn rehydrate(state: C::State, data: C) -> Result<Self, RehydrateError> {
        Self::rehydrate_with(state, data, |_, _| true)
    }

    /// Like [`rehydrate`](Self::rehydrate), with the state stored by name
    /// ([`Label::name`]); a name the component does not declare is an error.
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
    /// assert!(StateMachine::rehydrate_named("On", Lamp).is_ok());
    /// assert_eq!(
    ///     StateMachine::rehydrate_named("Dim", Lamp).unwrap_err().to_string(),
    ///     "`Lamp` has no state named `Dim`",
    /// );
    /// ```
    pub fn rehydrate_named(name: &str, data: C) -> Result<Self, RehydrateError> {
        let state = C::State::from_name(name).ok_or_else(|| RehydrateError::UnknownState {
            component: C::NAME,
            name: name.to_owned(),
        })?;
        Self::rehydrate(state, data)
    }

    /// Like [`rehydrate`](Self::rehydrate), with the leaves its superstates
    /// with `history` remember (see [`StateMachine::memory`]), so that a
    /// transition into one resumes where the stored machine left it.
    ///
    /// ```
    /// use typestep::prelude::*;
    /// use typestep::component::HistoryMemory;
    ///
    /// #[derive(Component)]
    /// #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
    /// #[state(Blinking, initial = LedOn, history)]
    /// #[transition(Idle -> Blinking on Start)]
    /// #[transition(LedOn -> LedOff on Tick)]
    /// #[transition(LedOff -> LedOn on Tick)]
    /// #[transition(Blinking -> Idle on Stop)]
    /// struct Led;
    ///
    /// let mut memory = HistoryMemory::new();
    /// memory.remember("Blinking", led::State::LedOff)?;
    /// let mut m = StateMachine::rehydrate_remembering(led::State::Idle, Led, memory)?;
    /// m.fire(led::Start).unwrap();
    /// assert_eq!(m.state(), led::State::LedOff);
    /// // A leaf outside the superstate is refused, never remembered.
    /// assert!(HistoryMemory::<Led>::new().remember("Blinking", led::State::Idle).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rehydrate_remembering(
        state: C::State,
        data: C,
        memory: HistoryMemory<C>,
    ) -> Result<Self, RehydrateError> {
        let mut machine = Self::rehydrate(state, data)?;
        machine.subscribers.set_memory(memory);
        Ok(machine)
    }

    /// Like [`rehydrate`](Self::rehydrate), and `check` must also accept the
    /// data for that state (for invariants the table cannot express, such as
    /// "a `Running` worker has threads").
    pub fn rehydrate_with(
        state: C::State,
        data: C,
        check: impl FnOnce(C::State, &C) -> bool,
    ) -> Result<Self, RehydrateError> {
        if !reachable::<C>(state) {
            return Err(RehydrateError::Unreachable {
                component: C::NAME,
                state: state.name(),
            });
        }
        if !check(state, &data) {
            return Err(RehydrateError::Invalid {
                component: C::NAME,
                state: state.name(),
            });
        }
        Ok(Self::from_parts(state, data))
    }
}
