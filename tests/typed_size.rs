//! A typed handle is exactly as large as its component: the state lives only
//! in the type.
//!
//! The size and alignment claims are static assertions: if a handle ever grows
//! (a state tag, a padding byte), this file stops compiling. They cover a
//! zero-sized component, small and large ones, one with a `Drop` field, and a
//! generic component at several type arguments, in every one of its states.
//! The `#[test]`s check that a move hands the data through unchanged.

use static_assertions::{assert_eq_align, assert_eq_size};
use typestep::prelude::*;

/// Zero-sized: the handle must be zero-sized too.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Off, On), initial = Off)]
#[transition(Off -> On on Press)]
#[transition(On -> Off on Press)]
struct Lamp;

/// A single byte: no room for a hidden state tag.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Idle, Busy, Done), initial = Idle, terminal(Done))]
#[transition(Idle -> Busy on Begin)]
#[transition(Busy -> Done on Finish)]
struct Flag(u8);

/// A few fields of mixed alignment.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Created, Ready, Running, Stopped), initial = Created, terminal(Stopped))]
#[transition(Created -> Ready on Init)]
#[transition(Ready -> Running on Start, guard = Self::has_workers)]
#[transition(Running -> Stopped on Stop)]
struct Worker {
    id: u64,
    workers: u16,
    healthy: bool,
}

impl Worker {
    fn has_workers(&self) -> bool {
        self.workers > 0
    }
}

/// Large inline data plus heap-owning fields (so it has drop glue).
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Empty, Filled, Sealed), initial = Empty, terminal(Sealed))]
#[transition(Empty -> Filled on Fill, action = Self::fill)]
#[transition(Filled -> Sealed on Seal)]
struct Archive {
    blocks: [u64; 512],
    name: String,
    index: Vec<u32>,
}

impl Archive {
    fn fill(&mut self) -> Result<(), std::io::Error> {
        self.blocks.iter_mut().zip(1..).for_each(|(b, i)| *b = i);
        self.index.push(1);
        Ok(())
    }
}

/// Generic over its payload.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Open, Closed), initial = Open, terminal(Closed))]
#[transition(Open -> Closed on Close)]
struct Bin<T> {
    items: Vec<T>,
    last: Option<T>,
}

/// Generic over a length.
#[derive(Component, Clone, Debug, PartialEq)]
#[component(states(Filling, Full), initial = Filling)]
#[transition(Filling -> Full on Complete)]
#[transition(Full -> Filling on Drain)]
struct Ring<const N: usize> {
    slots: [u32; N],
    head: usize,
}

/// Asserts, at compile time, that `Typed<$c, $s>` has the size and alignment
/// of `$c`, for each listed state.
macro_rules! same_layout {
    ($c:ty: $($s:ty),+ $(,)?) => {
        $(
            assert_eq_size!(Typed<$c, $s>, $c);
            assert_eq_align!(Typed<$c, $s>, $c);
            // `Option` of a handle keeps the component's niche, too.
            assert_eq_size!(Option<Typed<$c, $s>>, Option<$c>);
        )+
    };
}

same_layout!(Lamp: lamp::Off, lamp::On);
same_layout!(Flag: flag::Idle, flag::Busy, flag::Done);
same_layout!(Worker: worker::Created, worker::Ready, worker::Running, worker::Stopped);
same_layout!(Archive: archive::Empty, archive::Filled, archive::Sealed);
same_layout!(Bin<()>: bin::Open, bin::Closed);
same_layout!(Bin<u8>: bin::Open, bin::Closed);
same_layout!(Bin<String>: bin::Open, bin::Closed);
same_layout!(Bin<[u64; 64]>: bin::Open, bin::Closed);
same_layout!(Ring<0>: ring::Filling, ring::Full);
same_layout!(Ring<3>: ring::Filling, ring::Full);
same_layout!(Ring<1024>: ring::Filling, ring::Full);

// The absolute sizes, so that the assertions above cannot pass by both sides
// being something unexpected.
assert_eq_size!(Typed<Lamp, lamp::On>, ());
assert_eq_size!(Typed<Flag, flag::Busy>, u8);
assert_eq_size!(Typed<Ring<3>, ring::Full>, [usize; 3]);

#[test]
fn zero_sized_component_moves_without_data() {
    let on = Typed::<Lamp, lamp::Off>::new(Lamp).fire(lamp::Press);
    assert_eq!(on.state(), lamp::State::On);
    assert_eq!(on.into_inner(), Lamp);
}

#[test]
fn moves_hand_the_data_through_unchanged() {
    let worker = Worker {
        id: 42,
        workers: 3,
        healthy: true,
    };
    let running = Typed::new(worker.clone())
        .fire(worker::Init)
        .fire(worker::Start)
        .map_err(|rejected| rejected.reason)
        .expect("the guard accepts a worker with workers");
    let stopped: Typed<Worker, worker::Stopped> = running.fire(worker::Stop);
    assert_eq!(stopped.into_inner(), worker);
}

#[test]
fn large_component_keeps_its_action_result_across_moves() {
    let archive = Archive {
        blocks: [0; 512],
        name: String::from("logs"),
        index: Vec::new(),
    };
    let filled = Typed::new(archive)
        .fire(archive::Fill)
        .map_err(|rejected| rejected.reason)
        .expect("fill never fails");
    let sealed = filled.fire(archive::Seal).into_inner();
    assert_eq!(sealed.blocks[0], 1);
    assert_eq!(sealed.blocks[511], 512);
    assert_eq!(sealed.name, "logs");
    assert_eq!(sealed.index, vec![1]);
}

#[test]
fn generic_components_move_their_payload() {
    let open = Typed::new(Bin {
        items: vec![String::from("a"), String::from("b")],
        last: Some(String::from("b")),
    });
    let closed = open.fire(bin::Close).into_inner();
    assert_eq!(closed.items, ["a", "b"]);
    assert_eq!(closed.last.as_deref(), Some("b"));

    let full = Typed::new(Ring {
        slots: [1, 2, 3],
        head: 2,
    })
    .fire(ring::Complete);
    let again = full.fire(ring::Drain).into_inner();
    assert_eq!(again.slots, [1, 2, 3]);
    assert_eq!(again.head, 2);
}
