//! Mermaid and DOT text of a machine with nested states or entry/exit
//! actions: Mermaid composite states (`state Blinking { ... }`) and DOT
//! clusters, arrows as declared (a transition on a superstate is drawn from
//! it once, not from each leaf), entry and exit actions as notes. A flat
//! machine keeps `diagram`'s drawing.

use std::fmt::Write;

use super::hierarchy::Arrow;
use super::hierarchy::Tree;
use super::model::Graph;

/// The function's name in `Self::power_on` (`power_on`).
fn hook_name(path: &syn::ExprPath) -> String {
    path.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// `entry / power_on`, `exit / power_off`, one per declared action, and
/// `history` on a superstate that resumes its last child.
fn hook_lines(tree: &Tree, node: usize) -> Vec<String> {
    let node = &tree.nodes[node];
    let mut lines = Vec::new();
    if node.history {
        lines.push("history: resumes the last child".to_owned());
    }
    for (kind, hook) in [("entry", &node.entry), ("exit", &node.exit)] {
        if let Some(hook) = hook {
            let asynchronous = if hook.is_async { "async " } else { "" };
            lines.push(format!("{kind} / {asynchronous}{}", hook_name(&hook.path)));
        }
    }
    lines
}

fn label(graph: &Graph, arrow: &Arrow) -> String {
    let mut text = graph.events[arrow.event].to_string();
    if arrow.guarded {
        text.push_str(" [guard]");
    }
    if arrow.has_action {
        text.push_str(" / action");
    }
    text
}

/// A Mermaid `stateDiagram-v2` with composite states.
pub fn mermaid(graph: &Graph) -> String {
    let tree = &graph.tree;
    let mut out = String::from("stateDiagram-v2\n");
    if let Some(initial) = graph.initial {
        let _ = writeln!(out, "    [*] --> {}", graph.states[initial]);
    }
    let roots: Vec<usize> = (0..tree.nodes.len())
        .filter(|&n| tree.nodes[n].parent.is_none())
        .collect();
    for root in roots {
        mermaid_block(tree, root, 1, &mut out);
    }
    for arrow in &graph.arrows {
        let _ = writeln!(
            out,
            "    {} --> {}: {}",
            tree.nodes[arrow.from].name,
            tree.nodes[arrow.to].name,
            label(graph, arrow)
        );
    }
    for &terminal in &graph.terminal {
        let _ = writeln!(out, "    {} --> [*]", graph.states[terminal]);
    }
    for node in 0..tree.nodes.len() {
        let lines = hook_lines(tree, node);
        if !lines.is_empty() {
            let _ = writeln!(out, "    note right of {}", tree.nodes[node].name);
            for line in lines {
                let _ = writeln!(out, "        {line}");
            }
            out.push_str("    end note\n");
        }
    }
    out
}

fn mermaid_block(tree: &Tree, node: usize, depth: usize, out: &mut String) {
    let n = &tree.nodes[node];
    if n.children.is_empty() {
        return;
    }
    let pad = "    ".repeat(depth);
    let _ = writeln!(out, "{pad}state {} {{", n.name);
    if let Some(initial) = n.initial {
        let _ = writeln!(out, "{pad}    [*] --> {}", tree.nodes[initial].name);
    }
    for &child in &n.children {
        if tree.is_leaf(child) {
            let _ = writeln!(out, "{pad}    {}", tree.nodes[child].name);
        } else {
            mermaid_block(tree, child, depth + 1, out);
        }
    }
    let _ = writeln!(out, "{pad}}}");
}

/// A Graphviz DOT digraph with one cluster per superstate. An arrow from
/// or to a superstate is drawn from or to a leaf inside its cluster, cut at
/// the cluster's border (`ltail`, `lhead`).
pub fn dot(name: &str, graph: &Graph) -> String {
    let tree = &graph.tree;
    let mut out = format!("digraph \"{name}\" {{\n    rankdir=LR;\n    compound=true;\n");
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
    for node in 0..tree.nodes.len() {
        if tree.nodes[node].parent.is_none() {
            dot_node(tree, node, 1, &mut out);
        }
    }
    // A superstate's stand-in leaf: the one it enters, or its first.
    let anchor = |node: usize| {
        tree.leaf_of(node)
            .or_else(|| tree.leaves_under(node).first().copied())
            .unwrap_or(node)
    };
    for arrow in &graph.arrows {
        let mut cut = Vec::new();
        if !tree.is_leaf(arrow.from) {
            cut.push(format!("ltail=\"cluster_{}\"", tree.nodes[arrow.from].name));
        }
        if !tree.is_leaf(arrow.to) {
            cut.push(format!("lhead=\"cluster_{}\"", tree.nodes[arrow.to].name));
        }
        let cut: String = cut.iter().map(|c| format!(", {c}")).collect();
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [label=\"{}\"{cut}];",
            tree.nodes[anchor(arrow.from)].name,
            tree.nodes[anchor(arrow.to)].name,
            label(graph, arrow),
        );
    }
    out.push_str("}\n");
    out
}

fn dot_node(tree: &Tree, node: usize, depth: usize, out: &mut String) {
    let n = &tree.nodes[node];
    let pad = "    ".repeat(depth);
    let mut text = n.name.to_string();
    for line in hook_lines(tree, node) {
        text.push_str("\\n");
        text.push_str(&line);
    }
    if n.children.is_empty() {
        if text != n.name.to_string() {
            let _ = writeln!(out, "{pad}\"{}\" [label=\"{text}\"];", n.name);
        }
        return;
    }
    let _ = writeln!(out, "{pad}subgraph \"cluster_{}\" {{", n.name);
    let _ = writeln!(out, "{pad}    label=\"{text}\";");
    for &child in &n.children {
        if tree.is_leaf(child) {
            let _ = writeln!(out, "{pad}    \"{}\";", tree.nodes[child].name);
        }
        dot_node(tree, child, depth + 1, out);
    }
    let _ = writeln!(out, "{pad}}}");
}
