//! The CD player (5 states, 12 transitions) in every implementation the
//! CD-player benches compare (`cd_player`, `cd_isolated`): typestep's
//! `Player` (state only) and `Deck` (small `Copy` data that three actions
//! change), a hand-written enum `match` (with and without the same data
//! changes), statig, smlang and rust-fsm; and the conversion of a typestep
//! event into each of theirs.

use typestep::prelude::*;

/// The player as typestep declares it: state only, no guards or actions.
#[derive(Component, Clone, Copy)]
#[component(states(Empty, Open, Stopped, Playing, Paused), initial = Empty)]
#[transition(Empty -> Open on OpenClose)]
#[transition(Empty -> Stopped on CdDetected)]
#[transition(Open -> Empty on OpenClose)]
#[transition(Stopped -> Playing on Play)]
#[transition(Stopped -> Stopped on Stop)]
#[transition(Stopped -> Open on OpenClose)]
#[transition(Playing -> Stopped on Stop)]
#[transition(Playing -> Paused on Pause)]
#[transition(Playing -> Open on OpenClose)]
#[transition(Paused -> Playing on Pause)]
#[transition(Paused -> Stopped on Stop)]
#[transition(Paused -> Open on OpenClose)]
pub struct Player;

/// The same player with small `Copy` data that three actions change, so those
/// moves take a snapshot (and restore it on failure).
#[derive(Component, Clone, Copy, Default)]
#[component(states(Empty, Open, Stopped, Playing, Paused), initial = Empty)]
#[transition(Empty -> Open on OpenClose)]
#[transition(Empty -> Stopped on CdDetected, action = Self::load)]
#[transition(Open -> Empty on OpenClose)]
#[transition(Stopped -> Playing on Play, action = Self::play)]
#[transition(Stopped -> Stopped on Stop)]
#[transition(Stopped -> Open on OpenClose)]
#[transition(Playing -> Stopped on Stop)]
#[transition(Playing -> Paused on Pause, action = Self::pause)]
#[transition(Playing -> Open on OpenClose)]
#[transition(Paused -> Playing on Pause)]
#[transition(Paused -> Stopped on Stop)]
#[transition(Paused -> Open on OpenClose)]
pub struct Deck {
    track: u8,
    pub plays: u32,
    pauses: u32,
}

impl Deck {
    fn load(&mut self) -> Result<(), std::convert::Infallible> {
        self.track = 1;
        Ok(())
    }
    fn play(&mut self) -> Result<(), std::convert::Infallible> {
        self.plays += 1;
        Ok(())
    }
    fn pause(&mut self) -> Result<(), std::convert::Infallible> {
        self.pauses += 1;
        Ok(())
    }
}

/// The baseline: the player as a hand-written enum `match`.
pub mod hand {
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub enum State {
        Empty,
        Open,
        Stopped,
        Playing,
        Paused,
    }

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub enum Event {
        OpenClose,
        CdDetected,
        Play,
        Stop,
        Pause,
    }

    /// The next state, or `None` when `state` does not accept `event`.
    #[inline]
    pub fn next(state: State, event: Event) -> Option<State> {
        use Event as E;
        use State as S;
        Some(match (state, event) {
            (S::Empty, E::OpenClose) => S::Open,
            (S::Empty, E::CdDetected) => S::Stopped,
            (S::Open, E::OpenClose) => S::Empty,
            (S::Stopped, E::Play) => S::Playing,
            (S::Stopped, E::Stop) => S::Stopped,
            (S::Stopped, E::OpenClose) => S::Open,
            (S::Playing, E::Stop) => S::Stopped,
            (S::Playing, E::Pause) => S::Paused,
            (S::Playing, E::OpenClose) => S::Open,
            (S::Paused, E::Pause) => S::Playing,
            (S::Paused, E::Stop) => S::Stopped,
            (S::Paused, E::OpenClose) => S::Open,
            _ => return None,
        })
    }

    /// The data the `Deck` actions change, changed by hand.
    #[derive(Clone, Copy, Default)]
    pub struct Data {
        pub track: u8,
        pub plays: u32,
        pub pauses: u32,
    }

    /// `next`, plus the same data changes as the `Deck` actions.
    #[inline]
    pub fn next_with_data(state: State, event: Event, data: &mut Data) -> Option<State> {
        let to = next(state, event)?;
        match (state, event) {
            (State::Empty, Event::CdDetected) => data.track = 1,
            (State::Stopped, Event::Play) => data.plays += 1,
            (State::Playing, Event::Pause) => data.pauses += 1,
            _ => {}
        }
        Some(to)
    }
}

