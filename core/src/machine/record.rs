//! The record of one completed move.

use core::fmt;
use std::time::{Duration, SystemTime};

use crate::component::{Component, Label};

/// The largest move count a stored machine may carry: 2<sup>63</sup> - 1.
///
/// A restored machine numbers its next move one higher, so the counter
/// can never overflow: 2<sup>63</sup> more moves would take centuries.
pub const MAX_MOVES: u64 = i64::MAX as u64;

/// What caused a move: a fired event, an explicit rollback, or an async move
/// that was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause<E> {
    /// The event was fired and its transition performed.
    Event(E),
    /// [`StateMachine::rollback_to`](crate::StateMachine::rollback_to)
    /// restored the checkpoint taken after move number `checkpoint`.
    Rollback {
        /// The [`seq`](MoveRecord::seq) the checkpoint was taken at.
        checkpoint: u64,
    },
    /// An async move on this event
    /// ([`fire_async`](crate::StateMachine::fire_async)) was dropped before
    /// it finished: the data was restored from its snapshot and the machine
    /// stayed where it was (`from == to`).
    Cancelled(E),
}

/// One completed move: where from, why, where to, and (when timing is on) when
/// and how long it took.
///
/// [`StateMachine::fire`](crate::StateMachine::fire) returns it, the history
/// ring keeps the latest ones, and observers and subscribers receive it. It
/// is `Copy` and holds no heap data, so recording it never allocates.
pub struct MoveRecord<C: Component> {
    /// The number of this move in its machine, starting at 1. Rollbacks count.
    pub seq: u64,
    /// The state the move left.
    pub from: C::State,
    /// What caused the move.
    pub cause: Cause<C::Event>,
    /// The state the move entered.
    pub to: C::State,
    /// Wall-clock time at the start of the move, when the machine reads the
    /// clock (timing on, or an observer that asks for it).
    pub at: Option<SystemTime>,
    /// How long guard, action and commit took, when the machine reads the clock.
    pub took: Option<Duration>,
}

impl<C: Component> MoveRecord<C> {
    /// The fired event (also for a cancelled move), or `None` for a rollback.
    pub fn event(&self) -> Option<C::Event> {
        match self.cause {
            Cause::Event(event) | Cause::Cancelled(event) => Some(event),
            Cause::Rollback { .. } => None,
        }
    }

    /// Whether this records an async move that was cancelled (and rolled back).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.cause, Cause::Cancelled(_))
    }

    /// Whether this move was an explicit rollback.
    pub fn is_rollback(&self) -> bool {
        matches!(self.cause, Cause::Rollback { .. })
    }

    /// The clock fields, if the move has any. For a move the machine did
    /// not time this is `None` where the move is compiled, so an out-of-line
    /// step given `times().as_ref()` gets a null pointer and nothing is
    /// written to memory for it.
    #[inline(always)]
    pub(crate) fn times(&self) -> Option<Times> {
        (self.at.is_some() || self.took.is_some()).then_some((self.at, self.took))
    }
}

/// The clock fields of a record.
pub(crate) type Times = (Option<SystemTime>, Option<Duration>);

/// A record without its number, checkpoint and clock fields: the states and
/// the cause's event, a few bytes that travel in one register. The history
/// ring stores records in this form, and the out-of-line steps of a move
/// (filling a ring slot, sending to subscribers) take a record as
/// `(seq, checkpoint, Pieces, times)`: a `MoveRecord` or a `Cause` passed
/// whole goes through memory, and its stores were made on every move,
/// whether the slow step ran or not.
///
/// The states are kept as their [`Label::index`], two bytes each: the
/// derive's `State` enum is a word wide (see [`Component::State`]), and
/// two of them would take the pieces out of one register and make each
/// history entry half as large again.
pub(crate) struct Pieces<C: Component> {
    pub(crate) from: u16,
    pub(crate) to: u16,
    /// The event (`None` for a rollback).
    pub(crate) event: Option<C::Event>,
    /// Whether an event's move was cancelled.
    pub(crate) cancelled: bool,
}

impl<C: Component> Pieces<C> {
    /// `record`'s pieces and the checkpoint of a rollback (else 0).
    #[inline(always)]
    pub(crate) fn of(record: &MoveRecord<C>) -> (Self, u64) {
        let (event, checkpoint, cancelled) = match record.cause {
            Cause::Event(event) => (Some(event), 0, false),
            Cause::Rollback { checkpoint } => (None, checkpoint, false),
            Cause::Cancelled(event) => (Some(event), 0, true),
        };
        let pieces = Pieces {
            from: Self::index(record.from),
            to: Self::index(record.to),
            event,
            cancelled,
        };
        (pieces, checkpoint)
    }

    /// `state`'s index, in two bytes. A machine of a component with more
    /// states than two bytes can number fails to build, rather than mix up
    /// states in its records.
    #[inline(always)]
    pub(crate) fn index(state: C::State) -> u16 {
        const {
            assert!(
                <C::State as Label>::ALL.len() <= 1 << 16,
                "a typestep machine supports at most 65536 states"
            )
        };
        state.index() as u16
    }

    /// The state with index `index` (one of [`Pieces::index`]).
    fn state(index: u16) -> C::State {
        <C::State as Label>::ALL[usize::from(index)]
    }

    /// The record these pieces are of.
    pub(crate) fn join(self, seq: u64, checkpoint: u64, (at, took): Times) -> MoveRecord<C> {
        let cause = match (self.event, self.cancelled) {
            (Some(event), false) => Cause::Event(event),
            (Some(event), true) => Cause::Cancelled(event),
            (None, _) => Cause::Rollback { checkpoint },
        };
        MoveRecord {
            seq,
            from: Self::state(self.from),
            cause,
            to: Self::state(self.to),
            at,
            took,
        }
    }
}

impl<C: Component> Clone for Pieces<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Component> Copy for Pieces<C> {}

impl<C: Component> Clone for MoveRecord<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Component> Copy for MoveRecord<C> {}

impl<C: Component> PartialEq for MoveRecord<C> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
            && self.from == other.from
            && self.cause == other.cause
            && self.to == other.to
            && self.at == other.at
            && self.took == other.took
    }
}

impl<C: Component> Eq for MoveRecord<C> {}

impl<C: Component> fmt::Debug for MoveRecord<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MoveRecord")
            .field("component", &C::NAME)
            .field("seq", &self.seq)
            .field("from", &self.from)
            .field("cause", &self.cause)
            .field("to", &self.to)
            .field("at", &self.at)
            .field("took", &self.took)
            .finish()
    }
}

impl<C: Component> fmt::Display for MoveRecord<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} `{}`: {} -> {}",
            self.seq,
            C::NAME,
            self.from,
            self.to
        )?;
        match self.cause {
            Cause::Event(event) => write!(f, " on {event}")?,
            Cause::Rollback { checkpoint } => write!(f, " (rollback to #{checkpoint})")?,
            Cause::Cancelled(event) => write!(f, " on {event} (cancelled, rolled back)")?,
        }
        if let Some(took) = self.took {
            write!(f, " in {took:?}")?;
        }
        Ok(())
    }
}
