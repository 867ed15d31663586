//! State diagrams labelled with what the log saw on each edge.

use core::fmt::Write;

use super::analytics::Analytics;
use crate::component::{Component, Label};

/// The counts shown on one edge.
fn counts(analytics: &Analytics, component: &str, from: &str, event: &str) -> (u64, u64) {
    analytics
        .transition(component, from, event)
        .map_or((0, 0), |stats| (stats.taken, stats.failed))
}

/// `C`'s state diagram as Mermaid `stateDiagram-v2`, each declared edge
/// labelled `event (taken N, failed M)` from the events of `component`.
pub fn mermaid<C: Component>(analytics: &Analytics, component: &str) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(out, "    [*] --> {}", C::INITIAL.name());
    crate::component::mermaid_nesting::<C>(&mut out);
    for spec in C::TRANSITIONS {
        let (taken, failed) = counts(analytics, component, spec.from.name(), spec.event.name());
        let _ = writeln!(
            out,
            "    {} --> {}: {} (taken {taken}, failed {failed})",
            spec.from.name(),
            spec.to.name(),
            spec.event.name()
        );
    }
    for state in C::TERMINAL {
        let _ = writeln!(out, "    {} --> [*]", state.name());
    }
    out
}

/// `C`'s state diagram in Graphviz DOT, each declared edge labelled
/// `event\ntaken N, failed M` from the events of `component`; edges that
/// failed are drawn red, edges never taken dashed.
pub fn dot<C: Component>(analytics: &Analytics, component: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", C::NAME);
    let _ = writeln!(out, "    rankdir=LR;");
    let _ = writeln!(
        out,
        "    \"{}\" [shape=circle, style=bold];",
        C::INITIAL.name()
    );
    for state in C::TERMINAL {
        let _ = writeln!(out, "    \"{}\" [shape=doublecircle];", state.name());
    }
    crate::component::dot_clusters::<C>(&mut out);
    for spec in C::TRANSITIONS {
        let (taken, failed) = counts(analytics, component, spec.from.name(), spec.event.name());
        let mut style = String::new();
        if failed > 0 {
            style.push_str(", color=red");
        }
        if taken == 0 {
            style.push_str(", style=dashed");
        }
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [label=\"{}\\ntaken {taken}, failed {failed}\"{style}];",
            spec.from.name(),
            spec.to.name(),
            spec.event.name()
        );
    }
    out.push_str("}\n");
    out
}
