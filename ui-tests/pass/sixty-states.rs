//! A 60-state machine with 118 transitions: a chain `S0 -> S1 -> ... -> S59 on
//! Next`, a `Reset` from each of the 58 inner states back to `S0`, and an
//! `Abort` from `S0` straight to the end.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16, S17, S18, S19, S20, S21, S22, S23, S24, S25, S26, S27, S28, S29, S30, S31, S32, S33, S34, S35, S36, S37, S38, S39, S40, S41, S42, S43, S44, S45, S46, S47, S48, S49, S50, S51, S52, S53, S54, S55, S56, S57, S58, S59), initial = S0, terminal(S59))]
#[transition(S0 -> S1 on Next)]
#[transition(S1 -> S2 on Next)]
#[transition(S2 -> S3 on Next)]
#[transition(S3 -> S4 on Next)]
#[transition(S4 -> S5 on Next)]
#[transition(S5 -> S6 on Next)]
#[transition(S6 -> S7 on Next)]
#[transition(S7 -> S8 on Next)]
#[transition(S8 -> S9 on Next)]
#[transition(S9 -> S10 on Next)]
#[transition(S10 -> S11 on Next)]
#[transition(S11 -> S12 on Next)]
#[transition(S12 -> S13 on Next)]
#[transition(S13 -> S14 on Next)]
#[transition(S14 -> S15 on Next)]
#[transition(S15 -> S16 on Next)]
#[transition(S16 -> S17 on Next)]
#[transition(S17 -> S18 on Next)]
#[transition(S18 -> S19 on Next)]
#[transition(S19 -> S20 on Next)]
#[transition(S20 -> S21 on Next)]
#[transition(S21 -> S22 on Next)]
#[transition(S22 -> S23 on Next)]
#[transition(S23 -> S24 on Next)]
#[transition(S24 -> S25 on Next)]
#[transition(S25 -> S26 on Next)]
#[transition(S26 -> S27 on Next)]
#[transition(S27 -> S28 on Next)]
#[transition(S28 -> S29 on Next)]
#[transition(S29 -> S30 on Next)]
#[transition(S30 -> S31 on Next)]
#[transition(S31 -> S32 on Next)]
#[transition(S32 -> S33 on Next)]
#[transition(S33 -> S34 on Next)]
#[transition(S34 -> S35 on Next)]
#[transition(S35 -> S36 on Next)]
#[transition(S36 -> S37 on Next)]
#[transition(S37 -> S38 on Next)]
#[transition(S38 -> S39 on Next)]
#[transition(S39 -> S40 on Next)]
#[transition(S40 -> S41 on Next)]
#[transition(S41 -> S42 on Next)]
#[transition(S42 -> S43 on Next)]
#[transition(S43 -> S44 on Next)]
#[transition(S44 -> S45 on Next)]
#[transition(S45 -> S46 on Next)]
#[transition(S46 -> S47 on Next)]
#[transition(S47 -> S48 on Next)]
#[transition(S48 -> S49 on Next)]
#[transition(S49 -> S50 on Next)]
#[transition(S50 -> S51 on Next)]
#[transition(S51 -> S52 on Next)]
#[transition(S52 -> S53 on Next)]
#[transition(S53 -> S54 on Next)]
#[transition(S54 -> S55 on Next)]
#[transition(S55 -> S56 on Next)]
#[transition(S56 -> S57 on Next)]
#[transition(S57 -> S58 on Next)]
#[transition(S58 -> S59 on Next)]
#[transition(S1 | S2 | S3 | S4 | S5 | S6 | S7 | S8 | S9 | S10 | S11 | S12 | S13 | S14 | S15 | S16 | S17 | S18 | S19 | S20 | S21 | S22 | S23 | S24 | S25 | S26 | S27 | S28 | S29 | S30 | S31 | S32 | S33 | S34 | S35 | S36 | S37 | S38 | S39 | S40 | S41 | S42 | S43 | S44 | S45 | S46 | S47 | S48 | S49 | S50 | S51 | S52 | S53 | S54 | S55 | S56 | S57 | S58 -> S0 on Reset)]
#[transition(S0 -> S59 on Abort)]
struct Big;

