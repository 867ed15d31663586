//! The dashboard over real HTTP (a server on 127.0.0.1:0): the page, the
//! SSE stream (including a reconnect with `Last-Event-ID`), the metrics
//! (parsed with a Prometheus parser) and the JSON snapshot.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use typestep::cleanup::CleanupStep;
use typestep::coordinator::{ComponentCoordinator, CoordinatorConfig, Lifecycle, Managed};
use typestep::dashboard::Dashboard;
use typestep::pool::{Quotas, ResourcePool};
use typestep::prelude::*;

#[derive(Component, Clone, Debug)]
#[component(states(Idle, Pumping, Draining, Failed), initial = Idle)]
#[transition(Idle -> Pumping on Start)]
#[transition(Pumping -> Draining on Drain)]
#[transition(Draining -> Pumping on Refill)]
#[transition(Pumping | Draining -> Failed on Fail)]
#[transition(Failed -> Idle on Reset)]
struct Pump;

/// A system whose plan the dashboard shows.
#[derive(System)]
#[allow(dead_code)]
struct Plant {
    pool: ResourcePool,
    #[depends_on(pool)]
    components: ComponentCoordinator,
}

struct Fixture {
    coordinator: ComponentCoordinator,
    pump: Managed<Pump>,
    dashboard: Dashboard,
    agent: ureq::Agent,
}

fn fixture() -> Fixture {
    let pool = ResourcePool::builder()
        .build()
        .expect("an empty pool builds");
    let coordinator = ComponentCoordinator::new(pool, CoordinatorConfig::default());
    let pump = coordinator
        .register(
            "pump",
            StateMachine::new(Pump),
            Lifecycle::new(pump::Fail).start(pump::Start),
            Quotas::new(),
        )
        .expect("registers");
    coordinator.start_all().expect("starts");
    let dashboard = Dashboard::builder()
        .coordinator(&coordinator)
        .component::<Pump>()
        .system::<Plant>()
        .serve("127.0.0.1:0")
        .expect("binds loopback");
    dashboard.refresh();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .build()
        .into();
    Fixture {
        coordinator,
        pump,
        dashboard,
        agent,
    }
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.dashboard.address())
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        let mut response = self.agent.get(&self.url(path)).call().expect("answers");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = response.body_mut().read_to_string().expect("a text body");
        (status, kind, body)
    }

    /// Opens `/events` (with `last` as `Last-Event-ID`) and reads until
    /// `until` says the events seen so far are enough.
    fn stream(
        &self,
        last: Option<&str>,
        mut until: impl FnMut(&[SseEvent]) -> bool,
    ) -> Vec<SseEvent> {
        let mut request = self.agent.get(&self.url("/events"));
        if let Some(last) = last {
            request = request.header("Last-Event-ID", last);
        }
        let response = request.call().expect("the stream opens");
        assert_eq!(response.status().as_u16(), 200);
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert_eq!(kind, Some("text/event-stream"));
        let reader = response.into_body().into_reader();
        let mut lines = BufReader::new(reader).lines();
        let mut events = Vec::new();
        let mut current = SseEvent::default();
        while !until(&events) {
            let line = lines.next().expect("the stream stays open").expect("reads");
            if line.is_empty() {
                if !current.name.is_empty() {
                    events.push(std::mem::take(&mut current));
                }
                continue;
            }
            if let Some(name) = line.strip_prefix("event: ") {
                current.name = name.to_string();
            } else if let Some(id) = line.strip_prefix("id: ") {
                current.id = id.parse().ok();
            } else if let Some(data) = line.strip_prefix("data: ") {
                current.data = data.to_string();
            }
        }
        events
    }
}

#[derive(Debug, Default, Clone)]
struct SseEvent {
    name: String,
    id: Option<u64>,
    data: String,
}

fn recovery_seqs(events: &[SseEvent]) -> Vec<u64> {
    events
        .iter()
        .filter(|e| e.name == "recovery")
        .map(|e| {
            let json: serde_json::Value = serde_json::from_str(&e.data).expect("JSON data");
            let seq = json["seq"].as_u64().expect("a seq");
            assert_eq!(e.id, Some(seq), "the SSE id is the recovery seq");
            seq
        })
        .collect()
}

#[test]
fn the_page_is_one_self_contained_document() {
    let f = fixture();
    let (status, kind, body) = f.get("/");
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("<title>typestep dashboard</title>"));
    assert!(body.contains("new EventSource(\"events\")"));
    // Nothing fetched from elsewhere: no external script, style or image.
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!body.contains(external), "the page loads {external}");
    }
    let (status, _, _) = f.get("/no/such/page");
    assert_eq!(status, 404);
}