/// The player in statig.
pub mod with_statig {
    use statig::prelude::*;

    #[derive(Default)]
    pub struct Player;

    pub enum Event {
        OpenClose,
        CdDetected,
        Play,
        Stop,
        Pause,
    }

    #[state_machine(initial = "State::empty()")]
    impl Player {
        #[state]
        fn empty(event: &Event) -> Outcome<State> {
            match event {
                Event::OpenClose => Transition(State::open()),
                Event::CdDetected => Transition(State::stopped()),
                _ => Super,
            }
        }

        #[state]
        fn open(event: &Event) -> Outcome<State> {
            match event {
                Event::OpenClose => Transition(State::empty()),
                _ => Super,
            }
        }

        #[state]
        fn stopped(event: &Event) -> Outcome<State> {
            match event {
                Event::Play => Transition(State::playing()),
                Event::Stop => Transition(State::stopped()),
                Event::OpenClose => Transition(State::open()),
                _ => Super,
            }
        }

        #[state]
        fn playing(event: &Event) -> Outcome<State> {
            match event {
                Event::Stop => Transition(State::stopped()),
                Event::Pause => Transition(State::paused()),
                Event::OpenClose => Transition(State::open()),
                _ => Super,
            }
        }

        #[state]
        fn paused(event: &Event) -> Outcome<State> {
            match event {
                Event::Pause => Transition(State::playing()),
                Event::Stop => Transition(State::stopped()),
                Event::OpenClose => Transition(State::open()),
                _ => Super,
            }
        }
    }
}

/// The player in smlang.
pub mod with_smlang {
    smlang::statemachine! {
        derive_events: [Clone, Copy],
        transitions: {
            *Empty + OpenClose = Open,
            Empty + CdDetected = Stopped,
            Open + OpenClose = Empty,
            Stopped + Play = Playing,
            Stopped + Stop = Stopped,
            Stopped + OpenClose = Open,
            Playing + Stop = Stopped,
            Playing + Pause = Paused,
            Playing + OpenClose = Open,
            Paused + Pause = Playing,
            Paused + Stop = Stopped,
            Paused + OpenClose = Open,
        }
    }

    pub struct Context;

    impl StateMachineContext for Context {}
}

/// The player in rust-fsm.
pub mod with_rust_fsm {
    rust_fsm::state_machine! {
        pub player(Empty)

        Empty => {
            OpenClose => Open,
            CdDetected => Stopped,
        },
        Open(OpenClose) => Empty,
        Stopped => {
            Play => Playing,
            Stop => Stopped,
            OpenClose => Open,
        },
        Playing => {
            Stop => Stopped,
            Pause => Paused,
            OpenClose => Open,
        },
        Paused => {
            Pause => Playing,
            Stop => Stopped,
            OpenClose => Open,
        },
    }
}

/// `e` as the hand implementation spells it.
pub fn hand_event(e: player::Event) -> hand::Event {
    match e {
        player::Event::OpenClose => hand::Event::OpenClose,
        player::Event::CdDetected => hand::Event::CdDetected,
        player::Event::Play => hand::Event::Play,
        player::Event::Stop => hand::Event::Stop,
        player::Event::Pause => hand::Event::Pause,
    }
}

/// `e` as the deck implementation spells it.
pub fn deck_event(e: player::Event) -> deck::Event {
    deck::Event::ALL[e.index()]
}

/// `e` as the statig implementation spells it.
pub fn statig_event(e: player::Event) -> with_statig::Event {
    use with_statig::Event as E;
    match e {
        player::Event::OpenClose => E::OpenClose,
        player::Event::CdDetected => E::CdDetected,
        player::Event::Play => E::Play,
        player::Event::Stop => E::Stop,
        player::Event::Pause => E::Pause,
    }
}

/// `e` as the smlang implementation spells it.
pub fn smlang_event(e: player::Event) -> with_smlang::Events {
    use with_smlang::Events as E;
    match e {
        player::Event::OpenClose => E::OpenClose,
        player::Event::CdDetected => E::CdDetected,
        player::Event::Play => E::Play,
        player::Event::Stop => E::Stop,
        player::Event::Pause => E::Pause,
    }
}

/// `e` as the rust-fsm implementation spells it.
pub fn rust_fsm_event(e: player::Event) -> with_rust_fsm::player::Input {
    use with_rust_fsm::player::Input as E;
    match e {
        player::Event::OpenClose => E::OpenClose,
        player::Event::CdDetected => E::CdDetected,
        player::Event::Play => E::Play,
        player::Event::Stop => E::Stop,
        player::Event::Pause => E::Pause,
    }
}
