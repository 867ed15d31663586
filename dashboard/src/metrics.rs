//! `/metrics`: the Prometheus (OpenMetrics) text exposition, written by
//! `prometheus-client` from a registry filled at scrape time.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::live::{transition_labels, Hub};

type Labels = Vec<(&'static str, String)>;
type Gauges = Family<Labels, Gauge>;
type FloatGauges = Family<Labels, Gauge<f64, AtomicU64>>;
type Counters = Family<Labels, Counter>;

/// The whole exposition, or an error only if formatting into a `String`
/// failed (it does not).
pub(crate) fn render(hub: &Hub) -> Result<String, std::fmt::Error> {
    let snapshot = hub.snapshot();
    let mut registry = Registry::with_prefix("typestep");

    let state = Gauges::default();
    let transitions = Counters::default();
    let transition_failures = Counters::default();
    // A gauge family named `_info` with value 1 (prometheus-client's `Info`
    // takes one label set per registration, not a family).
    let info = Gauges::default();
    let restarts = Counters::default();
    let failures = Counters::default();
    let budget = Gauges::default();
    let failed = Gauges::default();
    let heartbeat = FloatGauges::default();
    let in_state = FloatGauges::default();

    for component in &snapshot.components {
        let name = || ("component", component.name.clone());
        if let Some(declared) = hub.sources.declared.get(component.kind) {
            for &s in &declared.states {
                state
                    .get_or_create(&vec![name(), ("state", s.to_string())])
                    .set(i64::from(s == component.state));
            }
        } else {
            state
                .get_or_create(&vec![name(), ("state", component.state.to_string())])
                .set(1);
        }
        for edge in &component.edges {
            let labels = transition_labels(&component.name, edge.from, edge.event, edge.to);
            transitions.get_or_create(&labels).inc_by(edge.taken);
            transition_failures
                .get_or_create(&labels)
                .inc_by(edge.failed);
            // Created at zero, so a query sees every declared edge.
            let _ = hub.durations.get_or_create(&labels);
            let mut with_kind = labels;
            with_kind.push(("kind", component.kind.to_string()));
            info.get_or_create(&with_kind).set(1);
        }
        restarts
            .get_or_create(&vec![name()])
            .inc_by(component.restarts);
        failures
            .get_or_create(&vec![name()])
            .inc_by(component.failures);
        failed
            .get_or_create(&vec![name()])
            .set(i64::from(component.failed));
        in_state
            .get_or_create(&vec![name()])
            .set(component.time_in_state_s);
        if let Some(left) = component.restart_budget {
            budget.get_or_create(&vec![name()]).set(i64::from(left));
        }
        if let Some(age) = component.heartbeat_age_s {
            heartbeat.get_or_create(&vec![name()]).set(age);
        }
    }
    registry.register(
        "state",
        "1 for the state each component is in, 0 for its other declared states",
        state,
    );
    registry.register(
        "transitions",
        "Committed moves along each declared transition",
        transitions,
    );
    registry.register(
        "transition_failures",
        "Attempts along each declared transition that were rejected or rolled back",
        transition_failures,
    );
    registry.register_with_unit(
        "transition_duration",
        "Duration of committed moves, by transition",
        Unit::Seconds,
        hub.durations.clone(),
    );
    registry.register(
        "transition_info",
        "1 for each declared transition (join with _total to find edges never taken)",
        info,
    );
    registry.register("restarts", "Restarts of each component", restarts);
    registry.register("failures", "Failures detected per component", failures);
    registry.register(
        "restart_budget",
        "Restarts a component may still take in its current window",
        budget,
    );
    registry.register(
        "failed",
        "1 while a component counts as failed (see the dashboard)",
        failed,
    );
    registry.register_with_unit(
        "heartbeat_age",
        "Time since a component's freshest running worker beat",
        Unit::Seconds,
        heartbeat,
    );
    registry.register_with_unit(
        "time_in_state",
        "Time each component has spent in its current state",
        Unit::Seconds,
        in_state,
    );

    let recovery = Counters::default();
    let totals = &snapshot.totals;
    for (kind, value) in [
        ("moved", totals.moves),
        ("rejected", totals.rejected),
        ("rolled_back", totals.rolled_back),
        ("failure", totals.failures),
        ("cleanup_ok", totals.cleanup_ok),
        ("cleanup_failed", totals.cleanup_failed),
    ] {
        recovery
            .get_or_create(&vec![("kind", kind.to_string())])
            .inc_by(value);
    }
    registry.register("recovery_events", "Recovery-log events by kind", recovery);
    let lost: Counter = Counter::default();
    lost.inc_by(totals.overwritten);
    registry.register(
        "recovery_events_lost",
        "Recovery-log events lost before the dashboard read them",
        lost,
    );

    if let Some(pool) = &snapshot.pool {
        let capacity = Gauges::default();
        let in_use = Gauges::default();
        let peak = Gauges::default();
        let refused = Counters::default();
        let channel_use = Gauges::default();
        let channel_quota = Gauges::default();
        let leases = Gauges::default();
        for kind in &pool.kinds {
            let labels = vec![("kind", kind.kind.to_string())];
            capacity.get_or_create(&labels).set(clamp(kind.capacity));
            in_use.get_or_create(&labels).set(clamp(kind.in_use));
            peak.get_or_create(&labels).set(clamp(kind.peak));
            refused.get_or_create(&labels).inc_by(kind.refused);
        }
        for channel in &pool.channels {
            let name = ("channel", channel.name.clone());
            leases
                .get_or_create(&vec![name.clone()])
                .set(clamp(channel.leases as u64));
            for used in &channel.used {
                let labels = vec![name.clone(), ("kind", used.kind.to_string())];
                channel_use.get_or_create(&labels).set(clamp(used.units));
                if let Some(quota) = used.quota {
                    channel_quota.get_or_create(&labels).set(clamp(quota));
                }
            }
        }
        registry.register("pool_capacity_units", "Pool capacity per kind", capacity);
        registry.register("pool_in_use_units", "Units leased now per kind", in_use);
        registry.register(
            "pool_peak_units",
            "Most units leased at once per kind",
            peak,
        );
        registry.register(
            "pool_refused",
            "Requests the pool refused per kind",
            refused,
        );
        registry.register(
            "pool_channel_in_use_units",
            "Units a channel leases now per kind",
            channel_use,
        );
        registry.register(
            "pool_channel_quota_units",
            "A channel's quota per kind",
            channel_quota,
        );
        registry.register("pool_channel_leases", "Leases a channel holds now", leases);
    }
    if let Some(buffers) = &snapshot.buffers {
        let in_use = Gauges::default();
        let cached = Gauges::default();
        let acquired = Counters::default();
        for channel in &buffers.channels {
            let labels = vec![("channel", channel.name.clone())];
            in_use.get_or_create(&labels).set(clamp(channel.in_use));
            cached.get_or_create(&labels).set(clamp(channel.cached));
            acquired.get_or_create(&labels).inc_by(channel.acquired);
        }
        let allocated: Gauge = Gauge::default();
        allocated.set(clamp(buffers.allocated));
        let idle: Gauge = Gauge::default();
        idle.set(clamp(buffers.idle as u64));
        registry.register("buffers_in_use", "Buffers a channel holds now", in_use);
        registry.register(
            "buffers_cached",
            "Released buffers idle in threads' caches per channel, still reserved",
            cached,
        );
        registry.register(
            "buffers_acquired",
            "Buffers handed out per channel",
            acquired,
        );
        registry.register("buffers_allocated", "Buffers allocated in total", allocated);
        registry.register("buffers_idle", "Buffers idle, ready for reuse", idle);
    }

    let mut out = String::new();
    encode(&mut out, &registry)?;
    Ok(out)
}

fn clamp(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
