//! A component that is not `Clone` and has no actions needs no snapshot:
//! plain and guarded transitions work on it.
use typestep::prelude::*;

/// Not `Clone`: owns a unique resource.
struct Socket(u16);

#[derive(Component)]
#[component(states(Closed, Open, Retired), initial = Closed, terminal(Retired))]
#[transition(Closed -> Open on Connect, guard = Self::has_port)]
#[transition(Open -> Closed on Disconnect)]
#[transition(Closed -> Retired on Retire)]
struct Connection {
    socket: Socket,
}

impl Connection {
    fn has_port(&self) -> bool {
        self.socket.0 != 0
    }
}

fn main() {
    let closed = Typed::new(Connection { socket: Socket(0) });
    let mut closed = match closed.fire(connection::Connect) {
        Ok(_) => panic!("the guard must refuse port 0"),
        Err(rejected) => rejected.into_handle(),
    };
    closed.data_mut().socket = Socket(8080);
    let Ok(open) = closed.fire(connection::Connect) else {
        panic!("the guard must accept port 8080");
    };
    assert_eq!(open.data().socket.0, 8080);
    let closed: Typed<Connection, connection::Closed> = open.fire(connection::Disconnect);
    let retired = closed.fire(connection::Retire);
    assert_eq!(retired.state(), connection::State::Retired);
}
