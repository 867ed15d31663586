use typestep::prelude::*;

struct Part;

#[derive(System)]
struct Plant {
    #[depends_on(boiler)]
    pump: Part,
    #[depends_on(valve)]
    boiler: Part,
    #[depends_on(pump)]
    valve: Part,
}

fn main() {}
