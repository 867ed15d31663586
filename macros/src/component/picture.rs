//! The state graph as a picture in the generated module's rustdoc: an
//! inline SVG drawn by `typestep-diagram` (feature `doc-diagram`), with the
//! Mermaid source folded under it. When the feature is off, or the graph
//! cannot be laid out, the docs show the Mermaid source as before.
//!
//! Pure: the same graph gives the same text; no files, no global state, no
//! panic (the renderer catches its layout's and answers `None`).

use super::model::Graph;

/// The markdown that shows `graph` in the module docs, given its Mermaid
/// source.
pub fn doc(name: &str, graph: &Graph, mermaid: &str) -> String {
    let fence = format!("```mermaid\n{mermaid}```\n");
    match svg(name, graph) {
        // An HTML block (`<div>` at a line start) runs to the next blank
        // line and is left alone by markdown: the SVG is one line.
        Some(svg) => format!(
            "<div class=\"typestep-diagram\">{svg}</div>\n\n\
             <details><summary>Mermaid source</summary>\n\n{fence}\n</details>\n"
        ),
        None => fence,
    }
}

/// Components with more states plus transitions than this keep the Mermaid
/// source only: the layout runs in the proc macro on every build (about
/// 1.7 s unoptimised for 150), and grows faster than the graph.
#[cfg(feature = "doc-diagram")]
const MAX_DRAWN: usize = 200;

#[cfg(feature = "doc-diagram")]
fn svg(name: &str, graph: &Graph) -> Option<String> {
    use typestep_diagram::{Edge, Effort, Graph as Picture, State, StateLook};

    if graph.states.len() + graph.edges.len() > MAX_DRAWN {
        return None;
    }

    let mut picture = Picture {
        attributes: vec![
            ("role".into(), "img".into()),
            ("aria-label".into(), format!("State graph of {name}")),
            (
                "style".into(),
                "background:#fff;max-width:100%;height:auto".into(),
            ),
        ],
        ..Picture::default()
    };
    for (index, state) in graph.states.iter().enumerate() {
        let look = if graph.initial == Some(index) {
            StateLook::Initial
        } else if graph.terminal.contains(&index) {
            StateLook::Terminal
        } else {
            StateLook::Plain
        };
        picture
            .states
            .push(State::new(state.to_string()).look(look));
    }
    for edge in graph.edges.iter().filter(|edge| edge.first) {
        let mut label = graph.events[edge.event].to_string();
        if edge.guard.is_some() {
            label.push_str(" [guard]");
        }
        if edge.action.is_some() {
            label.push_str(" / action");
        }
        picture.edges.push(Edge::new(edge.from, edge.to, label));
    }
    // Without the crossing optimiser: it is most of the layout's time, and
    // this runs in the (unoptimised) proc macro on every build.
    typestep_diagram::render_with(&picture, Effort::Fast)
}

#[cfg(not(feature = "doc-diagram"))]
fn svg(_name: &str, _graph: &Graph) -> Option<String> {
    None
}

#[cfg(all(test, feature = "doc-diagram"))]
mod tests {
    use syn::{parse_quote, DeriveInput};

    use super::*;
    use crate::component::{attr, check};
    use crate::ctxt::Ctxt;

    fn validate(input: &DeriveInput) -> (Vec<String>, Graph) {
        let mut cx = Ctxt::new();
        let decl = attr::parse(&mut cx, input);
        let graph = check::check(&mut cx, &decl);
        (cx.into_messages(), graph)
    }

    #[test]
    fn the_docs_show_a_one_line_svg_then_the_mermaid_source() {
        let (_, graph) = validate(&parse_quote! {
            #[component(states(Off, On, Broken), initial = Off, terminal(Broken))]
            #[transition(Off -> On on Press, guard = Self::powered)]
            #[transition(On -> Off on Press)]
            #[transition(Off | On -> Broken on Smash)]
            struct Lamp;
        });
        let doc = doc("Lamp", &graph, "stateDiagram-v2\n");
        let first = doc.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("<div class=\"typestep-diagram\"><svg role=\"img\""),
            "{doc}"
        );
        assert!(first.ends_with("</svg></div>"), "{doc}");
        for text in [">Off<", ">On<", ">Broken<", "Press [guard]", "Smash"] {
            assert!(first.contains(text), "{text} in {first}");
        }
        assert!(doc.contains("```mermaid\nstateDiagram-v2\n```"), "{doc}");
        assert_eq!(doc, super::doc("Lamp", &graph, "stateDiagram-v2\n"));
    }

    #[test]
    fn a_graph_too_large_to_draw_keeps_its_mermaid_source() {
        let states: Vec<syn::Ident> = (0..=MAX_DRAWN)
            .map(|i| syn::Ident::new(&format!("S{i}"), proc_macro2::Span::call_site()))
            .collect();
        let first = &states[0];
        let (_, graph) = validate(&parse_quote! {
            #[component(states(#(#states),*), initial = #first)]
            struct Big;
        });
        assert_eq!(graph.states.len(), MAX_DRAWN + 1);
        assert_eq!(
            doc("Big", &graph, "stateDiagram-v2\n"),
            "```mermaid\nstateDiagram-v2\n```\n"
        );
    }
}
