//! A generic component: `Bin<T>` with a guard, and `Cache<K, V>` with an
//! action (its struct bounds make it `Clone`, as the default snapshot needs).
use typestep::prelude::*;

#[derive(Component, Debug)]
#[component(states(Empty, Filled, Sealed), initial = Empty, terminal(Sealed))]
#[transition(Empty -> Filled on Put)]
#[transition(Filled -> Filled on Put)]
#[transition(Filled -> Sealed on Seal, guard = Self::not_empty)]
struct Bin<T> {
    items: Vec<T>,
}

impl<T> Bin<T> {
    fn not_empty(&self) -> bool {
        !self.items.is_empty()
    }
}

#[derive(Component, Clone, Debug)]
#[component(states(Cold, Warm), initial = Cold)]
#[transition(Cold -> Warm on Load, action = Self::load)]
#[transition(Warm -> Cold on Evict)]
struct Cache<K: Clone, V: Clone + Default>
where
    K: PartialEq,
{
    entries: Vec<(K, V)>,
    key: K,
}

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}

impl std::error::Error for Never {}

impl<K: Clone + PartialEq, V: Clone + Default> Cache<K, V> {
    fn load(&mut self) -> Result<(), Never> {
        self.entries.push((self.key.clone(), V::default()));
        Ok(())
    }
}

fn main() {
    let bin: Typed<Bin<String>, bin::Empty> = Typed::new(Bin { items: Vec::new() });
    let mut filled = bin.fire(bin::Put);
    filled.data_mut().items.push("a".to_owned());
    let filled: Typed<Bin<String>, bin::Filled> = filled.fire(bin::Put);
    let sealed = filled.fire(bin::Seal).expect("not empty");
    assert_eq!(sealed.state(), bin::State::Sealed);
    assert_eq!(sealed.into_inner().items, ["a"]);

    // The same component with another parameter shares the state types.
    let empty = Typed::new(Bin::<u8> { items: Vec::new() }).fire(bin::Put);
    let refused = empty.fire(bin::Seal).expect_err("empty bin");
    assert!(matches!(refused.reason, Refusal::GuardRefused));
    assert_eq!(<Bin<u8> as Component>::NAME, "Bin");

    let cache = Typed::new(Cache::<&str, u32> { entries: Vec::new(), key: "k" });
    let warm = cache.fire(cache::Load).expect("loads");
    assert_eq!(warm.data().entries, [("k", 0)]);
    let cold: Typed<Cache<&str, u32>, cache::Cold> = warm.fire(cache::Evict);
    assert_eq!(cold.state(), cache::State::Cold);
}
