//! Three levels of nesting: inherited transitions from two levels up,
//! entry and exit actions in order, typed handles and `is_in`.
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
#[component(states(Off, Run(Fast(A, B), Slow)), initial = Off)]
#[state(Run, initial = Fast, entry = Self::enter_run, exit = Self::exit_run)]
#[state(Fast, initial = A, exit = Self::exit_fast)]
#[transition(Off -> Run on Go)]
#[transition(A -> B on Next)]
#[transition(Fast -> Slow on Brake)]
#[transition(Slow -> Fast on Push)]
#[transition(Run -> Off on Stop)]
struct Motor {
    log: Vec<&'static str>,
}

impl Motor {
    fn enter_run(&mut self) -> Result<(), Never> {
        self.log.push("enter Run");
        Ok(())
    }
    fn exit_run(&mut self) -> Result<(), Never> {
        self.log.push("exit Run");
        Ok(())
    }
    fn exit_fast(&mut self) -> Result<(), Never> {
        self.log.push("exit Fast");
        Ok(())
    }
}

fn main() {
    let off = Typed::new(Motor::default());
    let a: Typed<Motor, motor::A> = off.fire(motor::Go).expect("enters Run");
    let b: Typed<Motor, motor::B> = a.fire(motor::Next);
    // `Stop` is declared two levels up, on `Run`.
    let off: Typed<Motor, motor::Off> = b.fire(motor::Stop).expect("leaves Run");
    assert_eq!(off.data().log, ["enter Run", "exit Fast", "exit Run"]);

    let mut machine = StateMachine::new(Motor::default());
    machine.fire(motor::Go).expect("enters Run");
    assert!(machine.is_in(motor::Run) && machine.is_in(motor::Fast));
    machine.fire(motor::Brake).expect("inherited from Fast");
    assert_eq!(machine.state(), motor::State::Slow);
    assert!(machine.is_in(motor::Run) && !machine.is_in(motor::Fast));
}
