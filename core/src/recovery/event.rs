//! What the recovery log records: [`RecoveryEvent`].

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_core::ser::{Serialize, SerializeMap, Serializer};

/// A name in an event: a `&'static str` (component, state and event names)
/// or a shared string (cleanup step names, error contexts). Cloning it never
/// allocates.
#[derive(Clone)]
pub enum Name {
    /// A name known at compile time.
    Static(&'static str),
    /// A name made at run time, shared.
    Shared(Arc<str>),
}

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Name::Static(text) => text,
            Name::Shared(text) => text,
        }
    }
}

impl core::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Name {}
impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Name {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}
impl core::hash::Hash for Name {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl From<&'static str> for Name {
    fn from(text: &'static str) -> Self {
        Name::Static(text)
    }
}
impl From<Arc<str>> for Name {
    fn from(text: Arc<str>) -> Self {
        Name::Shared(text)
    }
}
impl From<String> for Name {
    fn from(text: String) -> Self {
        Name::Shared(text.into())
    }
}

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A move was committed: `from --event--> to`.
    Moved,
    /// A move was refused before anything changed: the state does not accept
    /// the event, or the guard said no.
    Rejected,
    /// A move's action failed or panicked and the data was restored.
    RolledBack,
    /// A cleanup step finished with this outcome.
    Cleanup(StepOutcome),
    /// A component failed (a panic, a missed heartbeat, a failed cleanup).
    Failure,
    /// An async move was dropped before it finished (a timeout, a `select!`,
    /// an aborted task): its data was restored and the state did not change.
    Cancelled,
}

impl EventKind {
    /// A short, stable name (`"moved"`, `"cleanup"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Moved => "moved",
            EventKind::Rejected => "rejected",
            EventKind::RolledBack => "rolled_back",
            EventKind::Cleanup(_) => "cleanup",
            EventKind::Failure => "failure",
            EventKind::Cancelled => "cancelled",
        }
    }
}

/// One structured record: time, component, kind, `from`/`event`/`to`,
/// duration and error context. Built without formatting anything.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryEvent {
    /// Position in the logger's collection order, from 0 (set when the
    /// event is collected; see
    /// [`RecoveryLogger::collect`](crate::recovery::RecoveryLogger::collect)).
    pub seq: u64,
    /// Time since the logger was created (set by the logger): to the kernel
    /// tick (1–4 ms) by default, to the nanosecond with
    /// [`RecoveryLogger::precise_time`](crate::recovery::RecoveryLogger::precise_time).
    pub at: Duration,
    /// The component (its `Component::NAME`, or a label naming the instance).
    pub component: Name,
    /// What happened.
    pub kind: EventKind,
    /// The state the move left (or tried to leave).
    pub from: Option<&'static str>,
    /// The event that triggered the move.
    pub event: Option<&'static str>,
    /// The state the move entered (or would have entered).
    pub to: Option<&'static str>,
    /// The cleanup step, for cleanup events.
    pub step: Option<Name>,
    /// How long the move or step took.
    pub duration: Duration,
    /// Why it failed: a stable kind such as `"action_failed"`, or a message.
    pub context: Option<Name>,
}

impl RecoveryEvent {
    fn new(component: Name, kind: EventKind) -> Self {
        RecoveryEvent {
            seq: 0,
            at: Duration::ZERO,
            component,
            kind,
            from: None,
            event: None,
            to: None,
            step: None,
            duration: Duration::ZERO,
            context: None,
        }
    }

    /// A committed move.
    pub fn moved(
        component: impl Into<Name>,
        from: &'static str,
        event: &'static str,
        to: &'static str,
        duration: Duration,
    ) -> Self {
        RecoveryEvent {
            from: Some(from),
            event: Some(event),
            to: Some(to),
            duration,
            ..Self::new(component.into(), EventKind::Moved)
        }
    }

    /// A refused move (`to` is `None` when the state does not accept the event).
    pub fn rejected(
        component: impl Into<Name>,
        from: &'static str,
        event: &'static str,
        to: Option<&'static str>,
        reason: impl Into<Name>,
    ) -> Self {
        RecoveryEvent {
            from: Some(from),
            event: Some(event),
            to,
            context: Some(reason.into()),
            ..Self::new(component.into(), EventKind::Rejected)
        }
    }

    /// A move whose action failed and whose data was restored.
    pub fn rolled_back(
        component: impl Into<Name>,
        from: &'static str,
        event: &'static str,
        to: &'static str,
        duration: Duration,
        reason: impl Into<Name>,
    ) -> Self {
        RecoveryEvent {
            from: Some(from),
            event: Some(event),
            to: Some(to),
            duration,
            context: Some(reason.into()),
            ..Self::new(component.into(), EventKind::RolledBack)
        }
    }

