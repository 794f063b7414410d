#!/usr/bin/env bash
# Throughput and memory benchmark: unmask scan vs jq on the same bytes.
#
#   bench/run.sh [BYTES] [RUNS]      (default 1 GB, 3 runs; medians reported)
#
# Generates a mix of Okta System Log and Sysmon JSON lines (bench/gen_bench),
# then, pinned to one core, times `unmask scan` (all readers and analyzers)
# and jq doing one of the same selections (proxy sign-ins with account and
# address). Peak RSS is measured at 1/4 and full size to show memory is flat.
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-1000000000}
RUNS=${2:-3}
DIR=${BENCH_DIR:-/tmp/unmask-bench}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_bench >/dev/null
UNMASK=build/release/unmask
GEN=build/release/bench/gen_bench
for t in jq taskset /usr/bin/time; do command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/install-deps.sh --test)"; exit 2; }; done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
gen() { mkdir -p "$1"; [[ -s "$1/okta.jsonl" && $(cat "$1/.bytes" 2>/dev/null) == "$2" ]] || { "$GEN" --bytes "$2" --out "$1"; echo "$2" >"$1/.bytes"; }; }

gen "$DIR/full" "$BYTES"
gen "$DIR/quarter" $((BYTES / 4))
size=$(cat "$DIR/full/okta.jsonl" "$DIR/full/sysmon.jsonl" | wc -c)
mb=$(awk -v b="$size" 'BEGIN{printf "%.1f", b/1e6}')

run_unmask() { # dir -> "seconds rss_kb"
  /usr/bin/time -f "%e %M" -o /tmp/unmask-bench.time taskset -c 0 "$UNMASK" scan -q --fail-on never \
    -o "$DIR/out" "$1/okta.jsonl" "$1/sysmon.jsonl" || true
  cat /tmp/unmask-bench.time
}
run_jq() {
  /usr/bin/time -f "%e %M" -o /tmp/unmask-bench.time taskset -c 0 jq -c \
    'select(.eventType == "user.session.start" and .securityContext.isProxy == true) | [.actor.alternateId, .client.ipAddress]' \
    "$1/okta.jsonl" "$1/sysmon.jsonl" >/dev/null
  cat /tmp/unmask-bench.time
}

ut=(); jt=(); ur=()
for ((i = 0; i < RUNS; i++)); do
  read -r t r < <(run_unmask "$DIR/full"); ut+=("$t"); ur+=("$r")
  read -r t r < <(run_jq "$DIR/full"); jt+=("$t")
done
read -r _ rq < <(run_unmask "$DIR/quarter")
um=$(printf '%s\n' "${ut[@]}" | median); jm=$(printf '%s\n' "${jt[@]}" | median)
rm_full=$(printf '%s\n' "${ur[@]}" | median)
echo "input: $mb MB (Okta + Sysmon JSON lines), $RUNS runs, one core (taskset -c 0)"
echo "| tool | median s | MB/s | runs (s) |"
echo "|---|---|---|---|"
awk -v m="$um" -v b="$size" -v r="${ut[*]}" 'BEGIN{printf "| unmask scan | %.2f | %.0f | %s |\n", m, b/1e6/m, r}'
awk -v m="$jm" -v b="$size" -v r="${jt[*]}" 'BEGIN{printf "| jq selection | %.2f | %.0f | %s |\n", m, b/1e6/m, r}'
awk -v a="$jm" -v b="$um" 'BEGIN{printf "speed ratio unmask/jq: %.1fx\n", a/b}'
echo "peak RSS: quarter input $((rq / 1024)) MiB, full input $((rm_full / 1024)) MiB"
