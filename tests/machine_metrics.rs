//! The `metrics` feature: every move of a machine counts itself in
//! `typestep_moves_total{component, outcome}`, without allocating.
#![cfg(feature = "metrics")]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use metrics::{
    Counter, CounterFn, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};
use typestep::prelude::*;

#[derive(Component, Clone, Debug)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Release)]
struct Lamp;

/// One counter's value.
struct Count(AtomicU64);

impl CounterFn for Count {
    fn increment(&self, value: u64) {
        self.0.fetch_add(value, Ordering::Relaxed);
    }
    fn absolute(&self, value: u64) {
        self.0.store(value, Ordering::Relaxed);
    }
}

/// Counters by name and labels (`name{k=v,...}`).
#[derive(Default)]
struct Counters(Mutex<BTreeMap<String, Arc<Count>>>);

impl Counters {
    fn get(&self, name: &str) -> u64 {
        self.0
            .lock()
            .map(|map| map.get(name).map_or(0, |c| c.0.load(Ordering::Relaxed)))
            .unwrap_or(0)
    }
}

impl Recorder for Counters {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        let mut map = self.0.lock().expect("not poisoned");
        let count = map
            .entry(name)
            .or_insert_with(|| Arc::new(Count(AtomicU64::new(0))));
        Counter::from_arc(Arc::clone(count))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

#[test]
fn moves_and_rejections_are_counted_by_component_and_outcome() {
    let counters = Counters::default();
    metrics::with_local_recorder(&counters, || {
        let mut lamp = StateMachine::new(Lamp);
        assert!(lamp.fire(lamp::Press).is_ok());
        assert!(lamp.fire(lamp::Press).is_err());
        assert!(lamp.fire(lamp::Release).is_ok());
    });
    assert_eq!(
        counters.get("typestep_moves_total{component=Lamp,outcome=moved}"),
        2
    );
    assert_eq!(
        counters.get("typestep_moves_total{component=Lamp,outcome=not_allowed}"),
        1
    );
}

#[test]
fn a_counted_move_allocates_nothing_without_a_recorder() {
    let mut lamp = StateMachine::new(Lamp);
    let mut on = false;
    let info = allocation_counter::measure(|| {
        for _ in 0..1000 {
            let event = if on {
                lamp::Event::Release
            } else {
                lamp::Event::Press
            };
            on = !on;
            assert!(lamp.fire(event).is_ok());
        }
    });
    assert_eq!(info.count_total, 0);
}
