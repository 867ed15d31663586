//! Request handling never panics on bad input: any path, query string and
//! header values, sent to the router directly (no network).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use tower::ServiceExt;
use typestep_core::pool::{ResourceKind, ResourcePool};
use typestep_core::recovery::{RecoveryEvent, RecoveryLogger};

use crate::live::{Hub, Sources};

fn hub() -> Arc<Hub> {
    let logger = Arc::new(RecoveryLogger::new(64));
    for _ in 0..5 {
        logger.record(RecoveryEvent::moved(
            "pump",
            "Idle",
            "Start",
            "Pumping",
            Duration::from_micros(3),
        ));
    }
    logger.record(RecoveryEvent::failure("pump", "stalled"));
    let pool = ResourcePool::builder()
        .capacity(ResourceKind::HANDLES, 4)
        .build()
        .expect("builds");
    let hub = Arc::new(Hub::new(Sources {
        logger: Some(logger),
        pool: Some(pool),
        ..Sources::default()
    }));
    hub.tick();
    hub
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Sends one request; returns its status, or `None` when the request itself
/// could not be built (the client would not send it).
fn send(
    hub: &Arc<Hub>,
    method: &str,
    uri: &str,
    headers: &[(String, Vec<u8>)],
) -> Option<StatusCode> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_slice());
    }
    let request = request.body(Body::empty()).ok()?;
    let router = crate::server::router(hub.clone());
    let response = runtime()
        .block_on(router.oneshot(request))
        .unwrap_or_else(|never| match never {});
    Some(response.status())
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::from("/")),
        Just(String::from("/events")),
        Just(String::from("/metrics")),
        Just(String::from("/api/snapshot")),
        "/[a-z/%.]{0,20}",
        "/\\PC{0,12}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "\\?(component|kind|x)=[a-z%0-9&=+]{0,16}",
        "\\?\\PC{0,16}",
    ]
}

fn header() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        prop_oneof![
            Just(String::from("last-event-id")),
            Just(String::from("accept")),
            Just(String::from("x-anything")),
        ],
        prop_oneof![
            "[0-9]{0,25}".prop_map(String::into_bytes),
            "-?[0-9a-z ]{0,12}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..16),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn bad_paths_queries_and_headers_never_panic(
        method in prop_oneof![Just("GET"), Just("POST"), Just("HEAD"), Just("DELETE")],
        path in path(),
        query in query(),
        headers in proptest::collection::vec(header(), 0..3),
    ) {
        let hub = hub();
        let uri = format!("{path}{query}");
        if let Some(status) = send(&hub, method, &uri, &headers) {
            // Never a server error: bad input is a 4xx, good input a 200.
            prop_assert!(!status.is_server_error(), "{method} {uri}: {status}");
        }
    }
}

#[test]
fn known_routes_answer_and_unknown_ones_are_404() {
    let hub = hub();
    for (uri, expected) in [
        ("/", StatusCode::OK),
        ("/events", StatusCode::OK),
        ("/events?component=pump&kind=moved", StatusCode::OK),
        ("/metrics", StatusCode::OK),
        ("/api/snapshot", StatusCode::OK),
        ("/nope", StatusCode::NOT_FOUND),
    ] {
        assert_eq!(send(&hub, "GET", uri, &[]), Some(expected), "{uri}");
    }
    assert_eq!(
        send(&hub, "POST", "/metrics", &[]),
        Some(StatusCode::METHOD_NOT_ALLOWED)
    );
    let odd = [(String::from("last-event-id"), vec![0xff, 0xfe])];
    assert_eq!(send(&hub, "GET", "/events", &odd), Some(StatusCode::OK));
}

/// The body of a GET of `uri`.
fn get_body(hub: &Arc<Hub>, uri: &str) -> String {
    use http_body_util::BodyExt;
    let request = Request::get(uri).body(Body::empty()).expect("a request");
    let router = crate::server::router(hub.clone());
    runtime().block_on(async {
        let response = router
            .oneshot(request)
            .await
            .unwrap_or_else(|never| match never {});
        let bytes = response.into_body().collect().await.expect("a body");
        String::from_utf8(bytes.to_bytes().to_vec()).expect("utf-8")
    })
}

#[test]
fn buffers_idle_in_a_thread_cache_are_shown_apart() {
    use typestep_core::buffer::BufferManager;
    use typestep_core::pool::Quotas;

    let pool = ResourcePool::builder()
        .capacity(ResourceKind::BUFFER_BYTES, 4096)
        .build()
        .expect("builds");
    let frames = pool.open_channel("frames", Quotas::new()).expect("opens");
    let buffers = BufferManager::new(&pool, 1024).expect("a manager");
    let held = buffers.acquire(frames).expect("a buffer");
    drop(buffers.acquire(frames).expect("another"));
    let hub = Arc::new(Hub::new(Sources {
        buffers: Some(buffers.clone()),
        ..Sources::default()
    }));
    hub.tick();

    let metrics = get_body(&hub, "/metrics");
    assert!(
        metrics.contains("buffers_in_use{channel=\"frames\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("buffers_cached{channel=\"frames\"} 1"),
        "{metrics}"
    );
    let snapshot: serde_json::Value =
        serde_json::from_str(&get_body(&hub, "/api/snapshot")).expect("json");
    let channel = &snapshot["buffers"]["channels"][0];
    assert_eq!(channel["name"], "frames");
    assert_eq!(
        (channel["in_use"].as_u64(), channel["cached"].as_u64()),
        (Some(1), Some(1))
    );
    drop(held);
}
