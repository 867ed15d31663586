//! The optional `tracing` and `metrics` sinks emit to a subscriber or
//! recorder installed locally by the test: the library installs none.
#![cfg(any(feature = "tracing", feature = "metrics"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use typestep::{
    cleanup::StepOutcome,
    recovery::{RecoveryEvent, RecoveryLogger},
};

fn logger_with_events() -> RecoveryLogger {
    let logger = RecoveryLogger::new(64);
    logger.record(RecoveryEvent::moved(
        "Worker",
        "Ready",
        "Start",
        "Running",
        Duration::from_micros(4),
    ));
    logger.record(RecoveryEvent::rejected(
        "Worker",
        "Ready",
        "Stop",
        None,
        "not_allowed",
    ));
    logger.record(RecoveryEvent::cleanup(
        "Pool",
        "pool",
        StepOutcome::Failed,
        Duration::from_millis(2),
        Some("leak".into()),
    ));
    logger
}

#[cfg(feature = "tracing")]
mod tracing_sink {
    use super::*;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Records each event as `message key=value ...`, and span names.
    #[derive(Default, Clone)]
    struct Collect(Arc<Mutex<Vec<String>>>);

    struct Line(String);
    impl Visit for Line {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={:?}", field.name(), value));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push_str(&format!(" {}={}", field.name(), value));
        }
    }

    impl Subscriber for Collect {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut line = Line(format!("span {}", span.metadata().name()));
            span.record(&mut line);
            self.0.lock().unwrap().push(line.0);
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = Line(String::from("event"));
            event.record(&mut line);
            self.0.lock().unwrap().push(line.0);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn events_and_cleanup_spans_carry_their_fields() {
        let collect = Collect::default();
        let logger = logger_with_events();
        tracing::subscriber::with_default(collect.clone(), || {
            logger
                .drain_to(&mut typestep::recovery::TracingSink)
                .unwrap();
        });
        let lines = collect.0.lock().unwrap().clone();
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(
            lines[0].contains("message=moved")
                && lines[0].contains("from=Ready")
                && lines[0].contains("to=Running"),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("duration_ns=4000"), "{}", lines[0]);
        assert!(
            lines[1].contains("message=rejected") && lines[1].contains("context=not_allowed"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("span cleanup_step") && lines[2].contains("step=pool"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].contains("outcome=failed") && lines[3].contains("context=leak"),
            "{}",
            lines[3]
        );
    }
}

#[cfg(feature = "metrics")]
mod metrics_sink {
    use super::*;
    use metrics::{
        Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
        SharedString, Unit,
    };

    /// Keeps every increment and histogram value, by metric name and labels.
    #[derive(Default, Clone)]
    struct Keep(Arc<Mutex<Vec<(String, f64)>>>);

    struct Handle(String, Keep);
    impl CounterFn for Handle {
        fn increment(&self, value: u64) {
            self.1
                 .0
                .lock()
                .unwrap()
                .push((self.0.clone(), value as f64));
        }
        fn absolute(&self, value: u64) {
            self.increment(value)
        }
    }
    impl HistogramFn for Handle {
        fn record(&self, value: f64) {
            self.1 .0.lock().unwrap().push((self.0.clone(), value));
        }
    }

    fn describe(key: &Key) -> String {
        let mut labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        labels.sort();
        format!("{}{{{}}}", key.name(), labels.join(","))
    }

    impl Recorder for Keep {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            Counter::from_arc(Arc::new(Handle(describe(key), self.clone())))
        }
        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::noop()
        }
        fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::from_arc(Arc::new(Handle(describe(key), self.clone())))
        }
    }

    #[test]
    fn counters_per_transition_and_duration_histograms() {
        let keep = Keep::default();
        let logger = logger_with_events();
        metrics::with_local_recorder(&keep, || {
            logger
                .drain_to(&mut typestep::recovery::MetricsSink)
                .unwrap();
        });
        let seen = keep.0.lock().unwrap().clone();
        assert!(
            seen.contains(&(
                "typestep_transitions_total{component=Worker,event=Start,from=Ready,to=Running}"
                    .into(),
                1.0
            )),
            "{seen:#?}"
        );
        assert!(seen.contains(&(
            "typestep_move_duration_seconds{component=Worker,event=Start}".into(),
            4e-6
        )));
        assert!(seen.contains(&(
            "typestep_rejected_total{component=Worker,event=Stop,from=Ready}".into(),
            1.0
        )));
        assert!(seen.contains(&(
            "typestep_cleanup_steps_total{component=Pool,outcome=failed}".into(),
            1.0
        )));
        assert!(seen.contains(&(
            "typestep_cleanup_duration_seconds{component=Pool}".into(),
            0.002
        )));
    }
}
