//! A system of parts: who depends on whom, in what order they start, and the
//! plan by which they are cleaned up.
//!
//! `#[derive(System)]` implements [`System`] for the struct that holds the
//! parts. It validates the dependency graph at build time (petgraph) and
//! stores the result as constants: the init order (a topological order) and
//! the [`CleanupPlan`] (the reverse, grouped into levels whose members can be
//! cleaned in parallel).

/// The description of a system that `#[derive(System)]` generates.
///
/// ```
/// use typestep::prelude::*;
///
/// # #[derive(Default)] struct ResourcePool;
/// # struct ComponentCoordinator;
/// # struct BufferManager;
/// #[derive(System)]
/// struct Monitoring {
///     pool: ResourcePool,
///     #[depends_on(pool)]
///     coordinator: ComponentCoordinator,
///     #[depends_on(pool, coordinator)]
///     buffers: BufferManager,
/// }
///
/// assert_eq!(Monitoring::INIT_ORDER, ["pool", "coordinator", "buffers"]);
/// assert_eq!(
///     Monitoring::CLEANUP_PLAN.levels(),
///     [["buffers"].as_slice(), &["coordinator"], &["pool"]]
/// );
/// ```
pub trait System {
    /// The system's type name.
    const NAME: &'static str;
    /// Every part, in declaration order.
    const PARTS: &'static [&'static str];
    /// `(part, dependency)`: `part` is built after, and cleaned up before,
    /// `dependency`. In declaration order.
    const DEPENDENCIES: &'static [(&'static str, &'static str)];
    /// The order in which the builder constructs the parts: every part comes
    /// after its dependencies (parts at the same depth keep declaration
    /// order).
    const INIT_ORDER: &'static [&'static str];
    /// The cleanup order, grouped into levels that can run in parallel.
    const CLEANUP_PLAN: CleanupPlan;
    /// `(before, after)`: the lock order as declared in `lock_order(...)`,
    /// one pair per arrow.
    const LOCK_ORDER: &'static [(&'static str, &'static str)];
}

/// An ordered cleanup: a list of levels, each a list of part names.
///
/// Levels run one after the other; the parts inside one level do not depend
/// on each other, so a coordinator may clean them in parallel. Every part
/// appears exactly once, and it appears in an earlier level than every part
/// it depends on. Flattened, the plan is exactly the reverse of the system's
/// init order.
///
/// ```
/// use typestep::CleanupPlan;
///
/// const PLAN: CleanupPlan = CleanupPlan::new(&[&["buffers", "stats"], &["pool"]]);
/// assert_eq!(PLAN.order().collect::<Vec<_>>(), ["buffers", "stats", "pool"]);
/// assert_eq!(PLAN.level_of("stats"), Some(0));
/// assert!(PLAN.respects(&[("buffers", "pool"), ("stats", "pool")]));
/// assert!(!PLAN.respects(&[("pool", "buffers")]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CleanupPlan {
    levels: &'static [&'static [&'static str]],
}

impl CleanupPlan {
    /// A plan from its levels (first level cleaned first).
    pub const fn new(levels: &'static [&'static [&'static str]]) -> Self {
        CleanupPlan { levels }
    }

    /// The levels, first level cleaned first.
    pub const fn levels(&self) -> &'static [&'static [&'static str]] {
        self.levels
    }

    /// Every part in cleanup order (level by level).
    pub fn order(&self) -> impl Iterator<Item = &'static str> {
        self.levels.iter().flat_map(|level| level.iter().copied())
    }

    /// The number of parts in the plan.
    pub fn len(&self) -> usize {
        self.levels.iter().map(|level| level.len()).sum()
    }

    /// Whether the plan cleans nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The level in which `part` is cleaned, if it is in the plan.
    pub fn level_of(&self, part: &str) -> Option<usize> {
        self.levels.iter().position(|level| level.contains(&part))
    }

    /// Whether every `(part, dependency)` pair is cleaned in order: `part`
    /// in a strictly earlier level than `dependency`. A pair naming a part
    /// that is not in the plan is not respected.
    pub fn respects(&self, dependencies: &[(&str, &str)]) -> bool {
        dependencies.iter().all(|&(part, dependency)| {
            matches!(
                (self.level_of(part), self.level_of(dependency)),
                (Some(p), Some(d)) if p < d
            )
        })
    }
}

/// A slot of a system builder whose part is not built yet.
///
/// The generated builder (`<system>::Builder<...>`) has one type parameter
/// per part: `Missing` until the part's constructor has run, then
/// [`Built<T>`]. A constructor is offered only while its own slot is
/// `Missing` and the slots of its dependencies are `Built`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Missing;

/// A slot of a system builder that holds its built part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Built<T>(pub T);

/// Access to a built part, for the generated builder.
pub trait Slot<T> {
    /// The built part.
    fn part(&self) -> &T;
    /// Takes the built part out of the slot.
    fn into_part(self) -> T;
}

impl<T> Slot<T> for Built<T> {
    #[inline(always)]
    fn part(&self) -> &T {
        &self.0
    }
    #[inline(always)]
    fn into_part(self) -> T {
        self.0
    }
}
