//! Where collected events go: JSON lines, and optionally `tracing` and `metrics`.

use std::io::{self, Write};

use super::event::RecoveryEvent;

/// A destination for collected events; see
/// [`RecoveryLogger::drain_to`](crate::recovery::RecoveryLogger::drain_to).
pub trait Sink {
    /// Writes one event.
    fn write(&mut self, event: &RecoveryEvent) -> io::Result<()>;

    /// Flushes buffered output (default: nothing to flush).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes each event as one JSON object per line to any [`Write`].
///
/// ```
/// use typestep::recovery::{JsonLines, RecoveryEvent, RecoveryLogger};
/// use std::time::Duration;
///
/// let logger = RecoveryLogger::new(64);
/// logger.record(RecoveryEvent::moved("Worker", "Ready", "Start", "Running", Duration::from_micros(3)));
/// let mut out = JsonLines::new(Vec::new());
/// logger.drain_to(&mut out)?;
/// let text = String::from_utf8(out.into_inner()).unwrap();
/// assert!(text.starts_with(r#"{"seq":0,"#));
/// assert!(text.contains(r#""from":"Ready","event":"Start","to":"Running""#));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    /// A sink writing to `out` (wrap files in a `BufWriter`).
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Sink for JsonLines<W> {
    fn write(&mut self, event: &RecoveryEvent) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, event)?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Emits each event as a `tracing` event with fields (cleanup steps inside a
/// `cleanup_step` span), to whatever subscriber the application installed:
/// the library never installs one.
#[cfg(feature = "tracing")]
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingSink;

#[cfg(feature = "tracing")]
impl Sink for TracingSink {
    fn write(&mut self, event: &RecoveryEvent) -> io::Result<()> {
        use super::event::nanos;
        use super::EventKind;
        let component = event.component.as_str();
        let from = event.from.unwrap_or("");
        let on = event.event.unwrap_or("");
        let to = event.to.unwrap_or("");
        let context = event.context.as_deref().unwrap_or("");
        let duration_ns = nanos(event.duration);
        match event.kind {
            EventKind::Moved => tracing::debug!(
                target: "typestep", seq = event.seq, component, from, event = on, to, duration_ns, "moved"
            ),
            EventKind::Rejected => tracing::info!(
                target: "typestep", seq = event.seq, component, from, event = on, to, context, "rejected"
            ),
            EventKind::RolledBack => tracing::warn!(
                target: "typestep", seq = event.seq, component, from, event = on, to, duration_ns, context, "rolled back"
            ),
            EventKind::Failure => {
                tracing::error!(target: "typestep", seq = event.seq, component, context, "failure")
            }
            EventKind::Cancelled => tracing::warn!(
                target: "typestep", seq = event.seq, component, from, event = on, to, duration_ns, "cancelled"
            ),
            EventKind::Cleanup(outcome) => {
                let step = event.step.as_deref().unwrap_or("");
                let span = tracing::info_span!(target: "typestep", "cleanup_step", component, step);
                let _entered = span.enter();
                if outcome.is_ok() {
                    tracing::info!(target: "typestep", seq = event.seq, outcome = outcome.name(), duration_ns, "cleanup step finished");
                } else {
                    tracing::error!(target: "typestep", seq = event.seq, outcome = outcome.name(), duration_ns, context, "cleanup step did not finish cleanly");
                }
            }
        }
        Ok(())
    }
}

/// Counts moves per transition and records move and cleanup durations
/// through the `metrics` facade, to whatever recorder the application
/// installed: the library never installs one.
///
/// Names: `typestep_transitions_total`, `typestep_rejected_total`,
/// `typestep_rollbacks_total`, `typestep_failures_total`,
/// `typestep_cleanup_steps_total` (counters) and
/// `typestep_move_duration_seconds`, `typestep_cleanup_duration_seconds`
/// (histograms). (`StateMachine` itself counts moves as
/// `typestep_moves_total` by outcome under the same feature; the transition
/// counter here has its own name so the two never add up to double counts.)
#[cfg(feature = "metrics")]
#[derive(Debug, Default, Clone, Copy)]
pub struct MetricsSink;

#[cfg(feature = "metrics")]
impl Sink for MetricsSink {
    fn write(&mut self, event: &RecoveryEvent) -> io::Result<()> {
        use super::EventKind;
        let component = event.component.to_string();
        let from = event.from.unwrap_or("");
        let on = event.event.unwrap_or("");
        let to = event.to.unwrap_or("");
        match event.kind {
            EventKind::Moved => {
                metrics::counter!("typestep_transitions_total", "component" => component.clone(), "from" => from, "event" => on, "to" => to).increment(1);
                metrics::histogram!("typestep_move_duration_seconds", "component" => component, "event" => on)
                    .record(event.duration.as_secs_f64());
            }
            EventKind::Rejected => {
                metrics::counter!("typestep_rejected_total", "component" => component, "from" => from, "event" => on).increment(1)
            }
            EventKind::RolledBack => {
                metrics::counter!("typestep_rollbacks_total", "component" => component, "from" => from, "event" => on).increment(1)
            }
            EventKind::Failure => {
                metrics::counter!("typestep_failures_total", "component" => component).increment(1)
            }
            EventKind::Cancelled => {
                metrics::counter!("typestep_cancelled_total", "component" => component, "from" => from, "event" => on).increment(1)
            }
            EventKind::Cleanup(outcome) => {
                metrics::counter!("typestep_cleanup_steps_total", "component" => component.clone(), "outcome" => outcome.name()).increment(1);
                metrics::histogram!("typestep_cleanup_duration_seconds", "component" => component)
                    .record(event.duration.as_secs_f64());
            }
        }
        Ok(())
    }
}
