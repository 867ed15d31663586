//! Mistakes of different kinds in one declaration are reported in one build:
//! a misspelled key, a misspelled transition option, and a state that
//! nothing enters. Each is reported once, and the valid part still works.
use typestep::prelude::*;

#[derive(Component, Clone)]
#[component(states(Created, Paused, Stopped), initial = Created, terminal(Stopped), snapshto = Foo)]
#[transition(Created -> Stopped on Stop, gaurd = Self::ready)]
#[transition(Paused -> Stopped on Stop)]
struct Player;

impl Player {
    #[allow(dead_code)]
    fn ready(&self) -> bool {
        true
    }
}

fn main() {
    let _stopped: Typed<Player, player::Stopped> = Typed::new(Player).fire(player::Stop);
}
