//! The snapshot wrapper the derive puts around every declared action.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::refusal::Refusal;
use super::snapshot::Snapshot;
use super::table::Component;
use crate::fault::panic_message;

/// Runs a user's action under a snapshot of `data` taken with `C::Snapshot`.
///
/// The derive wraps every declared action in this function; it is public only
/// for generated code and hand-written [`Component`] impls.
#[inline]
pub fn run_action<C, E>(data: &mut C, action: fn(&mut C) -> Result<(), E>) -> Result<(), Refusal>
where
    C: Component,
    C::Snapshot: Snapshot<C>,
    E: std::error::Error + Send + Sync + 'static,
{
    let saved = <C::Snapshot as Snapshot<C>>::save(data);
    let outcome = catch_unwind(AssertUnwindSafe(|| action(data)));
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => {
            <C::Snapshot as Snapshot<C>>::restore(data, saved);
            Err(Refusal::ActionFailed(Box::new(error)))
        }
        Err(payload) => {
            <C::Snapshot as Snapshot<C>>::restore(data, saved);
            Err(Refusal::ActionPanicked(panic_message(payload.as_ref())))
        }
    }
}
