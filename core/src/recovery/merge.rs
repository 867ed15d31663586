//! Putting one collection's records in order: each source (the shared ring,
//! each `MoveLogger`'s lane) is already in the order it was written; the
//! sources are merged by time stamp, equal stamps by the recording thread's
//! own counter (so records one thread made through different sources keep
//! their order even at the coarse clock's resolution).

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

thread_local! {
    /// This thread's record counter: orders records of one thread that carry
    /// the same time stamp.
    static ORDER: Cell<u32> = const { Cell::new(0) };
}

/// The next value of this thread's record counter (wrapping).
#[inline(always)]
pub(crate) fn next_order() -> u32 {
    ORDER.with(|order| {
        let value = order.get();
        order.set(value.wrapping_add(1));
        value
    })
}

/// One ordered sequence: every source's order is kept, the smallest key
/// `(time stamp, thread counter)` of the sources' next records goes first.
pub(crate) fn merge<T>(sources: Vec<Vec<((u64, u32), T)>>) -> Vec<T> {
    let total = sources.iter().map(Vec::len).sum();
    let mut sources: Vec<_> = sources
        .into_iter()
        .map(|source| source.into_iter().peekable())
        .collect();
    let mut heads: BinaryHeap<Reverse<((u64, u32), usize)>> = sources
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
