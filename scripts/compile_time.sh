#!/usr/bin/env bash
# Build time of one large component: typestep's derive against a hand-written enum.
#
# Generates two throwaway crates under target/compile_time/ (never committed):
#   typed/        one #[derive(Component)] struct, 50 states, 100 transitions
#                 (5 guarded, 5 with an action), depending on this repository by path;
#   handwritten/  the same machine as plain State/Event enums and a transition
#                 `match` (guards, and actions restored from a clone on error).
# Each crate also has one small function that drives the first ten moves, so
# both sides are used, not only declared.
#
# Builds each once (dependencies included; not timed), then measures, alternating
# the crates so that machine noise hits all alike:
#   warm build:  touch src/lib.rs; cargo build   (dev profile, incremental)
#   warm check:  touch src/lib.rs; cargo check
#   fresh build: cargo clean -p <crate>; cargo build   (the crate alone, deps built)
# and prints the median of each, as wall time and as CPU time (user + system of
# cargo and rustc; steadier on a shared machine), and the ratio typed / handwritten.
#
# EXPLAIN=1 adds variants of the typed crate that each remove one part (running
# the proc macro, the derives on the zero-sized state/event types, the `From`
# impls, the component itself), to find by elimination what the time is spent
# on. It prints the derive's expansion with `RUSTC_BOOTSTRAP=1 ... -Zunpretty=expanded`
# (as cargo-expand does) and needs python3 for scripts/compile_time_rederive.py.
#
# FLOOR=1 adds a third crate, handtyped/: the same machine as a hand-written
# typestate (a unit struct per state and event, a `Transition` trait with the
# same message, one impl per edge) on top of the hand-written enum machine,
# with no dependency: the least code that offers what the derive offers, so
# typed / handtyped is the derive's own share and handtyped / handwritten the
# typestate's; and handtyped_dep/, the same code in a crate that depends on
# typestep without using it: the best any derive of this crate could do.
#
# PICTURE=1 instead compares the typed crate with the same crate built with
# typestep's `doc-diagram` feature (the derive draws the graph as SVG into the
# module's rustdoc): the picture's cost on a warm build.
#
# Usage: bash scripts/compile_time.sh            (RUNS=5 by default)
#        RUNS=7 PICTURE=1 bash scripts/compile_time.sh
#        RUNS=9 EXPLAIN=1 bash scripts/compile_time.sh
#        RUNS=7 FLOOR=1 bash scripts/compile_time.sh
# Works offline once the workspace's dependencies are fetched (`cargo fetch`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/compile_time"
RUNS="${RUNS:-5}"
STATES=50
export CARGO_TARGET_DIR="$WORK/target"
export CARGO_TERM_COLOR=never

# ---------------------------------------------------------------------------
# The machine, shared by both generators.
#   S0..S48 -> next state on Step{i%10}    (49 edges; guarded when i%10 == 5)
#   S0..S48 -> S{(7i+3)%49} on Jump{i%10}  (49 edges; with an action when i%10 == 0)
#   S0, S25 -> S49 on Abort                 (2 edges)
# S49 is the only terminal state. Every state is reachable from S0 and every
# state reaches S49, so the derive's graph checks pass.
edges() { # prints: from to event guarded has_action
  local i last=$((STATES - 1))
  for ((i = 0; i < last; i++)); do
    echo "S$i S$((i + 1)) Step$((i % 10)) $((i % 10 == 5 ? 1 : 0)) 0"
    echo "S$i S$(((7 * i + 3) % last)) Jump$((i % 10)) 0 $((i % 10 == 0 ? 1 : 0))"
  done
  echo "S0 S$last Abort 0 0"
  echo "S25 S$last Abort 0 0"
}
state_list() { local i; for ((i = 0; i < STATES; i++)); do printf 'S%d ' "$i"; done; }
event_list() { local i; for ((i = 0; i < 10; i++)); do printf 'Step%d Jump%d ' "$i" "$i"; done; printf 'Abort'; }
join() { local sep="$1"; shift; local IFS=' '; local out; out="$*"; echo "${out// /$sep}"; }

# The ten moves both walks take: S0 -Step0-> S1 ... -Step9-> S10 (the sixth is guarded).
WALK_EVENTS="Step0 Step1 Step2 Step3 Step4 Step5 Step6 Step7 Step8 Step9"

data_impl='pub struct Big {
    pub counter: u64,
    pub log: Vec<u32>,
}

impl Big {
    fn can_step(&self) -> bool {
        self.counter < 1_000_000
    }

