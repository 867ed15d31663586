//! Laying a [`Graph`] out and writing it as one line of SVG.

use std::collections::HashMap;
use std::fmt::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::graph::{EdgeLook, Graph, StateLook};
use crate::text::{attributes, escape};

/// Graphs with more states plus edges than this are not laid out
/// ([`render`] gives `None`): the layout's time grows faster than linearly,
/// and a drawing that large is unreadable anyway.
pub const MAX_ELEMENTS: usize = 400;

const INK: u32 = 0x334155ff;
const NEVER: u32 = 0xa1a1aaff;
const FILL: u32 = 0xf8fafcff;
const TERMINAL_FILL: u32 = 0xe2e8f0ff;
const CURRENT: u32 = 0xdbeafeff;
const CURRENT_LINE: u32 = 0x2563ebff;
const FAILED: u32 = 0xfee2e2ff;
const FAILED_LINE: u32 = 0xdc2626ff;

/// Room around the drawing: the layout sizes the canvas by its shapes, and
/// edge labels beside the outermost edges would be cut off.
const MARGIN_LEFT: f64 = 40.0;
const MARGIN_RIGHT: f64 = 120.0;
const MARGIN_Y: f64 = 10.0;

/// How hard the layout works at fewer edge crossings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Effort {
    /// Reorders each rank to cut crossings (the layout crate's optimiser):
    /// the clearer picture, for small graphs or when time does not matter.
    #[default]
    Best,
    /// Skips that optimiser: about 15x faster on a 50-state, 100-edge graph
    /// (0.19 s instead of 3 s, optimised build), for build-time drawing.
    Fast,
}

/// `graph` laid out top to bottom as one `<svg>` element on one line (no
/// XML prolog, no line breaks, so it can be inlined in HTML and in
/// markdown), or `None` when it cannot be drawn: no states, more than
/// [`MAX_ELEMENTS`], an edge naming a state that does not exist, or a
/// layout the layout crate gives up on.
///
/// The same graph always gives the same bytes. Same as
/// [`render_with`]`(graph, Effort::Best)`.
pub fn render(graph: &Graph) -> Option<String> {
    render_with(graph, Effort::Best)
}

/// [`render`] with the layout working as hard as `effort` says.
pub fn render_with(graph: &Graph, effort: Effort) -> Option<String> {
    if graph.states.is_empty() || graph.states.len() + graph.edges.len() > MAX_ELEMENTS {
        return None;
    }
    let count = graph.states.len();
    if graph.edges.iter().any(|e| e.from >= count || e.to >= count) {
        return None;
    }
    let raw = catch_unwind(AssertUnwindSafe(|| lay_out(graph, effort))).ok()?;
    Some(finish(graph, &raw))
}

fn lay_out(graph: &Graph, effort: Effort) -> String {
    let orientation = Orientation::TopToBottom;
    let mut visual = VisualGraph::new(orientation);
    let mut nodes = Vec::with_capacity(graph.states.len());
    for state in &graph.states {
        let (fill, line, width) = match state.look {
            StateLook::Plain => (FILL, INK, 1),
            StateLook::Initial => (FILL, INK, 3),
            StateLook::Terminal => (TERMINAL_FILL, INK, 1),
            StateLook::Current => (CURRENT, CURRENT_LINE, 3),
            StateLook::Failed => (FAILED, FAILED_LINE, 3),
        };
        let look = StyleAttr::new(Color::new(line), width, Some(Color::new(fill)), 8, 14);
        let shape = ShapeKind::new_box(&state.name);
        let size = get_shape_size(orientation, &shape, look.font_size, false);
        let element = Element::create_with_properties(
            shape,
            look,
            orientation,
            size,
            attributes(&state.attributes).trim_start().to_string(),
        );
        nodes.push(visual.add_node(element));
    }
    for edge in &graph.edges {
        let never = edge.look == EdgeLook::Never;
        let look = StyleAttr::new(
            Color::new(if never { NEVER } else { INK }),
            if never { 1 } else { 2 },
            None,
            0,
            12,
        );
        let arrow = Arrow {
            start: LineEndKind::None,
            end: LineEndKind::Arrow,
            line_style: if never {
                LineStyleKind::Dashed
            } else {
                LineStyleKind::Normal
            },
            text: edge.label.clone(),
            look,
            properties: Some(attributes(&edge.attributes).trim_start().to_string()),
            src_port: None,
            dst_port: None,
        };
        visual.add_edge(arrow, nodes[edge.from], nodes[edge.to]);
    }
    let mut writer = SVGWriter::new();
    visual.do_it(false, effort == Effort::Fast, false, &mut writer);
    writer.finalize()
}

