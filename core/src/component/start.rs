//! Starting a component the UML way: entering its initial configuration runs
//! the entry actions of the initial state and of the superstates that hold
//! it, outermost first.
//!
//! `StateMachine::new` and `Typed::new` put the data in the initial state
//! without running anything (as rehydration does: the machine was already
//! entered before). `start` runs the entries first, as one step under one
//! snapshot, and gives the data back unchanged when one fails or panics.
//!
//! ```
//! use typestep::prelude::*;
//!
//! #[derive(Component, Clone, Default)]
//! #[component(states(Idle, Blinking(LedOn, LedOff)), initial = Idle)]
//! #[state(Idle, entry = Self::reset)]
//! #[transition(Idle -> Blinking on Start)]
//! #[transition(LedOn -> LedOff on Tick)]
//! #[transition(LedOff -> LedOn on Tick)]
//! #[transition(Blinking -> Idle on Stop)]
//! #[state(Blinking, initial = LedOn)]
//! struct Led { resets: u32 }
//!
//! impl Led {
//!     fn reset(&mut self) -> Result<(), std::convert::Infallible> {
//!         self.resets += 1;
//!         Ok(())
//!     }
//! }
//!
//! let machine = StateMachine::start(Led::default())?;
//! assert_eq!(machine.data().resets, 1);
//! let handle = Typed::start(Led::default())?;
//! assert_eq!(handle.data().resets, 1);
//! assert_eq!(StateMachine::new(Led::default()).data().resets, 0);
//! # Ok::<(), typestep::component::StartFailed<Led>>(())
//! ```

use core::fmt;

use super::refusal::Refusal;
use super::table::Component;
use super::typed::Typed;

/// A component that did not start: an entry action of its initial
/// configuration failed or panicked. The data is as it was before.
pub struct StartFailed<C> {
    /// The data, restored.
    pub data: C,
    /// Why it did not start (the failing step is named, as in a move).
    pub reason: Refusal,
}

impl<C: Component> fmt::Debug for StartFailed<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartFailed")
            .field("component", &C::NAME)
            .field("state", &C::INITIAL)
            .field("reason", &self.reason)
            .finish()
    }
}

impl<C: Component> fmt::Display for StartFailed<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` did not start in `{}`: ", C::NAME, C::INITIAL)?;
        match &self.reason {
            // Only entry actions run here: their error names the step.
            Refusal::ActionFailed(source) => write!(f, "{source}"),
            Refusal::ActionPanicked(message) => write!(f, "the {message} (panicked)"),
            Refusal::NeedsAsync => {
                f.write_str("an entry action is async: use `start_async` (nothing ran)")
            }
            reason => write!(f, "{reason}"),
        }
    }
}

impl<C: Component> std::error::Error for StartFailed<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

/// Runs the initial configuration's entry actions on `data`.
pub(crate) fn enter<C: Component>(mut data: C) -> Result<C, StartFailed<C>> {
    match C::enter_initial(&mut data) {
        Ok(()) => Ok(data),
        Err(reason) => Err(StartFailed { data, reason }),
    }
}

/// Awaits the initial configuration's entry actions on `data`.
pub(crate) async fn enter_async<C: Component>(mut data: C) -> Result<C, StartFailed<C>> {
    match C::enter_initial_async(&mut data).await {
        Ok(()) => Ok(data),
        Err(reason) => Err(StartFailed { data, reason }),
    }
}

impl<C: Component> Typed<C, C::Initial> {
    /// Starts `data` in the initial state after running the entry actions
    /// of the initial configuration ([`Component::enter_initial`]).
    ///
    /// # Errors
    ///
    /// [`StartFailed`], with the data restored, when one fails or panics, or
    /// is `async` ([`Refusal::NeedsAsync`]: use
    /// [`start_async`](Typed::start_async)).
    pub fn start(data: C) -> Result<Self, StartFailed<C>> {
        enter(data).map(Typed::new)
    }

    /// [`start`](Typed::start), awaiting `async` entry actions.
    ///
    /// # Errors
    ///
    /// [`StartFailed`], with the data restored, when one fails or panics.
    pub async fn start_async(data: C) -> Result<Self, StartFailed<C>> {
        enter_async(data).await.map(Typed::new)
    }
}
