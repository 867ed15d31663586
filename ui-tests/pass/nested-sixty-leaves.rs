//! A 60-leaf hierarchy, 3 levels deep: 4 groups of 3 subgroups of 5
//! leaves, a chain `Next` inside each subgroup, `Down` declared on each
//! subgroup and `Over` on each group (inherited by their 60 leaves).
use typestep::prelude::*;

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}

impl std::error::Error for Never {}

#[derive(Component, Clone, Default)]
#[component(states(G0(S0_0(L0_0_0, L0_0_1, L0_0_2, L0_0_3, L0_0_4), S0_1(L0_1_0, L0_1_1, L0_1_2, L0_1_3, L0_1_4), S0_2(L0_2_0, L0_2_1, L0_2_2, L0_2_3, L0_2_4)), G1(S1_0(L1_0_0, L1_0_1, L1_0_2, L1_0_3, L1_0_4), S1_1(L1_1_0, L1_1_1, L1_1_2, L1_1_3, L1_1_4), S1_2(L1_2_0, L1_2_1, L1_2_2, L1_2_3, L1_2_4)), G2(S2_0(L2_0_0, L2_0_1, L2_0_2, L2_0_3, L2_0_4), S2_1(L2_1_0, L2_1_1, L2_1_2, L2_1_3, L2_1_4), S2_2(L2_2_0, L2_2_1, L2_2_2, L2_2_3, L2_2_4)), G3(S3_0(L3_0_0, L3_0_1, L3_0_2, L3_0_3, L3_0_4), S3_1(L3_1_0, L3_1_1, L3_1_2, L3_1_3, L3_1_4), S3_2(L3_2_0, L3_2_1, L3_2_2, L3_2_3, L3_2_4))), initial = G0)]
#[state(S0_0, initial = L0_0_0)]
#[state(S0_1, initial = L0_1_0)]
#[state(S0_2, initial = L0_2_0)]
#[state(G0, initial = S0_0, exit = Self::count)]
#[state(S1_0, initial = L1_0_0)]
#[state(S1_1, initial = L1_1_0)]
#[state(S1_2, initial = L1_2_0)]
#[state(G1, initial = S1_0, exit = Self::count)]
#[state(S2_0, initial = L2_0_0)]
#[state(S2_1, initial = L2_1_0)]
#[state(S2_2, initial = L2_2_0)]
#[state(G2, initial = S2_0, exit = Self::count)]
#[state(S3_0, initial = L3_0_0)]
#[state(S3_1, initial = L3_1_0)]
#[state(S3_2, initial = L3_2_0)]
#[state(G3, initial = S3_0, exit = Self::count)]
#[transition(L0_0_0 -> L0_0_1 on Next; L0_0_1 -> L0_0_2 on Next; L0_0_2 -> L0_0_3 on Next; L0_0_3 -> L0_0_4 on Next; S0_0 -> S0_1 on Down; L0_1_0 -> L0_1_1 on Next; L0_1_1 -> L0_1_2 on Next; L0_1_2 -> L0_1_3 on Next; L0_1_3 -> L0_1_4 on Next; S0_1 -> S0_2 on Down; L0_2_0 -> L0_2_1 on Next; L0_2_1 -> L0_2_2 on Next; L0_2_2 -> L0_2_3 on Next; L0_2_3 -> L0_2_4 on Next; S0_2 -> S0_0 on Down; G0 -> G1 on Over)]
#[transition(L1_0_0 -> L1_0_1 on Next; L1_0_1 -> L1_0_2 on Next; L1_0_2 -> L1_0_3 on Next; L1_0_3 -> L1_0_4 on Next; S1_0 -> S1_1 on Down; L1_1_0 -> L1_1_1 on Next; L1_1_1 -> L1_1_2 on Next; L1_1_2 -> L1_1_3 on Next; L1_1_3 -> L1_1_4 on Next; S1_1 -> S1_2 on Down; L1_2_0 -> L1_2_1 on Next; L1_2_1 -> L1_2_2 on Next; L1_2_2 -> L1_2_3 on Next; L1_2_3 -> L1_2_4 on Next; S1_2 -> S1_0 on Down; G1 -> G2 on Over)]
#[transition(L2_0_0 -> L2_0_1 on Next; L2_0_1 -> L2_0_2 on Next; L2_0_2 -> L2_0_3 on Next; L2_0_3 -> L2_0_4 on Next; S2_0 -> S2_1 on Down; L2_1_0 -> L2_1_1 on Next; L2_1_1 -> L2_1_2 on Next; L2_1_2 -> L2_1_3 on Next; L2_1_3 -> L2_1_4 on Next; S2_1 -> S2_2 on Down; L2_2_0 -> L2_2_1 on Next; L2_2_1 -> L2_2_2 on Next; L2_2_2 -> L2_2_3 on Next; L2_2_3 -> L2_2_4 on Next; S2_2 -> S2_0 on Down; G2 -> G3 on Over)]
#[transition(L3_0_0 -> L3_0_1 on Next; L3_0_1 -> L3_0_2 on Next; L3_0_2 -> L3_0_3 on Next; L3_0_3 -> L3_0_4 on Next; S3_0 -> S3_1 on Down; L3_1_0 -> L3_1_1 on Next; L3_1_1 -> L3_1_2 on Next; L3_1_2 -> L3_1_3 on Next; L3_1_3 -> L3_1_4 on Next; S3_1 -> S3_2 on Down; L3_2_0 -> L3_2_1 on Next; L3_2_1 -> L3_2_2 on Next; L3_2_2 -> L3_2_3 on Next; L3_2_3 -> L3_2_4 on Next; S3_2 -> S3_0 on Down; G3 -> G0 on Over)]
struct Big {
    left_groups: u32,
}

impl Big {
    fn count(&mut self) -> Result<(), Never> {
        self.left_groups += 1;
        Ok(())
    }
}

fn main() {
    let mut machine = StateMachine::new(Big::default());
    assert_eq!(machine.state(), big::State::L0_0_0);
    machine.fire(big::Next).expect("own transition");
    machine.fire(big::Down).expect("inherited from S0_0");
    assert_eq!(machine.state(), big::State::L0_1_0);
    machine.fire(big::Over).expect("inherited from G0");
    assert_eq!(machine.state(), big::State::L1_0_0);
    assert!(machine.is_in(big::G1) && machine.is_in(big::S1_0));
    assert_eq!(machine.data().left_groups, 1);
    assert_eq!(<big::State as typestep::component::Label>::ALL.len(), 60);
}