/// The layout's output made embeddable and deterministic: no prolog, the
/// caller's attributes on `<svg>`, margins, the style rules in a fixed
/// order (the layout crate keeps them in a `HashMap`), ids unique to this
/// drawing (several drawings share a page), and no line breaks.
fn finish(graph: &Graph, raw: &str) -> String {
    let svg = match raw.find("<svg") {
        Some(start) => &raw[start..],
        None => raw,
    };
    let svg = sort_style_rules(svg);
    let svg = widen(&svg);
    let mut lines = String::with_capacity(svg.len());
    for line in svg.lines() {
        let line = line.trim();
        if !line.is_empty() {
            if !lines.is_empty() && !lines.ends_with('>') {
                lines.push(' ');
            }
            lines.push_str(line);
        }
    }
    let prefix = format!("ts{:016x}-", fnv1a(&lines));
    let lines = lines
        .replace("id=\"C", &format!("id=\"{prefix}C"))
        .replace("url(#C", &format!("url(#{prefix}C"))
        .replace("id=\"startarrow\"", &format!("id=\"{prefix}startarrow\""))
        .replace("id=\"endarrow\"", &format!("id=\"{prefix}endarrow\""))
        .replace("url(#startarrow)", &format!("url(#{prefix}startarrow)"))
        .replace("url(#endarrow)", &format!("url(#{prefix}endarrow)"));
    lines.replacen(
        "<svg ",
        &format!("<svg{} ", attributes(&graph.attributes)),
        1,
    )
}

/// The `<style>` block's rules sorted, so equal graphs give equal bytes.
fn sort_style_rules(svg: &str) -> String {
    let (Some(open), Some(close)) = (svg.find("<style>"), svg.find("</style>")) else {
        return svg.to_string();
    };
    let inner_start = open + "<style>".len();
    if close < inner_start {
        return svg.to_string();
    }
    let mut rules: Vec<&str> = svg[inner_start..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    rules.sort_unstable();
    let mut out = String::with_capacity(svg.len());
    out.push_str(&svg[..inner_start]);
    for rule in rules {
        out.push('\n');
        out.push_str(rule);
    }
    out.push('\n');
    out.push_str(&svg[close..]);
    out
}

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

/// 64-bit FNV-1a: a short, stable name for one drawing's ids.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A plain SVG list of the states and edges, for when [`render`] gives
/// `None`: every name still shows, one per line.
pub fn list(graph: &Graph) -> String {
    let mut out = format!(
        "<svg{} xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"{}\">",
        attributes(&graph.attributes),
        20 * (graph.states.len() + graph.edges.len()) + 10
    );
    let mut y = 20;
    let mut names = HashMap::new();
    for (index, state) in graph.states.iter().enumerate() {
        let weight = match state.look {
            StateLook::Current | StateLook::Failed | StateLook::Initial => "bold",
            StateLook::Plain | StateLook::Terminal => "normal",
        };
        let _ = write!(
            out,
            "<text x=\"8\" y=\"{y}\" font-weight=\"{weight}\"{}>{}</text>",
            attributes(&state.attributes),
            escape(&state.name)
        );
        names.insert(index, escape(&state.name));
        y += 20;
    }
    for edge in &graph.edges {
        let name = |index: usize| names.get(&index).map_or("?", String::as_str);
        let _ = write!(
            out,
            "<text x=\"8\" y=\"{y}\"{}>{} --{}--&gt; {}</text>",
            attributes(&edge.attributes),
            name(edge.from),
            escape(&edge.label),
            name(edge.to)
        );
        y += 20;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
