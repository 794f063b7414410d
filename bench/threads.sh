#!/usr/bin/env bash
# One thread against two on the same real-shaped case, in one run:
#
#   bench/threads.sh [BYTES] [RUNS]    (default 1 GB, 5 runs; medians)
#
# Uses the case bench/run.sh generates (bench/gen_bench: an HR export and
# Okta, Entra, NXLog and Winlogbeat JSON lines; BENCH_DIR, default
# /tmp/unmask-bench/full). Each run times, interleaved so load changes hit
# both alike:
#   unmask scan --threads 1   pinned to one core  (taskset -c 0)
#   unmask scan --threads 2   pinned to two cores (taskset -c 0,1)
# and prints the median wall time of each, their ratio (the figure issue 10
# asks >= 1.7x for), CPU seconds (user + sys) and MB per CPU second, the
# machine load at the start and end, and, when perf can record, how the
# two-thread run's CPU samples split between the scan's thread and the
# worker. Wall times mean something only on a quiet machine; on a loaded
# one, compare the CPU figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-1000000000}
RUNS=${2:-5}
DIR=${BENCH_DIR:-/tmp/unmask-bench/full}
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
size=$(cat "$DIR"/logs/*.jsonl | wc -c)
TF=$(mktemp /tmp/unmask-threads.XXXXXX)
OUT=$(mktemp -d /tmp/unmask-threads-out.XXXXXX)
trap 'rm -rf "$TF" "$OUT" "$TF.perf"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
scan() { # cpus threads -> "wall cpu"
    /usr/bin/time -f "%e %U %S" -o "$TF" taskset -c "$1" "$UNMASK" scan -q --fail-on never --threads "$2" \
        -o "$OUT" "$DIR/hr" "$DIR/logs" >/dev/null || true
    tail -1 "$TF" | awk '{printf "%s %.2f\n", $1, $2 + $3}'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
w1=(); w2=(); c1=(); c2=()
for ((i = 0; i < RUNS; i++)); do
    read -r w c < <(scan 0 1); w1+=("$w"); c1+=("$c")
    read -r w c < <(scan 0,1 2); w2+=("$w"); c2+=("$c")
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
m1=$(printf '%s\n' "${w1[@]}" | median); m2=$(printf '%s\n' "${w2[@]}" | median)
mc1=$(printf '%s\n' "${c1[@]}" | median); mc2=$(printf '%s\n' "${c2[@]}" | median)

echo "input: $(awk -v b="$size" 'BEGIN{printf "%.0f", b/1e6}') MB of logs + HR export ($DIR); $RUNS runs each, interleaved"
echo "machine load (1/5/15 min) at start: $load0; at end: $load1; $(nproc) cores"
echo
echo "| threads | cores | median wall s | MB/s (wall) | median CPU s | MB per CPU s | wall runs (s) |"
echo "|---|---|---|---|---|---|---|"
row() { awk -v t="$1" -v c="$2" -v m="$3" -v cpu="$4" -v b="$size" -v r="$5" \
    'BEGIN{printf "| %s | %s | %.2f | %.0f | %.2f | %.0f | %s |\n", t, c, m, b/1e6/m, cpu, b/1e6/cpu, r}'; }
row 1 1 "$m1" "$mc1" "${w1[*]}"
row 2 2 "$m2" "$mc2" "${w2[*]}"
echo
awk -v a="$m1" -v b="$m2" -v x="$mc1" -v y="$mc2" 'BEGIN{
    printf "two threads / one thread (median wall): %.2fx\n", a/b
    printf "CPU of two threads / one thread: %.2f\n", y/x }'

# Where the two-thread run's CPU goes, by thread (perf samples).
if command -v perf >/dev/null &&
    perf record -q -F 999 -o "$TF.perf" taskset -c 0,1 "$UNMASK" scan -q --fail-on never --threads 2 \
        -o "$OUT" "$DIR/hr" "$DIR/logs" >/dev/null 2>&1; then
    perf script -i "$TF.perf" -F pid,tid 2>/dev/null | tr '/' ' ' | awk 'NF < 2 {next} {n++; if ($1 == $2) m++}
        END {if (n) printf "two-thread run, CPU samples: scan thread %.0f%%, worker %.0f%% (%d samples; the scan thread also reads parts while it waits)\n", 100*m/n, 100*(n-m)/n, n}'
fi
