//! Draws a state graph as SVG, in Rust: the layout is `layout-rs` (no
//! graphviz binary, no JavaScript), the output one self-contained `<svg>`
//! element to inline in HTML.
//!
//! It takes a plain description ([`Graph`]: states, edges, how each looks and
//! which attributes it carries) and nothing else, so that the derive can draw
//! a component's declared graph into its rustdoc and the live dashboard can
//! draw the same graph with counts and the current state.
//!
//! Drawing is pure and deterministic (the same graph gives the same bytes,
//! which a proc macro needs for reproducible, incremental builds), reads no
//! files and keeps no state. [`render`] never panics: the layout crate
//! asserts on shapes it cannot place, so a layout runs under
//! [`catch_unwind`](std::panic::catch_unwind) and a failure is `None`; the
//! caller falls back to text (the dashboard to [`list`], the derive to its
//! Mermaid source).
//!
//! ```
//! use typestep_diagram::{render, Edge, EdgeLook, Graph, State, StateLook};
//!
//! let mut graph = Graph::default();
//! graph.states.push(State::new("Idle").look(StateLook::Initial));
//! graph.states.push(State::new("Running").look(StateLook::Current));
//! graph.edges.push(Edge::new(0, 1, "Start"));
//! graph.edges.push(Edge::new(1, 0, "Stop").look(EdgeLook::Never));
//! let svg = render(&graph).expect("two boxes and two arrows lay out");
//! assert!(svg.starts_with("<svg "));
//! assert!(svg.contains(">Running<"));
//! assert!(!svg.contains('\n'), "one line: embeddable in markdown");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod graph;
mod render;
mod text;

pub use graph::{Edge, EdgeLook, Graph, State, StateLook};
pub use render::{list, render, render_with, Effort, MAX_ELEMENTS};
pub use text::escape;
