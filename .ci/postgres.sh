#!/usr/bin/env bash
# The typestep-store suite against a real PostgreSQL server: installs
# Debian's `postgresql` if missing, starts a throwaway cluster on 127.0.0.1
# (a free port, data under target/), runs the store's tests with
# TYPESTEP_PG_URL set, checks that the PostgreSQL tests really ran, and stops
# the cluster. Run as root (CI) or as a user who can `runuser -u postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# The cluster lives under target/ when the postgres user can reach it,
# otherwise in a temporary directory.
ROOT="$(pwd)/target/pg-ci"
rm -rf "$ROOT"
mkdir -p "$ROOT"
chown postgres "$ROOT"
if ! runuser -u postgres -- test -w "$ROOT"; then
  ROOT=$(mktemp -d /tmp/typestep-pg.XXXXXX)
  chown postgres "$ROOT"
fi

PORT=""
for p in $(seq 55432 55532); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port"; exit 1; }

pg() { runuser -u postgres -- "$@"; }
stop() { pg "$BIN/pg_ctl" -D "$ROOT/data" -m fast stop >/dev/null 2>&1 || true; }
trap stop EXIT

pg "$BIN/initdb" -D "$ROOT/data" -A trust -U postgres >/dev/null
pg "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/log" -w \
  -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=on" start
pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" typestep

export TYPESTEP_PG_URL="postgresql://postgres@127.0.0.1:$PORT/typestep"
OUT="$ROOT/test-output.txt"
cargo test -p typestep-store --features postgres -- --nocapture 2>&1 | tee "$OUT"

# Without the URL these tests say they were skipped; here they must have run.
fail=0
for marker in "postgres suite: ran 7 tests, all passed" \
              "postgres crash test: ok:" \
              "postgres two-process test: ok:"; do
  if ! grep -qF "$marker" "$OUT"; then
    echo "missing in the test output: $marker"
    fail=1
  fi
done
if grep -q "skipped: TYPESTEP_PG_URL not set" "$OUT"; then
  echo "a PostgreSQL test was skipped"
  fail=1
fi
exit $fail