#[test]
fn the_snapshot_has_states_edges_and_the_drawn_graph() {
    let f = fixture();
    f.pump.fire(pump::Drain).expect("Pumping accepts Drain");
    f.dashboard.refresh();
    let (status, kind, body) = f.get("/api/snapshot");
    assert_eq!(status, 200);
    assert_eq!(kind, "application/json");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let pump = &json["components"][0];
    assert_eq!(pump["name"], "pump");
    assert_eq!(pump["kind"], "Pump");
    assert_eq!(pump["state"], "Draining");
    assert_eq!(pump["failed"], false);
    assert_eq!(pump["moves"], 2);
    let edges = pump["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), Pump::TRANSITIONS.len());
    let drain = edges
        .iter()
        .find(|e| e["event"] == "Drain")
        .expect("the Drain edge");
    assert_eq!(drain["taken"], 1);
    let svg = pump["svg"].as_str().expect("svg");
    assert!(svg.starts_with("<svg class=\"graph\""));
    assert!(svg.contains("class=\"state current\" data-state=\"Draining\""));
    assert!(svg.contains("Refill · never"));
    assert_eq!(json["totals"]["moves"], 2);
}

#[test]
fn the_snapshot_shows_the_plan_and_the_cleanup_progress() {
    let f = fixture();
    let cleanup = f.coordinator.cleanup();
    let step = |name: &'static str| CleanupStep::new(name, || Ok::<(), std::io::Error>(()));
    // `components` uses `pool`, so `pool` is cleaned up after it.
    cleanup.register(step("pool")).expect("registers");
    cleanup
        .register(step("components").depends_on("pool"))
        .expect("registers");
    f.dashboard.refresh();
    let json: serde_json::Value = serde_json::from_str(&f.get("/api/snapshot").2).expect("JSON");
    let system = &json["system"];
    assert_eq!(system["name"], "Plant");
    assert_eq!(
        system["init_order"],
        serde_json::json!(["pool", "components"])
    );
    let outcome =
        |level: usize, part: usize| system["cleanup_plan"][level][part]["outcome"].clone();
    assert_eq!(system["cleanup_plan"][0][0]["name"], "components");
    assert_eq!(outcome(0, 0), "pending");
    assert_eq!(system["cleanup_steps"][1][0]["name"], "pool");

    cleanup.cleanup();
    f.dashboard.refresh();
    let json: serde_json::Value = serde_json::from_str(&f.get("/api/snapshot").2).expect("JSON");
    let system = &json["system"];
    assert_eq!(system["cleanup_plan"][0][0]["outcome"], "ok");
    assert_eq!(system["cleanup_plan"][1][0]["outcome"], "ok");
    assert_eq!(system["cleanup_steps"][1][0]["outcome"], "ok");
}

#[test]
fn metrics_parse_and_follow_the_conventions() {
    let f = fixture();
    f.pump.fire(pump::Drain).expect("Pumping accepts Drain");
    f.dashboard.refresh();
    let (status, kind, body) = f.get("/metrics");
    assert_eq!(status, 200);
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let lines = body.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("parses");
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    // One current-state series per declared state: 1 for the current one.
    for (state, expected) in [
        ("Idle", 0.0),
        ("Pumping", 0.0),
        ("Draining", 1.0),
        ("Failed", 0.0),
    ] {
        let got = value("typestep_state", &[("component", "pump"), ("state", state)]);
        assert_eq!(got, Some(expected), "typestep_state for {state}");
    }
    // A counter per declared transition, created at zero.
    let total = |from: &str, event: &str| {
        value(
            "typestep_transitions_total",
            &[("component", "pump"), ("from", from), ("event", event)],
        )
    };
    assert_eq!(total("Idle", "Start"), Some(1.0));
    assert_eq!(total("Pumping", "Drain"), Some(1.0));
    assert_eq!(total("Draining", "Refill"), Some(0.0));
    assert_eq!(total("Failed", "Reset"), Some(0.0));
    let declared = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "typestep_transitions_total")
        .count();
    assert_eq!(declared, Pump::TRANSITIONS.len());
    // An info series per declared transition.
    let infos: Vec<_> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "typestep_transition_info")
        .collect();
    assert_eq!(infos.len(), Pump::TRANSITIONS.len(), "{body}");
    for info in infos {
        for label in ["component", "from", "event", "to", "kind"] {
            assert!(info.labels.get(label).is_some(), "{label} in {info:?}");
        }
    }
    assert!(!body.contains("{,"), "malformed label set: {body}");
    assert!(body.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    // Durations in seconds as a histogram.
    assert!(body.contains("# TYPE typestep_transition_duration_seconds histogram"));
    let histogram = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "typestep_transition_duration_seconds"
                && s.labels.get("event") == Some("Drain")
        })
        .expect("a histogram for Drain");
    match &histogram.value {
        prometheus_parse::Value::Histogram(buckets) => {
            let inf = buckets.last().expect("buckets");
            assert_eq!(inf.count, 1.0);
        }
        other => panic!("not a histogram: {other:?}"),
    }
    assert_eq!(
        value("typestep_restarts_total", &[("component", "pump")]),
        Some(0.0)
    );
    assert_eq!(
        value("typestep_failed", &[("component", "pump")]),
        Some(0.0)
    );
}

