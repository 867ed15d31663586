//! Putting one collection's records in order: each source (the shared ring,
//! each `MoveLogger`'s lane) is already in the order it was written; the
//! sources are merged by time stamp, equal stamps by the recording thread's
//! own counter (so records one thread made through different sources keep
//! their order even at the coarse clock's resolution).

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::packed::Packed;

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

/// One ordered sequence: every source's order is kept, the smallest
/// `(time stamp, thread counter)` of the sources' next records goes first.
pub(crate) fn merge(sources: Vec<Vec<Packed>>) -> Vec<Packed> {
    let total = sources.iter().map(Vec::len).sum();
    let mut sources: Vec<_> = sources.into_iter().map(|s| s.into_iter().peekable()).collect();
    if sources.len() == 1 {
        return sources.pop().map(Iterator::collect).unwrap_or_default();
    }
    let key = |event: &Packed| (event.at_raw(), event.order);
    let mut heads: BinaryHeap<Reverse<((u64, u32), usize)>> = sources
        .iter_mut()
        .enumerate()
        .filter_map(|(index, source)| source.peek().map(|event| Reverse((key(event), index))))
        .collect();
    let mut out = Vec::with_capacity(total);
    while let Some(Reverse((_, index))) = heads.pop() {
        let source = &mut sources[index];
        out.extend(source.next());
        if let Some(event) = source.peek() {
            heads.push(Reverse((key(event), index)));
        }
    }
    out
}