    /// An explicit return to a checkpoint (`StateMachine::rollback_to`).
    pub fn rolled_back_to_checkpoint(
        component: impl Into<Name>,
        from: &'static str,
        to: &'static str,
        duration: Duration,
    ) -> Self {
        RecoveryEvent {
            from: Some(from),
            to: Some(to),
            duration,
            context: Some(Name::Static("checkpoint")),
            ..Self::new(component.into(), EventKind::RolledBack)
        }
    }

    /// An async move that was cancelled and rolled back (`to` is where it
    /// would have gone).
    pub fn cancelled(
        component: impl Into<Name>,
        from: &'static str,
        event: &'static str,
        to: Option<&'static str>,
        duration: Duration,
    ) -> Self {
        RecoveryEvent {
            from: Some(from),
            event: Some(event),
            to,
            duration,
            context: Some(Name::Static("cancelled")),
            ..Self::new(component.into(), EventKind::Cancelled)
        }
    }

    /// A finished cleanup step.
    pub fn cleanup(
        component: impl Into<Name>,
        step: impl Into<Name>,
        outcome: StepOutcome,
        duration: Duration,
        context: Option<Name>,
    ) -> Self {
        RecoveryEvent {
            step: Some(step.into()),
            duration,
            context,
            ..Self::new(component.into(), EventKind::Cleanup(outcome))
        }
    }

    /// A component failure.
    pub fn failure(component: impl Into<Name>, context: impl Into<Name>) -> Self {
        RecoveryEvent {
            context: Some(context.into()),
            ..Self::new(component.into(), EventKind::Failure)
        }
    }

    /// Whether this records something going wrong.
    pub fn is_failure(&self) -> bool {
        match self.kind {
            EventKind::Moved => false,
            EventKind::Cleanup(outcome) => !outcome.is_ok(),
            EventKind::Rejected
            | EventKind::RolledBack
            | EventKind::Failure
            | EventKind::Cancelled => true,
        }
    }
}

impl fmt::Display for RecoveryEvent {
    /// One line: `#seq +time component kind from --event--> to (duration) context`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} +{:?} {} {}",
            self.seq,
            self.at,
            self.component,
            self.kind.name()
        )?;
        if let EventKind::Cleanup(outcome) = self.kind {
            write!(f, " {outcome}")?;
        }
        if let Some(step) = &self.step {
            write!(f, " step `{step}`")?;
        }
        match (self.from, self.event, self.to) {
            (Some(from), Some(event), Some(to)) => write!(f, " {from} --{event}--> {to}")?,
            (Some(from), Some(event), None) => write!(f, " {from} --{event}--> ?")?,
            _ => {}
        }
        if !self.duration.is_zero() {
            write!(f, " ({:?})", self.duration)?;
        }
        if let Some(context) = &self.context {
            write!(f, ": {context}")?;
        }
        Ok(())
    }
}

/// Always available (the JSON-lines sink needs it): one flat object with
/// `seq`, `at_ns`, `component`, `kind`, and the optional fields that are set.
impl Serialize for RecoveryEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("seq", &self.seq)?;
        map.serialize_entry("at_ns", &nanos(self.at))?;
        map.serialize_entry("component", self.component.as_str())?;
        map.serialize_entry("kind", self.kind.name())?;
        if let EventKind::Cleanup(outcome) = self.kind {
            map.serialize_entry("outcome", outcome.name())?;
        }
        if let Some(step) = &self.step {
            map.serialize_entry("step", step.as_str())?;
        }
        if let Some(from) = self.from {
            map.serialize_entry("from", from)?;
        }
        if let Some(event) = self.event {
            map.serialize_entry("event", event)?;
        }
        if let Some(to) = self.to {
            map.serialize_entry("to", to)?;
        }
        map.serialize_entry("duration_ns", &nanos(self.duration))?;
        if let Some(context) = &self.context {
            map.serialize_entry("context", context.as_str())?;
        }
        map.end()
    }
}

/// Nanoseconds, saturating at `u64::MAX` (585 years).
pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// How a cleanup step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StepOutcome {
    /// The action succeeded and its verification (if any) passed.
    Ok,
    /// The action returned an error.
    Failed,
    /// The action panicked.
    Panicked,
    /// The action succeeded but its verification failed or panicked.
    Unverified,
    /// The step did not finish within its timeout; its thread may still be running.
    TimedOut,
    /// The step was not run because of the [`FailurePolicy`](crate::cleanup::FailurePolicy).
    Skipped,
}

impl StepOutcome {
    /// A short, stable name (`"ok"`, `"failed"`, ...) for logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            StepOutcome::Ok => "ok",
            StepOutcome::Failed => "failed",
            StepOutcome::Panicked => "panicked",
            StepOutcome::Unverified => "unverified",
            StepOutcome::TimedOut => "timed_out",
            StepOutcome::Skipped => "skipped",
        }
    }

    /// Whether the step finished cleanly.
    pub fn is_ok(self) -> bool {
        self == StepOutcome::Ok
    }
}

impl fmt::Display for StepOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