#[test]
fn the_stream_resumes_after_last_event_id_without_gaps_or_duplicates() {
    let f = fixture();
    for _ in 0..3 {
        f.pump.fire(pump::Drain).expect("drains");
        f.pump.fire(pump::Refill).expect("refills");
    }
    f.dashboard.refresh();
    // Seven moves so far (Start + 3 × (Drain, Refill)): seqs 0..=6.
    let first = f.stream(None, |events| recovery_seqs(events).len() >= 7);
    assert_eq!(
        first[0].name, "snapshot",
        "a new client gets a snapshot first"
    );
    assert_eq!(recovery_seqs(&first), (0..7).collect::<Vec<_>>());

    // More happens while the client is away.
    for _ in 0..2 {
        f.pump.fire(pump::Drain).expect("drains");
        f.pump.fire(pump::Refill).expect("refills");
    }
    f.dashboard.refresh();
    let resumed = f.stream(Some("4"), |events| {
        recovery_seqs(events).last() == Some(&10)
    });
    assert!(resumed.iter().all(|e| e.name != "fell-behind"));
    assert_eq!(recovery_seqs(&resumed), (5..=10).collect::<Vec<_>>());

    // Later events arrive live, in order, once.
    f.pump.fire(pump::Fail).expect("fails");
    let live = f.stream(Some("10"), |events| {
        f.dashboard.refresh();
        recovery_seqs(events).contains(&11)
    });
    assert_eq!(recovery_seqs(&live), vec![11]);
}

#[test]
fn a_client_whose_last_event_is_not_kept_is_told_it_fell_behind() {
    let f = fixture();
    let events = f.stream(Some("123456789"), |events| {
        events.iter().any(|e| e.name == "fell-behind") && !recovery_seqs(events).is_empty()
    });
    let behind = events
        .iter()
        .position(|e| e.name == "fell-behind")
        .expect("fell-behind");
    let first_recovery = events
        .iter()
        .position(|e| e.name == "recovery")
        .expect("events");
    assert!(
        behind < first_recovery,
        "told before the kept events follow"
    );
    // A Last-Event-ID that is not a number is treated as a new client.
    let fresh = f.stream(Some("not a number"), |events| {
        !recovery_seqs(events).is_empty()
    });
    assert!(fresh.iter().all(|e| e.name != "fell-behind"));
}

#[test]
fn the_stream_can_be_filtered_by_component_and_kind() {
    let f = fixture();
    f.pump
        .fire(pump::Event::Refill)
        .expect_err("Pumping does not accept Refill");
    f.pump.fire(pump::Drain).expect("drains");
    f.dashboard.refresh();
    let mut response = f
        .agent
        .get(&f.url("/events?component=pump&kind=rejected"))
        .call()
        .expect("opens");
    let mut reader = BufReader::new(response.body_mut().as_reader());
    let mut seen = String::new();
    while !seen.contains("\"kind\":\"rejected\"") {
        let mut line = String::new();
        reader.read_line(&mut line).expect("reads");
        if line.starts_with("data: {\"seq\"") {
            assert!(line.contains("\"kind\":\"rejected\""), "{line}");
        }
        seen.push_str(&line);
    }
    assert!(
        !seen.contains("\"kind\":\"moved\""),
        "moves are filtered out"
    );
}

#[test]
fn a_stay_ten_times_longer_than_usual_is_warned_about() {
    let f = fixture();
    // Three short stays in Draining make its usual time; then a long one.
    for _ in 0..3 {
        f.pump.fire(pump::Drain).expect("drains");
        f.pump.fire(pump::Refill).expect("refills");
    }
    f.pump.fire(pump::Drain).expect("drains");
    f.dashboard.refresh();
    let pump = &f.dashboard.snapshot().components[0];
    assert_eq!(pump.state, "Draining");
    assert_eq!(pump.warning, None, "not yet: the stay has just begun");
    // The warning needs a stay of a second at least (and 10x the usual).
    std::thread::sleep(Duration::from_millis(1100));
    f.dashboard.refresh();
    let pump = &f.dashboard.snapshot().components[0];
    let warning = pump.warning.as_deref().expect("a warning");
    assert!(warning.starts_with("in state Draining for "), "{warning}");
}
