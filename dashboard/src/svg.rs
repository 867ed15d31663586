//! Draws a component's declared state graph as SVG, in Rust (`layout-rs`):
//! every declared edge labelled with how often it was taken and its p99
//! duration, never-taken edges dashed, the current state highlighted.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::declared::Declared;

/// What one edge's label shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct EdgeFigures {
    pub(crate) taken: u64,
    pub(crate) failed: u64,
    pub(crate) p99: Duration,
}

const INK: u32 = 0x334155ff;
const NEVER: u32 = 0xa1a1aaff;
const FILL: u32 = 0xf8fafcff;
const CURRENT: u32 = 0xdbeafeff;
const CURRENT_LINE: u32 = 0x2563ebff;
const FAILED: u32 = 0xfee2e2ff;
const FAILED_LINE: u32 = 0xdc2626ff;

/// The SVG of `declared`, or a plain list when layout fails (the layout
/// crate asserts on shapes it cannot place; a drawing must never take the
/// server down).
pub(crate) fn draw(
    declared: &Declared,
    current: Option<&str>,
    failed: bool,
    figures: &HashMap<(&'static str, &'static str), EdgeFigures>,
) -> String {
    let drawn = catch_unwind(AssertUnwindSafe(|| {
        layout_svg(declared, current, failed, figures)
    }));
    match drawn {
        Ok(svg) => svg,
        Err(_) => fallback(declared, current),
    }
}

fn layout_svg(
    declared: &Declared,
    current: Option<&str>,
    failed: bool,
    figures: &HashMap<(&'static str, &'static str), EdgeFigures>,
) -> String {
    let orientation = Orientation::TopToBottom;
    let mut graph = VisualGraph::new(orientation);
    let mut nodes = HashMap::new();
    for &state in &declared.states {
        let is_current = current == Some(state);
        let (fill, line, width) = match (is_current, failed) {
            (true, true) => (FAILED, FAILED_LINE, 3),
            (true, false) => (CURRENT, CURRENT_LINE, 3),
            _ => (FILL, INK, 1),
        };
        let look = StyleAttr::new(Color::new(line), width, Some(Color::new(fill)), 8, 14);
        let shape = ShapeKind::new_box(state);
        let size = get_shape_size(orientation, &shape, look.font_size, false);
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
        let element = Element::create_with_properties(
            shape,
            look,
            orientation,
            size,
            format!("class=\"{class}\" data-state=\"{}\"", escape(state)),
        );
        nodes.insert(state, graph.add_node(element));
    }
    for edge in &declared.edges {
        let (Some(&from), Some(&to)) = (nodes.get(edge.from), nodes.get(edge.to)) else {
            continue;
        };
        let figures = figures
            .get(&(edge.from, edge.event))
            .copied()
            .unwrap_or_default();
        let never = figures.taken == 0;
        let text = if never {
            format!("{} · never", edge.event)
        } else {
            format!(
                "{} ×{} · p99 {}",
                edge.event,
                figures.taken,
                short_duration(figures.p99)
            )
        };
        let look = StyleAttr::new(
            Color::new(if never { NEVER } else { INK }),
            if never { 1 } else { 2 },
            None,
            0,
            12,
        );
        let class = if never { "edge never" } else { "edge taken" };
        let arrow = Arrow {
            start: LineEndKind::None,
            end: LineEndKind::Arrow,
            line_style: if never {
                LineStyleKind::Dashed
            } else {
                LineStyleKind::Normal
            },
            text,
            look,
            properties: Some(format!(
                "class=\"{class}\" data-from=\"{}\" data-event=\"{}\" data-to=\"{}\" data-taken=\"{}\" data-failed=\"{}\"",
                escape(edge.from),
                escape(edge.event),
                escape(edge.to),
                figures.taken,
                figures.failed
            )),
            src_port: None,
            dst_port: None,
        };
        graph.add_edge(arrow, from, to);
    }
    let mut writer = SVGWriter::new();
    graph.do_it(false, false, false, &mut writer);
    let svg = writer.finalize();
    // Inline in the page: no XML prolog, and the page's font.
    let svg = match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg.as_str(),
    };
    let svg = svg.replace(
        "<svg ",
        &format!(
            "<svg class=\"graph\" data-kind=\"{}\" role=\"img\" ",
            escape(declared.kind)
        ),
    );
    widen(&svg)
}

/// Room around the drawing: the layout sizes the canvas by its shapes, and
/// edge labels beside the outermost edges would be cut off.
const MARGIN_LEFT: f64 = 40.0;
const MARGIN_RIGHT: f64 = 120.0;
const MARGIN_Y: f64 = 10.0;

fn widen(svg: &str) -> String {
    let number = |name: &str| -> Option<f64> {
        let start = svg.find(&format!("{name}=\""))? + name.len() + 2;
        let end = start + svg[start..].find('"')?;
        svg[start..end].parse().ok()
    };
    let (Some(width), Some(height)) = (number("width"), number("height")) else {
        return svg.to_string();
    };
    let old = format!("width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"");
    let (w, h) = (width + MARGIN_LEFT + MARGIN_RIGHT, height + 2.0 * MARGIN_Y);
    let new = format!(
        "width=\"{w}\" height=\"{h}\" viewBox=\"{} {} {w} {h}\"",
        -MARGIN_LEFT, -MARGIN_Y
    );
    svg.replacen(&old, &new, 1)
}

/// A list of states and edges, used when the layout could not be drawn.
fn fallback(declared: &Declared, current: Option<&str>) -> String {
    let mut out = format!(
        "<svg class=\"graph fallback\" data-kind=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"{}\">",
        escape(declared.kind),
        20 * (declared.states.len() + declared.edges.len()) + 10
    );
    let mut y = 20;
    for state in &declared.states {
        let weight = if current == Some(*state) {
            "bold"
        } else {
            "normal"
        };
        out.push_str(&format!(
            "<text x=\"8\" y=\"{y}\" font-weight=\"{weight}\" class=\"state\" data-state=\"{0}\">{0}</text>",
            escape(state)
        ));
        y += 20;
    }
    for edge in &declared.edges {
        out.push_str(&format!(
            "<text x=\"8\" y=\"{y}\" class=\"edge\">{} --{}--&gt; {}</text>",
            escape(edge.from),
            escape(edge.event),
            escape(edge.to)
        ));
        y += 20;
    }
    out.push_str("</svg>");
    out
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

/// Escapes text for an XML attribute or text node.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
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