    fn record(&mut self) -> Result<(), std::io::Error> {
        self.counter += 1;
        self.log.push(self.counter as u32);
        Ok(())
    }
}'

# Prints `walk`, which drives the first ten moves through typed handles:
# $1 is the handle type in S0, $2 turns the rejection of the guarded step
# into its `Refusal`.
walk_fn() {
  echo '/// Drives the first ten moves through typed handles.'
  echo 'pub fn walk(big: Big) -> Result<Big, Refusal> {'
  echo "    let h = $1::new(big);"
  local e
  for e in $WALK_EVENTS; do
    if [[ $e == Step5 ]]; then
      echo "    let h = h.fire(big::$e).map_err($2)?;"
    else
      echo "    let h = h.fire(big::$e);"
    fi
  done
  echo '    Ok(h.into_inner())'
  echo '}'
}

manifest() { # name, extra dependency line
  cat <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$2

[workspace]
TOML
}

gen_typed() {
  local dir="$WORK/typed"
  mkdir -p "$dir/src"
  manifest ct_typed "typestep = { path = \"$ROOT\" }" >"$dir/Cargo.toml"
  # Seed the lock file with the workspace's versions so nothing new is fetched.
  cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
  {
    echo '//! Generated by scripts/compile_time.sh: one component, typestep derive.'
    echo 'use typestep::prelude::*;'
    echo
    echo '#[derive(Component, Clone, Debug)]'
    echo "#[component(states($(join ', ' $(state_list))), initial = S0, terminal(S$((STATES - 1))))]"
    local from to event guarded action extra
    while read -r from to event guarded action; do
      extra=""
      ((guarded)) && extra=", guard = Self::can_step"
      ((action)) && extra=", action = Self::record"
      echo "#[transition($from -> $to on $event$extra)]"
    done < <(edges)
    echo "$data_impl"
    echo
    walk_fn 'Typed::<Big, big::S0>' '|rejected| rejected.reason'
  } >"$dir/src/lib.rs"
}

gen_handwritten() {
  local dir="$WORK/handwritten"
  mkdir -p "$dir/src"
  manifest ct_handwritten "" >"$dir/Cargo.toml"
  {
    echo '//! Generated by scripts/compile_time.sh: the same machine, hand-written.'
    echo
    echo '#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]'
    echo "pub enum State { $(join ', ' $(state_list)) }"
    echo
    echo '#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]'
    echo "pub enum Event { $(join ', ' $(event_list)) }"
    echo
    echo '#[derive(Debug)]'
    echo 'pub enum Refusal { NotAccepted, GuardRefused, ActionFailed(std::io::Error) }'
    echo
    echo '#[derive(Clone, Debug)]'
    echo "$data_impl"
    echo
    echo 'pub struct Machine { pub state: State, pub data: Big }'
    echo
    echo 'impl Machine {'
    echo '    pub fn new(data: Big) -> Self { Machine { state: State::S0, data } }'
    echo
    echo '    /// Checks the move against the table, runs its guard and action, commits.'
    echo '    pub fn fire(&mut self, event: Event) -> Result<State, Refusal> {'
    echo '        let next = match (self.state, event) {'
    local from to event guarded action
    while read -r from to event guarded action; do
      if ((guarded)); then
        echo "            (State::$from, Event::$event) => { if !self.data.can_step() { return Err(Refusal::GuardRefused); } State::$to }"
      elif ((action)); then
        echo "            (State::$from, Event::$event) => { self.act(Big::record)?; State::$to }"
      else
        echo "            (State::$from, Event::$event) => State::$to,"
      fi
    done < <(edges)
    echo '            _ => return Err(Refusal::NotAccepted),'
    echo '        };'
    echo '        self.state = next;'
    echo '        Ok(next)'
    echo '    }'
    echo
    echo '    fn act(&mut self, action: fn(&mut Big) -> Result<(), std::io::Error>) -> Result<(), Refusal> {'
    echo '        let saved = self.data.clone();'
    echo '        action(&mut self.data).map_err(|error| { self.data = saved; Refusal::ActionFailed(error) })'
    echo '    }'
    echo '}'
    echo
    echo '/// Drives the first ten moves through the enum machine.'
    echo 'pub fn walk(big: Big) -> Result<Big, Refusal> {'
    echo '    let mut machine = Machine::new(big);'
    echo "    for event in [$(join ', ' $(for e in $WALK_EVENTS; do echo "Event::$e"; done))] {"
    echo '        machine.fire(event)?;'
    echo '    }'
    echo '    Ok(machine.data)'
    echo '}'
  } >"$dir/src/lib.rs"
}

