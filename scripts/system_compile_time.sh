#!/usr/bin/env bash
# Build time of a 200-part `#[derive(System)]` (BENCHMARKS.md, "Lock
# ordering" section). Generates a throw-away binary crate under
# target/system_compile_time/ that depends on this workspace, builds its
# dependencies once, then times (wall clock, best of RUNS) a rebuild of the
# crate alone in four variants:
#
#   baseline  the same 200-field struct and part types, no derive
#   deps      #[derive(System)] with ~2.5 dependencies per part, the builder
#             called for every part in init order, constants read
#   mutexes   as `deps`, but every part an `OrderedMutex` of a level declared
#             by hand (no lock order): `locks` less this is the lock order
#   locks     as `deps`, plus a 200-level lock chain (19 900 ordered pairs in
#             its transitive closure) and one ordered lock
#
# Each variant prints the best wall time and the median CPU time (user +
# system of cargo and rustc) of its rebuilds.
#
# Usage: scripts/system_compile_time.sh [PARTS] [RUNS]   (defaults 200, 3)
set -euo pipefail

PARTS="${1:-200}"
RUNS="${2:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/target/system_compile_time"
mkdir -p "$WORK/src"

cat > "$WORK/Cargo.toml" <<TOML
[package]
name = "system-compile-time"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
typestep = { path = "$ROOT" }

[workspace]
TOML

# Writes src/main.rs for one variant.
generate() {
    python3 - "$PARTS" "$1" > "$WORK/src/main.rs" <<'PY'
import random, sys
n, variant = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
deps = [sorted(rng.sample(range(i), min(i, rng.choice([0, 1, 2, 3, 4])))) for i in range(n)]
locks = variant == "locks"
mutexes = variant == "mutexes"
out = ["#![allow(unused)]", "use typestep::prelude::*;", "use typestep::lock::OrderedMutex;", ""]
out.append("pub struct Part(pub u32);")
if variant != "baseline":
    out.append("#[derive(System)]")
if locks:
    out.append("#[system(lock_order(" + " -> ".join(f"p{i}" for i in range(n)) + "))]")
out.append("pub struct Big {")
for i in range(n):
    if variant != "baseline" and deps[i]:
        out.append("    #[depends_on(" + ", ".join(f"p{d}" for d in deps[i]) + ")]")
    ty = f"OrderedMutex<u32, big::level::P{i}>" if locks else f"OrderedMutex<u32, lv::P{i}>" if mutexes else "Part"
    out.append(f"    pub p{i}: {ty},")
out.append("}")
out.append("")
out.append("fn main() {")
if variant == "baseline":
    out.append("    let big = Big {")
    for i in range(n):
        out.append(f"        p{i}: Part({i}),")
    out.append("    };")
    out.append("    println!(\"{}\", big.p0.0);")
else:
    out.append("    let big = Big::builder()")
    make = "OrderedMutex::new({i})" if locks or mutexes else "Part({i})"
    for i in range(n):  # declaration order is an init order here
        args = ", ".join("_" for _ in deps[i])
        out.append(f"        .p{i}(|{args}| {make.format(i=i)})")
    out.append("        .build();")
    out.append("    println!(\"{} {}\", Big::INIT_ORDER.len(), Big::CLEANUP_PLAN.levels().len());")
    if locks:
        out.append("    let mut chain = typestep::lock::LockChain::start().unwrap();")
        out.append("    let mut locks = big::Locked::new(&mut chain);")
        out.append(f"    let (first, mut locks) = locks.lock(&big.p0);")
        out.append(f"    let (last, _) = locks.lock(&big.p{n-1});")
        out.append("    println!(\"{}\", *first + *last);")
out.append("}")
if mutexes:
    out.append("mod lv {")
    for i in range(n):
        out.append(f"    pub struct P{i};")
        out.append(f"    impl typestep::lock::Level for P{i} {{ const NAME: &'static str = \"p{i}\"; }}")
    out.append("}")
print("\n".join(out))
PY
}

# Best wall-clock and median CPU seconds of RUNS rebuilds of the crate alone.
time_variant() {
    generate "$1"
    (cd "$WORK" && cargo build --quiet)  # dependencies, and a first build
    local times=()
    TIMEFORMAT='%R %U %S'
    for _ in $(seq "$RUNS"); do
        touch "$WORK/src/main.rs"
        times+=("$( { time (cd "$WORK" && cargo build --quiet) ; } 2>&1 )")
    done
    (cd "$WORK" && ./target/debug/system-compile-time > /dev/null)
    printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
runs = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
wall = min(r[0] for r in runs)
cpu = statistics.median(r[1] + r[2] for r in runs)
print(f"{sys.argv[1]:<9} {sys.argv[2]} parts: {wall:.2f} s wall (best), {cpu:.2f} s CPU (median of {len(runs)})")
' "$1" "$PARTS"
}

rustc --version
time_variant baseline
time_variant deps
time_variant mutexes
time_variant locks
