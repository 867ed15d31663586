//! A component without `terminal(...)` may run forever: no can-finish check
//! applies, and no state is terminal.
use typestep::prelude::*;

#[derive(Component)]
#[component(states(Stopped, Playing, Paused), initial = Stopped)]
#[transition(Stopped -> Playing on Play)]
#[transition(Playing -> Paused on Pause)]
#[transition(Paused -> Playing on Play)]
#[transition(Playing | Paused -> Stopped on Stop)]
struct Player;

fn main() {
    let player = Typed::new(Player).fire(player::Play).fire(player::Pause);
    let player: Typed<Player, player::Stopped> = player.fire(player::Stop);
    assert!(<Player as Component>::TERMINAL.is_empty());
    for state in player::State::ALL {
        assert!(!<Player as Component>::is_terminal(*state));
    }
    assert_eq!(player.state(), player::State::Stopped);
}
