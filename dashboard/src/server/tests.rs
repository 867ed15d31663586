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
