//! Lock ordering checked at compile time.
//!
//! Every lock of a system has a **level**, a zero-sized type fixed by the
//! lock's type ([`OrderedMutex<T, L>`](OrderedMutex)). `#[derive(System)]`
//! reads the declared order (`#[system(lock_order(pool -> coordinator -> buffers))]`),
//! computes its transitive closure with petgraph and writes, for each level,
//! the set of levels declared before it as a type; one blanket `LockAfter`
//! impl looks the held level up in that set (its mirror `LockBefore` is one
//! blanket impl too), plus a token type
//! (`<system>::Locked<'_, L>`) that remembers, in its type, the level of the
//! last lock the thread took. Taking a lock that is not declared after the
//! held one is an `E0277` naming both levels and the declared order.
//!
//! The run-time side lives here:
//!
//! * [`OrderedMutex`]: a `parking_lot` mutex whose level is part of its type
//!   and that can only be locked through a token (or through `&mut`);
//! * [`LockChain`]: the start of a chain of locks on one thread; starting a
//!   second one on the same thread is refused at run time
//!   ([`LockError::ChainActive`]), checked once when the chain starts;
//! * [`Unlocked`]: the level of a chain that holds nothing yet;
//! * [`LockGuard`]: the guard of one locked mutex.
//!
//! Tokens are zero-sized and every check is done by the compiler, so an
//! ordered lock costs what the underlying mutex costs (see
//! `benches/lock_order.rs`).
//!
//! ```
//! use std::sync::Arc;
//! use typestep::prelude::*;
//!
//! #[derive(System)]
//! #[system(lock_order(pool -> coordinator -> buffers))]
//! struct Monitoring {
//!     pool: Arc<OrderedMutex<Vec<u8>, monitoring::level::Pool>>,
//!     #[depends_on(pool)]
//!     coordinator: OrderedMutex<usize, monitoring::level::Coordinator>,
//!     #[depends_on(pool, coordinator)]
//!     buffers: OrderedMutex<Vec<u32>, monitoring::level::Buffers>,
//! }
//!
//! let system = Monitoring::builder()
//!     .pool(|| Arc::new(OrderedMutex::new(vec![1, 2, 3])))
//!     .coordinator(|_pool| OrderedMutex::new(0))
//!     .buffers(|_pool, _coordinator| OrderedMutex::new(Vec::new()))
//!     .build();
//!
//! let mut chain = LockChain::start().expect("no other chain on this thread");
//! let mut locks = monitoring::Locked::new(&mut chain);
//! let (pool, mut locks) = locks.lock(&system.pool);
//! // Skipping `coordinator` is allowed: `buffers` is declared after `pool`.
//! let (mut buffers, _locks) = locks.lock(&system.buffers);
//! buffers.push(pool.len() as u32);
//! assert_eq!(*buffers, [3]);
//! ```
//!
//! Locking in the other order does not compile:
//!
//! ```text
//! error[E0277]: lock order violation in `Monitoring`: cannot lock `Pool` while holding `Buffers`
//!   = note: declared lock order of `Monitoring`: pool -> coordinator -> buffers
//! ```

mod chain;
mod error;
mod level;
mod mutex;
pub(crate) mod order;

pub use chain::{Link, LockChain};
pub use error::LockError;
pub use level::{AtLevel, Level, Unlocked};
pub use mutex::{LockGuard, OrderedMutex};

pub(crate) use chain::next;
pub(crate) use mutex::{acquire, acquire_all, acquire_both};
