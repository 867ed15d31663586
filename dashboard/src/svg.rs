//! Draws a component's declared state graph as SVG (`typestep-diagram`):
//! every declared edge labelled with how often it was taken and its p99
//! duration, never-taken edges dashed, the current state highlighted.

use std::collections::HashMap;
use std::time::Duration;

use typestep_diagram::{Edge, EdgeLook, Effort, Graph, State, StateLook};

use crate::declared::Declared;

/// What one edge's label shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct EdgeFigures {
    pub(crate) taken: u64,
    pub(crate) failed: u64,
    pub(crate) p99: Duration,
}

/// Graphs up to this many states plus edges get the layout's best effort.
const SMALL: usize = 40;

/// The SVG of `declared` (drawn by `typestep-diagram`), or a plain list
/// when it cannot be laid out (a drawing must never take the server down).
pub(crate) fn draw(
    declared: &Declared,
    current: Option<&str>,
    failed: bool,
    figures: &HashMap<(&'static str, &'static str), EdgeFigures>,
) -> String {
    let graph = graph(declared, current, failed, figures);
    // The crossing optimiser makes small graphs clearer but takes seconds
    // on large ones (3 s for 50 states and 100 edges): the sampler waits.
    let effort = if graph.states.len() + graph.edges.len() <= SMALL {
        Effort::Best
    } else {
        Effort::Fast
    };
    typestep_diagram::render_with(&graph, effort).unwrap_or_else(|| {
        let mut graph = graph;
        graph.attributes[0].1.push_str(" fallback");
        typestep_diagram::list(&graph)
    })
}

/// The plain description of `declared` with its live figures: classes and
/// `data-` attributes the page (and the browser check) read.
fn graph(
    declared: &Declared,
    current: Option<&str>,
    failed: bool,
    figures: &HashMap<(&'static str, &'static str), EdgeFigures>,
) -> Graph {
    let mut graph = Graph {
        attributes: vec![
            ("class".into(), "graph".into()),
            ("data-kind".into(), declared.kind.into()),
            ("role".into(), "img".into()),
        ],
        ..Graph::default()
    };
    let mut index = HashMap::new();
    for &state in &declared.states {
        let is_current = current == Some(state);
        let look = match (is_current, failed) {
            (true, true) => StateLook::Failed,
            (true, false) => StateLook::Current,
            _ => StateLook::Plain,
        };
        let mut class = String::from("state");
        if is_current {
            class.push_str(" current");
        }
        if state == declared.initial {
            class.push_str(" initial");
        }
        if declared.terminal.contains(&state) {
            class.push_str(" terminal");
        }
        index.insert(state, graph.states.len());
        graph.states.push(
            State::new(state)
                .look(look)
                .attribute("class", class)
                .attribute("data-state", state),
        );
    }
    for edge in &declared.edges {
        let (Some(&from), Some(&to)) = (index.get(edge.from), index.get(edge.to)) else {
            continue;
        };
        let figures = figures
            .get(&(edge.from, edge.event))
            .copied()
            .unwrap_or_default();
        let never = figures.taken == 0;
        let label = if never {
            format!("{} · never", edge.event)
        } else {
            format!(
                "{} ×{} · p99 {}",
                edge.event,
                figures.taken,
                short_duration(figures.p99)
            )
        };
        graph.edges.push(
            Edge::new(from, to, label)
                .look(if never {
                    EdgeLook::Never
                } else {
                    EdgeLook::Taken
                })
                .attribute("class", if never { "edge never" } else { "edge taken" })
                .attribute("data-from", edge.from)
                .attribute("data-event", edge.event)
                .attribute("data-to", edge.to)
                .attribute("data-taken", figures.taken.to_string())
                .attribute("data-failed", figures.failed.to_string()),
        );
    }
    graph
}

/// A duration in its natural unit, 3 significant figures at most.
pub(crate) fn short_duration(duration: Duration) -> String {
    let ns = duration.as_nanos() as f64;
    if ns < 1e3 {
        format!("{ns:.0}ns")
    } else if ns < 1e6 {
        format!("{:.3}µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.3}ms", ns / 1e6)
    } else {
        format!("{:.3}s", ns / 1e9)
    }
    .replace(".000", "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declared::DeclaredEdge;

    fn worker() -> Declared {
        Declared {
            kind: "Worker",
            states: vec!["Created", "Running", "Failed", "Stopped"],
            initial: "Created",
            terminal: vec!["Stopped"],
            edges: vec![
                DeclaredEdge {
                    from: "Created",
                    event: "Start",
                    to: "Running",
                },
                DeclaredEdge {
                    from: "Running",
                    event: "Fail",
                    to: "Failed",
                },
                DeclaredEdge {
                    from: "Failed",
                    event: "Restart",
                    to: "Running",
                },
                DeclaredEdge {
                    from: "Running",
                    event: "Tick",
                    to: "Running",
                },
                DeclaredEdge {
                    from: "Running",
                    event: "Stop",
                    to: "Stopped",
                },
            ],
        }
    }

    #[test]
    fn draws_every_state_and_edge_with_its_figures() {
        let mut figures = HashMap::new();
        figures.insert(
            ("Created", "Start"),
            EdgeFigures {
                taken: 3,
                failed: 0,
                p99: Duration::from_micros(12),
            },
        );
        let svg = draw(&worker(), Some("Running"), false, &figures);
        assert!(svg.starts_with("<svg class=\"graph\""), "{svg}");
        for state in ["Created", "Running", "Failed", "Stopped"] {
            assert!(svg.contains(&format!("data-state=\"{state}\"")), "{state}");
        }
        assert_eq!(svg.matches("class=\"edge ").count(), 5);
        assert!(svg.contains("Start ×3 · p99 12µs"), "{svg}");
        assert_eq!(svg.matches("class=\"edge never\"").count(), 4);
        assert!(svg.contains("class=\"state current\" data-state=\"Running\""));
        assert!(svg.contains("viewBox=\"-40 -10 "), "widened: {svg}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(short_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(short_duration(Duration::from_micros(12)), "12µs");
        assert_eq!(short_duration(Duration::from_micros(1500)), "1.500ms");
        assert_eq!(short_duration(Duration::from_secs(2)), "2s");
    }
}
