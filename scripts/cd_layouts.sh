#!/usr/bin/env bash
# The isolated CD-player bench (benches/cd_isolated.rs) in three layouts of
# the same code: as committed, and with the layout pad of `--cfg cd_pad="1"`
# or `"2"` (an unrelated function before the history rows, which moves the
# loops after it). The predictable rows swing with where a loop lands, so a
# claim on them holds only if it holds in each layout.
#
# Builds the three binaries (only the bench crate is rebuilt for each), runs
# them RUNS times in turn (committed, pad 1, pad 2, committed, ...), and
# prints, per layout, table and row, the median and the range over the runs
# of "first row / this row" (each already a median of per-round ratios).
#
#   bash scripts/cd_layouts.sh [RUNS]     # RUNS defaults to 2
#
# CD_EVENTS and CD_ROUNDS are passed on to the bench. The raw output of every
# run is kept in the directory printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2}
out=$(mktemp -d)

# Builds the bench with the given extra rustc arguments; copies it to $1.
build() {
    local dest=$1
    shift
    local exe
    exe=$(cargo rustc --profile bench --bench cd_isolated --message-format=json -- "$@" |
        python3 -c '
import json, sys
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") == "compiler-artifact" and message.get("executable"):
        print(message["executable"])
' | tail -n 1)
    cp "$exe" "$dest"
}

echo "building three layouts into $out" >&2
build "$out/committed"
build "$out/pad1" --cfg 'cd_pad="1"'
build "$out/pad2" --cfg 'cd_pad="2"'

for run in $(seq "$runs"); do
    for layout in committed pad1 pad2; do
        echo "run $run, $layout" >&2
        "$out/$layout" --bench >"$out/$layout.$run.txt"
    done
done

python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
from collections import defaultdict

out, runs = sys.argv[1], int(sys.argv[2])
ratios = defaultdict(list)
order = []
for layout in ("committed", "pad1", "pad2"):
    for run in range(1, runs + 1):
        table = None
        for line in open(f"{out}/{layout}.{run}.txt"):
            header = re.match(r"cd_isolated/(\w+), ([^:]+):", line)
            if header:
                table = f"{header.group(1)}, {header.group(2)}"
                continue
            row = re.match(r"\s+(.+?)\s+[\d.]+ ns/event\s+.* / this = ([\d.]+)", line)
            if row and table:
                key = (table, row.group(1), layout)
                if key not in ratios:
                    order.append(key)
                ratios[key].append(float(row.group(2)))

print(f"first row / this row: median (range) over {runs} runs of each layout")
last = None
for key in sorted(order, key=lambda k: (order.index((k[0], k[1], "committed")), k[2])):
    table, name, layout = key
    if table != last:
        print(f"\n{table}")
        last = table
    values = ratios[key]
    print(f"  {name:<34} {layout:<10} {statistics.median(values):.3f}"
          f"  ({min(values):.3f}-{max(values):.3f})")
print(f"\nraw output: {out}")
PY