# FLOOR=1: the same machine as a hand-written typestate on top of the
# hand-written enum machine, with no dependency: one unit struct per state and
# event (deriving Clone, Copy, Debug), a `Transition` trait with the same
# `on_unimplemented` message, one impl per edge (guarded and acting edges give
# a `Result`), and `walk` through typed handles. The least code that offers
# what the derive offers (the compile-time check and a run-time enum machine),
# so typed / handtyped is the derive's own share of the build time.
gen_handtyped() {
  local dir="$WORK/handtyped"
  mkdir -p "$dir/src"
  manifest ct_handtyped "" >"$dir/Cargo.toml"
  {
    # The enum machine, without its enum-driven walk.
    sed '/^\/\/\/ Drives the first ten moves/,$d' "$WORK/handwritten/src/lib.rs"
    echo '/// The states and events as types.'
    echo 'pub mod big {'
    local name
    for name in $(state_list) $(event_list); do
      echo '    #[derive(Clone, Copy, Debug)]'
      echo "    pub struct $name;"
    done
    echo '}'
    echo
    echo '/// The machine in state `S`, known to the compiler.'
    echo 'pub struct Typed<S> { data: Big, state: std::marker::PhantomData<S> }'
    echo
    echo 'impl<S> Typed<S> {'
    echo '    pub fn new(data: Big) -> Self { Typed { data, state: std::marker::PhantomData } }'
    echo '    pub fn fire<E: Transition<S>>(self, event: E) -> E::Output { event.apply(self) }'
    echo '    pub fn into_inner(self) -> Big { self.data }'
    echo '    fn advance<T>(self) -> Typed<T> { Typed { data: self.data, state: std::marker::PhantomData } }'
    echo '}'
    echo
    echo '#[diagnostic::on_unimplemented('
    echo '    message = "`Big` in state `{S}` has no transition on `{Self}`",'
    echo '    label = "`{S}` does not accept `{Self}`"'
    echo ')]'
    echo 'pub trait Transition<S> {'
    echo '    type Output;'
    echo '    fn apply(self, from: Typed<S>) -> Self::Output;'
    echo '}'
    local from to event guarded action
    while read -r from to event guarded action; do
      echo "impl Transition<big::$from> for big::$event {"
      if ((guarded || action)); then
        echo "    type Output = Result<Typed<big::$to>, (Typed<big::$from>, Refusal)>;"
        if ((guarded)); then
          echo "    fn apply(self, from: Typed<big::$from>) -> Self::Output {"
          echo '        if !from.data.can_step() { return Err((from, Refusal::GuardRefused)); }'
        else
          echo "    fn apply(self, mut from: Typed<big::$from>) -> Self::Output {"
          echo '        let saved = from.data.clone();'
          echo '        if let Err(error) = from.data.record() { from.data = saved; return Err((from, Refusal::ActionFailed(error))); }'
        fi
        echo '        Ok(from.advance())'
        echo '    }'
      else
        echo "    type Output = Typed<big::$to>;"
        echo "    fn apply(self, from: Typed<big::$from>) -> Self::Output { from.advance() }"
      fi
      echo '}'
    done < <(edges)
    echo
    walk_fn 'Typed::<big::S0>' '|(_, refusal)| refusal'
  } >"$dir/src/lib.rs"
  # The same code in a crate that depends on typestep (and uses nothing from
  # it): what a derive that wrote exactly this code would cost at best.
  local dep="$WORK/handtyped_dep"
  mkdir -p "$dep/src"
  manifest ct_handtyped_dep "typestep = { path = \"$ROOT\" }" >"$dep/Cargo.toml"
  cp "$ROOT/Cargo.lock" "$dep/Cargo.lock"
  { head -n 1 "$dir/src/lib.rs"; echo 'use typestep as _;'; tail -n +2 "$dir/src/lib.rs"; } >"$dep/src/lib.rs"
}

# ---------------------------------------------------------------------------
# EXPLAIN=1: variants of the typed crate that remove one part at a time.

# A crate under $WORK/explain/<name> depending on typestep, with lib.rs from stdin.
explain_crate() { # name [extra Cargo.toml lines]
  local dir="$WORK/explain/$1"
  mkdir -p "$dir/src"
  { manifest "ct_$1" "typestep = { path = \"$ROOT\" }"; printf '%s\n' "${2:-}"; } >"$dir/Cargo.toml"
  cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
  cat >"$dir/src/lib.rs"
}

