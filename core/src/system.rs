//! A system of parts: who depends on whom, in what order they start, and the
//! plan by which they are cleaned up.
//!
//! `#[derive(System)]` implements [`System`] for the struct that holds the
//! parts. It validates the dependency graph at build time (petgraph) and stores
//! the result as constants: the init order (a topological order) and the
//! [`CleanupPlan`] (the reverse, grouped into levels whose members can be
//! cleaned in parallel). The generated builder only builds parts in init order.
//!
//! ```
//! use typestep::prelude::*;
//!
//! #[derive(System)]
//! struct Service {
//!     config: String,
//!     #[depends_on(config)]
//!     db: Vec<u8>,
//!     #[depends_on(config, db)]
//!     api: usize,
//! }
//!
//! assert_eq!(Service::INIT_ORDER, ["config", "db", "api"]);
//! let service = Service::builder()
//!     .config(|| "prod".to_string())
//!     .db(|_config| Vec::new())
//!     .api(|_config, db| db.len())
//!     .build();
//! assert_eq!(service.api, 0);
//! ```
//!
//! # Errors
//!
//! All errors are at build time: a dependency cycle (one error naming the path
//! `a -> b -> a`), an unknown part in `depends_on`, a lock order that
//! contradicts itself; building out of init order or without every part does
//! not compile.

/// The description of a system that `#[derive(System)]` generates.
///
/// # Declaring a system
///
/// Each named field of the struct is a **part**. On the fields,
/// `#[depends_on(a, b)]` names the parts this one is built from; on the
/// struct, `#[system(lock_order(a -> b -> c, a -> d))]` declares the order
/// in which the parts' locks may be taken (chains separated by commas, so a
/// diamond is `top -> left -> bottom, top -> right -> bottom`), and
/// `#[system(module = name)]` renames the generated module (default: the
/// struct's name in snake_case).
///
/// The origin's monitoring runtime: the pool comes first, the component
/// coordinator receives it, the buffer manager receives both; locks are
/// taken pool, then coordinator, then buffers.
///
/// ```
/// use std::sync::Arc;
/// use typestep::lock::{LockChain, OrderedMutex};
/// use typestep::prelude::*;
///
/// // Placeholders for the runtime's parts.
/// struct ResourcePool { free: usize }
/// struct ComponentCoordinator { pool: Arc<OrderedMutex<ResourcePool, monitoring::level::Pool>> }
/// struct BufferManager { buffers: Vec<Vec<u8>> }
///
/// #[derive(System)]
/// #[system(lock_order(pool -> coordinator -> buffers))]
/// struct Monitoring {
///     pool: Arc<OrderedMutex<ResourcePool, monitoring::level::Pool>>,
///     #[depends_on(pool)]
///     coordinator: OrderedMutex<ComponentCoordinator, monitoring::level::Coordinator>,
///     #[depends_on(pool, coordinator)]
///     buffers: OrderedMutex<BufferManager, monitoring::level::Buffers>,
/// }
///
/// // The builder offers `coordinator` only once `pool` is built, and passes
/// // the pool in; `.build()` only once every part is built.
/// let system = Monitoring::builder()
///     .pool(|| Arc::new(OrderedMutex::new(ResourcePool { free: 4 })))
///     .coordinator(|pool| OrderedMutex::new(ComponentCoordinator { pool: Arc::clone(pool) }))
///     .buffers(|_pool, _coordinator| OrderedMutex::new(BufferManager { buffers: Vec::new() }))
///     .build();
///
/// assert_eq!(Monitoring::INIT_ORDER, ["pool", "coordinator", "buffers"]);
/// assert_eq!(
///     Monitoring::CLEANUP_PLAN.levels(),
///     [["buffers"].as_slice(), &["coordinator"], &["pool"]]
/// );
///
/// // Locks in the declared order; the reverse order does not compile.
/// let mut chain = LockChain::start().expect("no other chain on this thread");
/// let mut locks = monitoring::Locked::new(&mut chain);
/// let (mut pool, mut locks) = locks.lock(&system.pool);
/// let (mut buffers, _) = locks.lock(&system.buffers);
/// pool.free -= 1;
/// buffers.buffers.push(vec![0; 64]);
/// ```
///
/// # What is generated
///
/// * this trait's constants (`INIT_ORDER`, `CLEANUP_PLAN`, ...);
/// * `Monitoring::builder()`, returning `monitoring::Builder`: one method per
///   part (`.pool(make)`, and `.try_pool(make)` for a fallible `make`), whose
///   `make` receives references to the part's dependencies; a method is
///   offered once those are built, and `.build()` once every part is;
/// * with a lock order: a zero-sized level per ordered part
///   (`monitoring::level::Pool`), the trait `monitoring::LockAfter` (one
///   blanket impl: each level carries, as a type, the set of levels declared
///   before it, the order's transitive closure; its mirror
///   `monitoring::LockBefore` is one blanket impl too), and the token `monitoring::Locked` (see
///   [`lock`](crate::lock)). A part named in `lock_order(...)` must be a lock
///   of its level ([`AtLevel`](crate::lock::AtLevel)).
///
/// # Checked at build time
///
/// Each is one compile error at your token, all reported together: a
/// dependency cycle (naming the whole path, `a -> b -> c -> a`, on the
/// dependency that closes it), a part that depends on itself, a dependency
/// on an unknown part (with a did-you-mean), a repeated dependency, a
/// lock-order cycle, a lock level that is not a part, a level ordered after
/// itself and a repeated arrow. Building a part before its dependencies,
/// building it twice, `build()` with a part missing and locking out of order
/// are type errors whose message names the parts involved.
///
/// Rust drops the struct's fields in declaration order; the cleanup plan is
/// what a cleanup coordinator follows, independent of `Drop`.
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
/// use typestep::system::CleanupPlan;
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

/// The part in a builder's storage for a slot whose type says `Built`.
///
/// The generated builder keeps its parts in one storage struct of `Option`s
/// (so that each constructor moves one value instead of every slot: build
/// time linear in the number of parts), and the slot types only on the type
/// level. A slot typed `Built` is filled by the one method that changes its
/// type, so `None` is unreachable through the builder's API.
#[doc(hidden)]
#[inline(always)]
pub fn built_part<T>(slot: &Option<T>) -> &T {
    match slot {
        Some(part) => part,
        None => empty_slot(),
    }
}

/// Takes the part out of a builder's storage slot typed `Built`
/// (see [`built_part`]).
#[doc(hidden)]
#[inline(always)]
pub fn into_built_part<T>(slot: Option<T>) -> T {
    match slot {
        Some(part) => part,
        None => empty_slot(),
    }
}

#[cold]
#[inline(never)]
fn empty_slot() -> ! {
    unreachable!("a system builder slot typed `Built` is filled by the method that typed it")
}
