//! Mermaid and DOT text of a component's state graph, drawn in the same
//! style as the recovery log's diagrams of a running machine.

use std::fmt::Write;

use super::model::Graph;

/// A Mermaid `stateDiagram-v2` of the graph.
pub fn mermaid(graph: &Graph) -> String {
    if !graph.tree.is_flat() {
        return super::nested_diagram::mermaid(graph);
    }
    let mut out = String::from("stateDiagram-v2\n");
    if let Some(initial) = graph.initial {
        let _ = writeln!(out, "    [*] --> {}", graph.states[initial]);
    }
    for edge in graph.edges.iter().filter(|edge| edge.first) {
        let _ = writeln!(
            out,
            "    {} --> {}: {}{}",
            graph.states[edge.from],
            graph.states[edge.to],
            graph.events[edge.event],
            decorations(edge.guard.is_some(), edge.action.is_some()),
        );
    }
    for &terminal in &graph.terminal {
        let _ = writeln!(out, "    {} --> [*]", graph.states[terminal]);
    }
    out
}

/// A Graphviz DOT digraph of the graph, named after the component, in the
/// style of the recovery log's diagram (`typestep::recovery`), so that the
/// two pictures of one machine look alike: quoted names, left to right, the
/// initial state a bold circle, terminal states double circles.
pub fn dot(name: &str, graph: &Graph) -> String {
    if !graph.tree.is_flat() {
        return super::nested_diagram::dot(name, graph);
    }
    let mut out = format!("digraph \"{name}\" {{\n    rankdir=LR;\n");
    if let Some(initial) = graph.initial {
        let _ = writeln!(
            out,
            "    \"{}\" [shape=circle, style=bold];",
            graph.states[initial]
        );
    }
    for &terminal in &graph.terminal {
        let _ = writeln!(
            out,
            "    \"{}\" [shape=doublecircle];",
            graph.states[terminal]
        );
    }
    for edge in graph.edges.iter().filter(|edge| edge.first) {
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [label=\"{}{}\"];",
            graph.states[edge.from],
            graph.states[edge.to],
            graph.events[edge.event],
            decorations(edge.guard.is_some(), edge.action.is_some()),
        );
    }
    out.push_str("}\n");
    out
}

/// ` [guard]` and ` / action` markers on an edge label.
fn decorations(guarded: bool, has_action: bool) -> &'static str {
    match (guarded, has_action) {
        (false, false) => "",
        (true, false) => " [guard]",
        (false, true) => " / action",
        (true, true) => " [guard] / action",
    }
}