gen_explain() {
  rm -rf "$WORK/explain"
  local typed="$WORK/typed/src/lib.rs"
  # The derive's output, printed by rustc (RUSTC_BOOTSTRAP=1 lets stable rustc
  # print it, as cargo-expand does; only this printing uses it).
  local expanded="$WORK/explain.expanded.rs"
  (cd "$WORK/typed" && RUSTC_BOOTSTRAP=1 cargo rustc --offline --quiet --lib -- -Zunpretty=expanded) >"$expanded"
  local rederive=(python3 "$ROOT/scripts/compile_time_rederive.py" "$expanded")
  explain_crate macro_optimized $'[profile.dev.build-override]\nopt-level = 3' <"$typed"
  "${rederive[@]}" | explain_crate expanded
  "${rederive[@]}" zst-min | explain_crate zst_min_derives
  "${rederive[@]}" zst-none | explain_crate zst_no_derives
  "${rederive[@]}" zst-none no-from | explain_crate zst_no_derives_no_from
  # The user's struct alone: the cost of depending on typestep at all.
  { echo '#![allow(unused_imports)]'; echo 'use typestep::prelude::*;'; echo '#[derive(Clone, Debug)]';
    echo "$data_impl"; } | explain_crate no_component
  # Nothing at all: cargo and rustc's fixed cost.
  mkdir -p "$WORK/explain/empty/src"
  manifest ct_empty "" >"$WORK/explain/empty/Cargo.toml"
  echo 'pub fn nothing() {}' >"$WORK/explain/empty/src/lib.rs"
}
EXPLAIN_VARIANTS="macro_optimized expanded zst_min_derives zst_no_derives zst_no_derives_no_from no_component empty"

# ---------------------------------------------------------------------------
# Timing.

