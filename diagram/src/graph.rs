//! The plain description a drawing is made from.

/// A state graph to draw: states, edges between them (by index), and extra
/// attributes for the root `<svg>` element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    /// `name="value"` pairs added to the `<svg>` element (values escaped).
    pub attributes: Vec<(String, String)>,
    /// The states, each drawn as a box.
    pub states: Vec<State>,
    /// The edges, each an arrow with a label.
    pub edges: Vec<Edge>,
}

/// One state: a labelled box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The text in the box.
    pub name: String,
    /// How the box looks.
    pub look: StateLook,
    /// `name="value"` pairs added to the box's element (values escaped).
    pub attributes: Vec<(String, String)>,
}

impl State {
    /// A plain box named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        State {
            name: name.into(),
            look: StateLook::Plain,
            attributes: Vec::new(),
        }
    }

    /// The same box, looking `look`.
    #[must_use]
    pub fn look(mut self, look: StateLook) -> Self {
        self.look = look;
        self
    }

    /// The same box with one more attribute.
    #[must_use]
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }
}

/// How a state's box is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StateLook {
    /// Thin dark outline, light fill.
    #[default]
    Plain,
    /// Where a machine starts: thick dark outline.
    Initial,
    /// Where a machine may finish: grey fill.
    Terminal,
    /// The state a machine is in now: blue, thick.
    Current,
    /// The state a failed machine is in: red, thick.
    Failed,
}

/// One edge: an arrow `from -> to` with a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index of the source state in [`Graph::states`].
    pub from: usize,
    /// Index of the target state in [`Graph::states`].
    pub to: usize,
    /// The text beside the arrow.
    pub label: String,
    /// How the arrow is drawn.
    pub look: EdgeLook,
    /// `name="value"` pairs added to the arrow's element (values escaped).
    pub attributes: Vec<(String, String)>,
}

impl Edge {
    /// A solid arrow from state `from` to state `to` labelled `label`.
    pub fn new(from: usize, to: usize, label: impl Into<String>) -> Self {
        Edge {
            from,
            to,
            label: label.into(),
            look: EdgeLook::Taken,
            attributes: Vec::new(),
        }
    }

    /// The same arrow, looking `look`.
    #[must_use]
    pub fn look(mut self, look: EdgeLook) -> Self {
        self.look = look;
        self
    }

    /// The same arrow with one more attribute.
    #[must_use]
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }
}

/// How an edge's arrow is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EdgeLook {
    /// A solid dark arrow (declared, or taken at run time).
    #[default]
    Taken,
    /// A thin dashed grey arrow (never taken).
    Never,
}
