//! Compile-fail and compile-pass cases, driven by trybuild.
//!
//! Each folder of `ui-tests/` holds one kind of case: a `.rs` file named for
//! the mistake it makes, and the `.stderr` the compiler must print for it.
//! `ui-tests/pass/` holds programs that must compile and run.

use std::path::Path;

/// Folders of compile-fail cases, one per area of the design checks.
const COMPILE_FAIL: &[&str] = &["component", "transition", "typed", "system", "lock"];

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    for folder in COMPILE_FAIL {
        if has_cases(folder) {
            cases.compile_fail(format!("ui-tests/{folder}/*.rs"));
        }
    }
    if has_cases("pass") {
        cases.pass("ui-tests/pass/*.rs");
    }
}

/// Whether `ui-tests/<folder>` exists and holds at least one `.rs` case.
fn has_cases(folder: &str) -> bool {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui-tests")
        .join(folder);
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
    })
}
