//! A generic component with superstates and an entry action.
use typestep::prelude::*;

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}

impl std::error::Error for Never {}

#[derive(Component, Clone)]
#[component(states(Empty, Holding(One, Many)), initial = Empty)]
#[state(Holding, initial = One, exit = Self::drain)]
#[transition(Empty -> Holding on Put)]
#[transition(One -> Many on Put)]
#[transition(Many -> Many on Put)]
#[transition(Holding -> Empty on Clear)]
struct Bag<T: Clone> {
    items: Vec<T>,
    drained: usize,
}

impl<T: Clone> Bag<T> {
    fn drain(&mut self) -> Result<(), Never> {
        self.drained += self.items.len();
        self.items.clear();
        Ok(())
    }
}

fn main() {
    let mut machine = StateMachine::new(Bag::<u8> { items: vec![1, 2], drained: 0 });
    machine.fire(bag::Put).expect("enters Holding");
    machine.fire(bag::Put).expect("one to many");
    assert!(machine.is_in(bag::Holding));
    machine.fire(bag::Clear).expect("inherited from Holding");
    assert_eq!(machine.state(), bag::State::Empty);
    assert_eq!(machine.data().drained, 2);
}
