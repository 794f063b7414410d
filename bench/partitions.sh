#!/usr/bin/env bash
# What analysis partitioned by person costs in one process (src/core/pmerge.c):
#
#   bench/partitions.sh [BYTES] [RUNS] [K]   (default 200 MB, 5 runs, K = 8; medians)
#
# The case is bench/gen_bench's (an HR export and Okta, Entra, NXLog and
# Winlogbeat JSON lines; BENCH_DIR, default /tmp/unmask-bench/part) plus the
# demo case. Each run times, interleaved so load changes hit both alike, on
# one thread pinned to one core (taskset -c 0):
#   unmask scan --threads 1                        (no partitions)
#   UNMASK_PARTITIONS=K unmask scan --threads 1    (K instances, merged)
# and prints the median wall and CPU seconds (user + sys) and peak memory
# of each, the CPU ratio, the machine load at the start and end, and checks that both runs
# wrote the same findings.jsonl and case.db. The partitions run on the
# scan's own thread, so this measures the routing and the merge, not a
# speed-up (none is expected before they run on workers).
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-200000000}
RUNS=${2:-5}
K=${3:-8}
DIR=${BENCH_DIR:-/tmp/unmask-bench/part}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_bench >/dev/null
UNMASK=build/release/unmask
GEN=build/release/bench/gen_bench
for t in taskset /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/install-deps.sh --test)"; exit 2; }
done
if ! [[ -s "$DIR/logs/okta.jsonl" && $(cat "$DIR/.bytes" 2>/dev/null) == "$BYTES" ]]; then
    rm -rf "$DIR"; mkdir -p "$DIR"; "$GEN" --bytes "$BYTES" --out "$DIR"; echo "$BYTES" >"$DIR/.bytes"
fi
TF=$(mktemp /tmp/unmask-part.XXXXXX)
OUT=$(mktemp -d /tmp/unmask-part-out.XXXXXX)
trap 'rm -rf "$TF" "$OUT"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
scan() { # partitions out -> "wall cpu"
    UNMASK_PARTITIONS=$1 /usr/bin/time -f "%e %U %S %M" -o "$TF" taskset -c 0 "$UNMASK" scan -q --fail-on never \
        --threads 1 -n 0 -o "$2" "$DIR/hr" "$DIR/logs" examples/demo >/dev/null 2>&1
    awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4 / 1024}' "$TF"
}
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$TF.1"; : >"$TF.k"
for r in $(seq "$RUNS"); do
    scan 1 "$OUT/one" >>"$TF.1"
    scan "$K" "$OUT/k" >>"$TF.k"
    cmp -s "$OUT/one/findings.jsonl" "$OUT/k/findings.jsonl" || { echo "bench: findings differ"; exit 1; }
    cmp -s <(sqlite3 "$OUT/one/case.db" .dump) <(sqlite3 "$OUT/k/case.db" .dump) || { echo "bench: case.db differs"; exit 1; }
    echo "run $r: none $(tail -1 "$TF.1")  K=$K $(tail -1 "$TF.k")   (wall s, CPU s, max RSS MiB)"
done
w1=$(cut -d' ' -f1 "$TF.1" | median); c1=$(cut -d' ' -f2 "$TF.1" | median)
wk=$(cut -d' ' -f1 "$TF.k" | median); ck=$(cut -d' ' -f2 "$TF.k" | median)
m1=$(cut -d' ' -f3 "$TF.1" | median); mk=$(cut -d' ' -f3 "$TF.k" | median)
echo "median: none wall $w1 s CPU $c1 s RSS $m1 MiB; K=$K wall $wk s CPU $ck s RSS $mk MiB; CPU ratio $(awk -v a="$ck" -v b="$c1" 'BEGIN{printf "%.3f", a/b}')"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$TF.1" "$TF.k"
