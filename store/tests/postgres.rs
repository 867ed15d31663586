//! The store suite against PostgreSQL, when `TYPESTEP_PG_URL` names a
//! server (`.ci/postgres.sh` starts one). Without it the binary prints
//! that it skipped and runs nothing. No test harness: the output says
//! exactly what ran.

mod common;

use std::process::ExitCode;

#[cfg(feature = "postgres")]
fn main() -> ExitCode {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use typestep::store::{Options, PgStore, Store};

    if std::env::args().any(|a| a == "--list") {
        println!("postgres: test\n");
        return ExitCode::SUCCESS;
    }
    let Ok(url) = std::env::var("TYPESTEP_PG_URL") else {
        println!("postgres suite: skipped: TYPESTEP_PG_URL not set");
        return ExitCode::SUCCESS;
    };
    let open = |options: Options| -> Box<dyn Store> {
        Box::new(PgStore::connect_with(&url, options).expect("connect"))
    };
    let admin = PgStore::connect(&url).expect("connect");
    let raw = |sql: &str| admin.client().batch_execute(sql).expect("raw sql");
    let mut failed = Vec::new();
    for (name, test) in common::SUITE {
        match catch_unwind(AssertUnwindSafe(|| test(&open, &raw))) {
            Ok(()) => println!("postgres: {name} ... ok"),
            Err(_) => {
                println!("postgres: {name} ... FAILED");
                failed.push(*name);
            }
        }
    }
    if failed.is_empty() {
        println!(
            "postgres suite: ran {} tests, all passed",
            common::SUITE.len()
        );
        ExitCode::SUCCESS
    } else {
        println!("postgres suite: FAILED: {failed:?}");
        ExitCode::FAILURE
    }
}

#[cfg(not(feature = "postgres"))]
fn main() -> ExitCode {
    println!("postgres suite: skipped: built without feature `postgres`");
    ExitCode::SUCCESS
}
