use super::*;
use crate::graph::{Edge, State};

fn worker() -> Graph {
    let mut graph = Graph::default();
    graph.attributes.push(("class".into(), "graph".into()));
    for (name, look) in [
        ("Created", StateLook::Initial),
        ("Running", StateLook::Current),
        ("Failed", StateLook::Plain),
        ("Stopped", StateLook::Terminal),
    ] {
        graph
            .states
            .push(State::new(name).look(look).attribute("data-state", name));
    }
    for (from, to, label) in [
        (0, 1, "Start"),
        (1, 2, "Fail"),
        (2, 1, "Restart"),
        (1, 1, "Tick"),
        (1, 3, "Stop"),
    ] {
        let look = if label == "Start" {
            EdgeLook::Taken
        } else {
            EdgeLook::Never
        };
        graph.edges.push(
            Edge::new(from, to, label)
                .look(look)
                .attribute("class", "edge"),
        );
    }
    graph
}

#[test]
fn draws_every_state_and_edge_on_one_line() {
    let svg = render(&worker()).expect("lays out");
    assert!(svg.starts_with("<svg class=\"graph\" "), "{svg}");
    assert!(svg.ends_with("</svg>"), "{svg}");
    assert!(!svg.contains('\n'), "{svg}");
    for state in ["Created", "Running", "Failed", "Stopped"] {
        assert!(svg.contains(&format!("data-state=\"{state}\"")), "{state}");
        assert!(svg.contains(&format!(">{state}<")), "{state}");
    }
    assert_eq!(svg.matches("class=\"edge\"").count(), 5);
    assert!(svg.contains("viewBox=\"-40 -10 "), "widened: {svg}");
    // Current state blue, never-taken edges dashed.
    assert!(svg.contains("#2563eb"), "{svg}");
    assert!(svg.contains("stroke-dasharray"), "{svg}");
}

#[test]
fn the_same_graph_gives_the_same_bytes() {
    let first = render(&worker()).expect("lays out");
    for _ in 0..5 {
        assert_eq!(render(&worker()).expect("lays out"), first);
    }
}

#[test]
fn ids_are_unique_to_a_drawing() {
    let a = render(&worker()).expect("lays out");
    let mut other = worker();
    other.states[0].name = String::from("Made");
    let b = render(&other).expect("lays out");
    let id = |svg: &str| {
        let start = svg.find("id=\"")? + 4;
        Some(svg[start..start + svg[start..].find('"')?].to_string())
    };
    let (Some(a_id), Some(b_id)) = (id(&a), id(&b)) else {
        panic!("both drawings define ids: {a} {b}");
    };
    assert_ne!(a_id, b_id);
    assert!(a_id.starts_with("ts"), "{a_id}");
    assert!(!a.contains("url(#endarrow)"), "references renamed too: {a}");
}

#[test]
fn text_is_escaped() {
    let mut graph = Graph::default();
    graph.states.push(State::new("<A&B>"));
    graph.edges.push(Edge::new(0, 0, "\"go\""));
    let svg = render(&graph).expect("lays out");
    assert!(svg.contains("&lt;A&amp;B&gt;"), "{svg}");
    assert!(!svg.contains("<A&B>"), "{svg}");
    let listed = list(&graph);
    assert!(
        listed.contains("&lt;A&amp;B&gt; --&quot;go&quot;--&gt; &lt;A&amp;B&gt;"),
        "{listed}"
    );
}

#[test]
fn what_cannot_be_drawn_is_none() {
    assert_eq!(render(&Graph::default()), None);
    let mut dangling = worker();
    dangling.edges.push(Edge::new(0, 99, "Nowhere"));
    assert_eq!(render(&dangling), None);
    let mut huge = Graph::default();
    for i in 0..=MAX_ELEMENTS {
        huge.states.push(State::new(format!("S{i}")));
    }
    assert_eq!(render(&huge), None);
}

#[test]
fn the_list_names_everything() {
    let listed = list(&worker());
    assert!(listed.starts_with("<svg class=\"graph\" "));
    for name in ["Created", "Running", "Failed", "Stopped", "Restart"] {
        assert!(listed.contains(name), "{name}");
    }
}

#[test]
fn style_rules_are_sorted() {
    let svg = "<svg><style>\n.b { x }\n.a { y }\n</style><g/></svg>";
    assert_eq!(
        sort_style_rules(svg),
        "<svg><style>\n.a { y }\n.b { x }\n</style><g/></svg>"
    );
}

#[test]
fn fast_draws_the_same_states_and_edges() {
    let best = render(&worker()).expect("lays out");
    let fast = render_with(&worker(), Effort::Fast).expect("lays out");
    for svg in [&best, &fast] {
        assert_eq!(svg.matches("data-state=").count(), 4, "{svg}");
        assert_eq!(svg.matches("class=\"edge\"").count(), 5, "{svg}");
    }
}