# Times one cargo command in a crate directory; prints "wall cpu" in seconds,
# cpu being user + system time of cargo and the rustc it runs. On a shared
# machine cpu is the steadier figure: wall time also counts waiting for a core.
time_cargo() { # dir, cargo args...
  local dir="$1"; shift
  local TIMEFORMAT='%R %U %S' t
  t=$( { time (cd "$dir" && cargo "$@" --offline --quiet 2>/dev/null); } 2>&1 )
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure <label> <prepare command> <cargo args...>: RUNS runs per crate in
# $CRATES (directories under $WORK), alternating so that noise hits all alike.
declare -A WALL CPU
measure() {
  local label="$1" prepare="$2"; shift 2
  local run crate t
  local -A walls=() cpus=()
  for ((run = 1; run <= RUNS; run++)); do
    for crate in $CRATES; do
      eval "$prepare"
      t=$(time_cargo "$WORK/$crate" "$@")
      walls[$crate]+="${t% *} "
      cpus[$crate]+="${t#* } "
    done
  done
  for crate in $CRATES; do
    WALL[$label.$crate]=$(tr ' ' '\n' <<<"${walls[$crate]}" | grep . | median)
    CPU[$label.$crate]=$(tr ' ' '\n' <<<"${cpus[$crate]}" | grep . | median)
    printf '  %-12s %-32s wall: %s\n  %-12s %-32s cpu:  %s\n' "$label" "$crate" "${walls[$crate]}" "" "" "${cpus[$crate]}"
  done
}

ratio() { awk -v t="$1" -v h="$2" 'BEGIN { printf "%.2fx", t / h }'; }

# ---------------------------------------------------------------------------

echo "== generating crates in $WORK"
rm -rf "$WORK/typed/src" "$WORK/handwritten/src"
gen_typed
gen_handwritten
echo "  typed:       $(wc -l <"$WORK/typed/src/lib.rs") lines"
echo "  handwritten: $(wc -l <"$WORK/handwritten/src/lib.rs") lines"
CRATES="typed handwritten"
if [[ "${FLOOR:-0}" == 1 ]]; then
  gen_handtyped
  echo "  handtyped:   $(wc -l <"$WORK/handtyped/src/lib.rs") lines"
  CRATES+=" handtyped handtyped_dep"
fi
if [[ "${PICTURE:-0}" == 1 ]]; then
  # The same typed crate with the derive drawing its rustdoc picture.
  mkdir -p "$WORK/typed_picture/src"
  manifest ct_typed_picture "typestep = { path = \"$ROOT\", features = [\"doc-diagram\"] }" \
    >"$WORK/typed_picture/Cargo.toml"
  cp "$ROOT/Cargo.lock" "$WORK/typed_picture/Cargo.lock"
  cp "$WORK/typed/src/lib.rs" "$WORK/typed_picture/src/lib.rs"
  CRATES="typed typed_picture"
fi
if [[ "${EXPLAIN:-0}" == 1 ]]; then
  (cd "$WORK/typed" && cargo build --offline --quiet)
  gen_explain
  for v in $EXPLAIN_VARIANTS; do CRATES+=" explain/$v"; done
fi

echo "== first builds (dependencies included, not timed)"
for crate in $CRATES; do
  (cd "$WORK/$crate" && cargo build --offline --quiet && cargo check --offline --quiet)
done

echo "== measuring ($RUNS runs each, alternating)"
measure "warm build" 'touch "$WORK/$crate/src/lib.rs"' build
# (With PICTURE=1 the build alone: a check runs the proc macro just the same.)
[[ "${PICTURE:-0}" == 1 ]] || measure "warm check" 'touch "$WORK/$crate/src/lib.rs"' check
if [[ "${EXPLAIN:-0}" != 1 && "${PICTURE:-0}" != 1 ]]; then
  measure "fresh build" '(cd "$WORK/$crate" && cargo clean --offline --quiet -p "ct_${crate##*/}")' build
fi

if [[ "${PICTURE:-0}" == 1 ]]; then
  echo
  echo "== medians in seconds, $(rustc --version): the rustdoc picture's cost"
  printf '%-12s %-6s %8s %14s %8s\n' "" "" typed "with picture" ratio
  for label in "warm build"; do
    for kind in wall cpu; do
      if [[ $kind == wall ]]; then a=${WALL[$label.typed]} b=${WALL[$label.typed_picture]}
      else a=${CPU[$label.typed]} b=${CPU[$label.typed_picture]}; fi
      printf '%-12s %-6s %8s %14s %8s\n' "$label" $kind "$a" "$b" "$(ratio "$b" "$a")"
    done
  done
  echo "(keep the picture on by default if warm build costs under 5% more)"
  exit 0
fi

echo
echo "== medians in seconds, $(rustc --version)"
printf '%-12s %-6s %8s %12s %8s\n' "" "" typed handwritten ratio
for label in "warm build" "warm check" "fresh build"; do
  [[ -n "${WALL[$label.typed]:-}" ]] || continue
  printf '%-12s %-6s %8s %12s %8s\n' "$label" wall "${WALL[$label.typed]}" "${WALL[$label.handwritten]}" \
    "$(ratio "${WALL[$label.typed]}" "${WALL[$label.handwritten]}")"
  printf '%-12s %-6s %8s %12s %8s\n' "" cpu "${CPU[$label.typed]}" "${CPU[$label.handwritten]}" \
    "$(ratio "${CPU[$label.typed]}" "${CPU[$label.handwritten]}")"
done
echo "(target: warm build within 1.5x)"

if [[ "${FLOOR:-0}" == 1 ]]; then
  echo
  echo "== the floor: the same machine as a hand-written typestate (no dependency)"
  printf '%-12s %-6s %8s %10s %14s %20s\n' "" "" typed handtyped "typed/handtyped" "handtyped/handwritten"
  for label in "warm build" "warm check"; do
    for kind in wall cpu; do
      if [[ $kind == wall ]]; then a=${WALL[$label.typed]} b=${WALL[$label.handtyped]} c=${WALL[$label.handwritten]}
      else a=${CPU[$label.typed]} b=${CPU[$label.handtyped]} c=${CPU[$label.handwritten]}; fi
      printf '%-12s %-6s %8s %10s %14s %20s\n' "$label" $kind "$a" "$b" "$(ratio "$a" "$b")" "$(ratio "$b" "$c")"
    done
  done
  printf '%s: the same hand-written typestate in a crate that depends on typestep\n' handtyped_dep
  printf '%-12s %-6s %8s %14s %20s\n' "" "" handtyped_dep "typed/this" "this/handwritten"
  for label in "warm build" "warm check"; do
    a=${CPU[$label.typed]} b=${CPU[$label.handtyped_dep]} c=${CPU[$label.handwritten]}
    printf '%-12s %-6s %8s %14s %20s\n' "$label" cpu "$b" "$(ratio "$a" "$b")" "$(ratio "$b" "$c")"
  done
fi

if [[ "${EXPLAIN:-0}" == 1 ]]; then
  echo
  echo "== by elimination: warm build medians, each variant removes one more part"
  printf '%-34s %8s %8s\n' variant wall cpu
  for crate in $CRATES; do
    printf '%-34s %8s %8s\n' "$crate" "${WALL[warm build.$crate]}" "${CPU[warm build.$crate]}"
  done
fi
