//! The HTTP side: `/`, `/events` (SSE), `/metrics`, `/api/snapshot`.
//!
//! Every handler reads shared state and formats it; none unwraps anything a
//! client sent. Headers and query parameters that do not parse are ignored
//! (`Last-Event-ID`) or answered with 400 (filters), never a panic.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use serde::Deserialize;

use crate::clients::Item;
use crate::live::Hub;
use crate::message::Message;

/// Recovery events a new client (without `Last-Event-ID`) gets first.
const INITIAL_EVENTS: usize = 300;

const PAGE: &str = include_str!("page.html");

/// The router of every endpoint, over `hub`.
pub(crate) fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/events", get(events))
        .route("/metrics", get(metrics))
        .route("/api/snapshot", get(snapshot))
        .fallback(not_found)
        .with_state(hub)
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
            ),
        ],
        PAGE,
    )
        .into_response()
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "not found: try /, /events, /metrics or /api/snapshot\n",
    )
        .into_response()
}

async fn metrics(State(hub): State<Arc<Hub>>) -> Response {
    match crate::metrics::render(&hub) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not encode the metrics\n",
        )
            .into_response(),
    }
}

async fn snapshot(State(hub): State<Arc<Hub>>) -> Response {
    match serde_json::to_string(&hub.snapshot()) {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            json,
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not encode the snapshot\n",
        )
            .into_response(),
    }
}

/// Optional server-side filters of `/events` (the page filters on its side).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    component: Option<String>,
    kind: Option<String>,
}

impl Filter {
    fn passes(&self, component: &str, kind: &str) -> bool {
        self.component.as_deref().is_none_or(|c| c == component)
            && self.kind.as_deref().is_none_or(|k| k == kind)
    }
}

/// The `Last-Event-ID` a reconnecting client sent, if it is a number.
fn last_event_id(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("last-event-id")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn event_of(message: &Message) -> Event {
    match message {
        Message::Event { seq, event, .. } => Event::default()
            .event("recovery")
            .id(seq.to_string())
            .data(serde_json::to_string(event).unwrap_or_else(|_| String::from("{}"))),
        Message::Snapshot(json) => Event::default().event("snapshot").data(&**json),
    }
}

fn fell_behind(missed: u64) -> Event {
    Event::default()
        .event("fell-behind")
        .data(format!("{{\"missed\":{missed}}}"))
}

async fn events(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Response {
    let Ok(joined) = hub.subscribe(last_event_id(&headers), INITIAL_EVENTS) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many stream clients; try again later\n",
        )
            .into_response();
    };
    let mut pending = VecDeque::new();
    pending.push_back(
        Event::default()
            .retry(Duration::from_millis(1000))
            .event("snapshot")
            .data(&*joined.snapshot),
    );
    if let Some(missed) = joined.fell_behind {
        pending.push_back(fell_behind(missed));
    }
    for message in &joined.backlog {
        if let Message::Event {
            component, kind, ..
        } = &**message
        {
            if filter.passes(component, kind) {
                pending.push_back(event_of(message));
            }
        }
    }
    let stream = stream::unfold(
        (pending, joined.subscriber, filter),
        |(mut pending, mut subscriber, filter)| async move {
            loop {
                if let Some(event) = pending.pop_front() {
                    return Some((Ok::<_, Infallible>(event), (pending, subscriber, filter)));
                }
                match subscriber.next().await? {
                    Item::Message(message) => {
                        if let Message::Event {
                            component, kind, ..
                        } = &*message
                        {
                            if !filter.passes(component, kind) {
                                continue;
                            }
                        }
                        pending.push_back(event_of(&message));
                    }
                    Item::FellBehind(missed) => pending.push_back(fell_behind(missed)),
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[cfg(test)]
mod tests;
