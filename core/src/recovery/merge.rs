//! Putting one collection's records in order: each source (the shared ring,
//! each `MoveLogger`'s lane) is already in the order it was written; the
//! sources are merged by time stamp, equal stamps by the recording thread's
//! own counter (so records one thread made through different sources keep
//! their order even at the coarse clock's resolution), equal counters by
//! source (the shared ring first). Only `MoveLogger` records advance the
//! counter: the shared ring's records read it (a load, no store, on a path
//! that ends in an atomic read-modify-write waiting for stores to drain).

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

thread_local! {
    /// This thread's record counter: orders records of one thread that carry
    /// the same time stamp.
    static ORDER: Cell<u64> = const { Cell::new(0) };
}

/// The next value of this thread's record counter.
#[inline(always)]
pub(crate) fn next_order() -> u64 {
    ORDER.with(|order| {
        let value = order.get();
        order.set(value.wrapping_add(1));
        value
    })
}

/// This thread's record counter as it is, unchanged: what an event of the
/// shared ring carries. It sorts after the `MoveLogger` records this thread
/// made before it (their values are lower) and, the shared ring being the
/// first source, before those it makes after (the next one has this value).
#[inline(always)]
pub(crate) fn current_order() -> u64 {
    ORDER.with(Cell::get)
}

/// One ordered sequence: every source's order is kept, the smallest key
/// `(time stamp, thread counter, source)` of the sources' next records goes
/// first (the shared ring must be source 0).
pub(crate) fn merge<T>(sources: Vec<Vec<((u64, u64), T)>>) -> Vec<T> {
    let total = sources.iter().map(Vec::len).sum();
    let mut sources: Vec<_> = sources
        .into_iter()
        .map(|source| source.into_iter().peekable())
        .collect();
    let mut heads: BinaryHeap<Reverse<((u64, u64), usize)>> = sources
        .iter_mut()
        .enumerate()
        .filter_map(|(index, source)| source.peek().map(|(key, _)| Reverse((*key, index))))
        .collect();
    let mut out = Vec::with_capacity(total);
    while let Some(Reverse((_, index))) = heads.pop() {
        let source = &mut sources[index];
        out.extend(source.next().map(|(_, item)| item));
        if let Some((key, _)) = source.peek() {
            heads.push(Reverse((*key, index)));
        }
    }
    out
}