fn main() {
    assert_eq!(big::State::ALL.len(), 60);
    assert_eq!(<Big as Component>::TRANSITIONS.len(), 118);
    // The typed chain walks all 59 `Next` moves; each step's type is checked.
    let h = Typed::new(Big);
    let h: Typed<Big, big::S1> = h.fire(big::Next);
    let h: Typed<Big, big::S2> = h.fire(big::Next);
    let h: Typed<Big, big::S3> = h.fire(big::Next);
    let h: Typed<Big, big::S4> = h.fire(big::Next);
    let h: Typed<Big, big::S5> = h.fire(big::Next);
    let h: Typed<Big, big::S6> = h.fire(big::Next);
    let h: Typed<Big, big::S7> = h.fire(big::Next);
    let h: Typed<Big, big::S8> = h.fire(big::Next);
    let h: Typed<Big, big::S9> = h.fire(big::Next);
    let h: Typed<Big, big::S10> = h.fire(big::Next);
    let h: Typed<Big, big::S11> = h.fire(big::Next);
    let h: Typed<Big, big::S12> = h.fire(big::Next);
    let h: Typed<Big, big::S13> = h.fire(big::Next);
    let h: Typed<Big, big::S14> = h.fire(big::Next);
    let h: Typed<Big, big::S15> = h.fire(big::Next);
    let h: Typed<Big, big::S16> = h.fire(big::Next);
    let h: Typed<Big, big::S17> = h.fire(big::Next);
    let h: Typed<Big, big::S18> = h.fire(big::Next);
    let h: Typed<Big, big::S19> = h.fire(big::Next);
    let h: Typed<Big, big::S20> = h.fire(big::Next);
    let h: Typed<Big, big::S21> = h.fire(big::Next);
    let h: Typed<Big, big::S22> = h.fire(big::Next);
    let h: Typed<Big, big::S23> = h.fire(big::Next);
    let h: Typed<Big, big::S24> = h.fire(big::Next);
    let h: Typed<Big, big::S25> = h.fire(big::Next);
    let h: Typed<Big, big::S26> = h.fire(big::Next);
    let h: Typed<Big, big::S27> = h.fire(big::Next);
    let h: Typed<Big, big::S28> = h.fire(big::Next);
    let h: Typed<Big, big::S29> = h.fire(big::Next);
    let h: Typed<Big, big::S30> = h.fire(big::Next);
    let h: Typed<Big, big::S31> = h.fire(big::Next);
    let h: Typed<Big, big::S32> = h.fire(big::Next);
    let h: Typed<Big, big::S33> = h.fire(big::Next);
    let h: Typed<Big, big::S34> = h.fire(big::Next);
    let h: Typed<Big, big::S35> = h.fire(big::Next);
    let h: Typed<Big, big::S36> = h.fire(big::Next);
    let h: Typed<Big, big::S37> = h.fire(big::Next);
    let h: Typed<Big, big::S38> = h.fire(big::Next);
    let h: Typed<Big, big::S39> = h.fire(big::Next);
    let h: Typed<Big, big::S40> = h.fire(big::Next);
    let h: Typed<Big, big::S41> = h.fire(big::Next);
    let h: Typed<Big, big::S42> = h.fire(big::Next);
    let h: Typed<Big, big::S43> = h.fire(big::Next);
    let h: Typed<Big, big::S44> = h.fire(big::Next);
    let h: Typed<Big, big::S45> = h.fire(big::Next);
    let h: Typed<Big, big::S46> = h.fire(big::Next);
    let h: Typed<Big, big::S47> = h.fire(big::Next);
    let h: Typed<Big, big::S48> = h.fire(big::Next);
    let h: Typed<Big, big::S49> = h.fire(big::Next);
    let h: Typed<Big, big::S50> = h.fire(big::Next);
    let h: Typed<Big, big::S51> = h.fire(big::Next);
    let h: Typed<Big, big::S52> = h.fire(big::Next);
    let h: Typed<Big, big::S53> = h.fire(big::Next);
    let h: Typed<Big, big::S54> = h.fire(big::Next);
    let h: Typed<Big, big::S55> = h.fire(big::Next);
    let h: Typed<Big, big::S56> = h.fire(big::Next);
    let h: Typed<Big, big::S57> = h.fire(big::Next);
    let h: Typed<Big, big::S58> = h.fire(big::Next);
    let h: Typed<Big, big::S59> = h.fire(big::Next);
    assert_eq!(h.state(), big::State::S59);
    assert!(<Big as Component>::is_terminal(h.state()));

    // The run-time table agrees with the declaration for every pair.
    for (index, &state) in big::State::ALL.iter().enumerate() {
        let next = <Big as Component>::edge(state, big::Event::Next).map(|e| e.to);
        assert_eq!(next, big::State::ALL.get(index + 1).copied());
        let reset = <Big as Component>::edge(state, big::Event::Reset).map(|e| e.to);
        let inner = index != 0 && index != 59;
        assert_eq!(reset, inner.then_some(big::State::S0));
        let abort = <Big as Component>::edge(state, big::Event::Abort).map(|e| e.to);
        assert_eq!(abort, (index == 0).then_some(big::State::S59));
    }
    let back: Typed<Big, big::S0> = Typed::new(Big).fire(big::Next).fire(big::Next).fire(big::Reset);
    let end: Typed<Big, big::S59> = back.fire(big::Abort);
    assert_eq!(end.state(), big::State::S59);
}
