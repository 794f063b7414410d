#!/usr/bin/env bash
# Incremental scans: `unmask scan --out CASE --add SMALL` on a large case vs
# a full re-run over the case's inputs + SMALL, in the same run.
#
#   bench/incremental.sh [BYTES] [RUNS]     (default 200 MB of logs, 5 runs; medians)
#
# bench/gen_bench writes the large case's inputs (HR export + Okta, Entra,
# NXLog and Winlogbeat logs shaped like the real samples); a second
# gen_bench run with another seed and the same people gives SMALL, about
# 1 MB of the same log shapes. Timed, interleaved, one core (taskset -c 0,
# --threads 1):
#   full      scan --no-journal  of the case's inputs + SMALL (a re-run)
#   add       scan --add SMALL   on a case built from the inputs (journals)
#   build     scan               of the inputs (with journals: the cost of keeping them)
#   build-nj  scan --no-journal  of the inputs
# Also the journal's size against the inputs'. The outputs of `full` and
# `add` are compared (they must be equal). Prints the machine load.
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-200000000}
RUNS=${2:-5}
DIR=${BENCH_DIR:-/tmp/unmask-bench-inc}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_bench >/dev/null
UNMASK=build/release/unmask
GEN=build/release/bench/gen_bench
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [[ ! -s "$DIR/big/.bytes" || $(cat "$DIR/big/.bytes") != "$BYTES" ]]; then
    rm -rf "$DIR"; mkdir -p "$DIR"
    "$GEN" --bytes "$BYTES" --out "$DIR/big" >/dev/null; echo "$BYTES" > "$DIR/big/.bytes"
    "$GEN" --bytes 1000000 --seed 7 --out "$DIR/small" >/dev/null
fi
SMALL=$(ls "$DIR"/small/logs/*.jsonl | head -1)
INPUTS=("$DIR/big/hr" "$DIR/big/logs")
TF=$(mktemp /tmp/unmask-inc.XXXXXX)
OUT=$(mktemp -d /tmp/unmask-inc-out.XXXXXX)
trap 'rm -rf "$TF" "$OUT"' EXIT
timed() { # cmd... -> wall seconds
    /usr/bin/time -f "%e %U %S" -o "$TF" "$@" >/dev/null 2>&1 || true
    tail -1 "$TF" | awk '{print $1}'
}
U=(taskset -c 0 "$UNMASK" scan -q --fail-on never --threads 1)
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# the case to add to, built once with journals
"${U[@]}" -o "$OUT/case0" "${INPUTS[@]}" || true
jsize=$(du -sb "$OUT/case0/journal" | cut -f1)
isize=$(du -sbL "${INPUTS[@]}" | awk '{s += $1} END {print s}')
full=() add=() build=() buildnj=()
for r in $(seq "$RUNS"); do
    rm -rf "$OUT/full" "$OUT/add" "$OUT/b" "$OUT/bnj"
    full+=("$(timed "${U[@]}" --no-journal -o "$OUT/full" "${INPUTS[@]}" "$SMALL")")
    cp -al "$OUT/case0" "$OUT/add"
    add+=("$(timed "${U[@]}" -o "$OUT/add" --add "$SMALL")")
    build+=("$(timed "${U[@]}" -o "$OUT/b" "${INPUTS[@]}")")
    buildnj+=("$(timed "${U[@]}" --no-journal -o "$OUT/bnj" "${INPUTS[@]}")")
done
same=yes
for f in subjects.jsonl findings.jsonl clusters.jsonl; do cmp -s "$OUT/full/$f" "$OUT/add/$f" || same="NO ($f differs)"; done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
mf=$(printf '%s\n' "${full[@]}" | median) ma=$(printf '%s\n' "${add[@]}" | median)
mb=$(printf '%s\n' "${build[@]}" | median) mn=$(printf '%s\n' "${buildnj[@]}" | median)
echo "inputs $isize bytes + small $(stat -c %s "$SMALL") bytes; journal $jsize bytes ($(awk -v j="$jsize" -v i="$isize" 'BEGIN {printf "%.2f", j / i}') x the inputs)"
echo "full re-run (no journal)  median ${mf} s  runs ${full[*]}"
echo "--add SMALL               median ${ma} s  runs ${add[*]}"
echo "ratio full / add          $(awk -v a="$mf" -v b="$ma" 'BEGIN {printf "%.2f", a / b}')"
echo "build with journals       median ${mb} s  runs ${build[*]}"
echo "build without journals    median ${mn} s  runs ${buildnj[*]}"
echo "outputs of full and --add equal: $same"
