#!/usr/bin/env bash
# `unmask rules match` throughput with 1,000 process_creation rules, beside jq
# doing one of the same selections on the same bytes, pinned to one core.
#
#   bench/rules_bench.sh [BYTES] [RUNS]     (default 1 GB of Sysmon JSON lines, 3 runs)
#   SIGMA_DIR=/path/to/SigmaHQ/sigma bench/rules_bench.sh   also runs SigmaHQ's own
#       rules/windows/process_creation (1,183 rules at 8eaafff) on the same input
#
# Events: bench/gen_bench's NXLog-flat Windows events (Sysmon 1/3/11/13/22,
# Security 4624/6416; all fields, the rendered Message, real sizes). Rules: bench/gen_sigma_rules (SigmaHQ shapes, see that file); rule 1
# is the jq selection: powershell.exe with '-enc' in the command line.
# Reported: medians of CPU seconds (user+sys; the machine is shared, so CPU
# time is steadier than wall time) and wall seconds; MB/s from CPU time; the
# compile time of the rules alone (`rules list`) so it can be told apart.
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-1000000000}
RUNS=${2:-3}
DIR=${BENCH_DIR:-/tmp/unmask-rules-bench}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_bench gen_sigma_rules >/dev/null
U=build/release/unmask
for t in jq taskset /usr/bin/time; do command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/install-deps.sh --test)"; exit 2; }; done
mkdir -p "$DIR"
if [[ ! -s "$DIR/logs/nxlog.jsonl" || $(cat "$DIR/.bytes" 2>/dev/null) != "$BYTES" ]]; then
  # gen_bench writes about 55% of BYTES as NXLog-flat Windows events; ask for enough
  build/release/bench/gen_bench --bytes $((BYTES * 18 / 10)) --out "$DIR" >/dev/null
  echo "$BYTES" >"$DIR/.bytes"
fi
build/release/bench/gen_sigma_rules 1000 "$DIR/rules1000.yml"
IN="$DIR/logs/nxlog.jsonl" # Sysmon 1/3/11/13/22, Security 4624/6416 (NXLog flat)
size=$(wc -c <"$IN"); mb=$(awk -v b="$size" 'BEGIN{printf "%.1f", b/1e6}')
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # cmd... -> "cpu wall"
  /usr/bin/time -f "%U %S %e" -o "$DIR/t" taskset -c 0 "$@" >/dev/null 2>&1 || true
  tail -n1 "$DIR/t" | awk '{printf "%.2f %.2f\n", $1+$2, $3}'
}
JQ='select(.EventID == 1 and (.Image | ascii_downcase | endswith("\\powershell.exe")) and (.CommandLine | ascii_downcase | contains("-enc")))'
row() { # name cpu-list wall-list
  local c w; c=$(printf '%s\n' $2 | median); w=$(printf '%s\n' $3 | median)
  awk -v n="$1" -v c="$c" -v w="$w" -v b="$size" -v r="$2" 'BEGIN{printf "| %s | %.2f | %.2f | %.0f | %s |\n", n, c, w, b/1e6/c, r}'
  echo "$c" >"$DIR/last"
}
bench() { # name cmd...
  local name=$1; shift; local cs="" ws=""
  for ((i = 0; i < RUNS; i++)); do read -r c w < <(timeit "$@"); cs+="$c "; ws+="$w "; done
  row "$name" "$cs" "$ws"
}
echo "input: $mb MB Sysmon EID 1 JSON lines; $RUNS runs; one core (taskset -c 0); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | CPU s (median) | wall s | MB/s (CPU) | CPU s per run |"
echo "|---|---|---|---|---|"
bench "unmask rules match, 1,000 generated rules" "$U" rules match -r "$DIR/rules1000.yml" "$IN"; um=$(cat "$DIR/last")
bench "jq, rule 1's selection" jq -c "$JQ" "$IN"; jm=$(cat "$DIR/last")
bench "compile only (rules list, 1,000 generated)" "$U" rules list -r "$DIR/rules1000.yml"
if [[ -n "${SIGMA_DIR:-}" && -d "$SIGMA_DIR/rules/windows/process_creation" ]]; then
  bench "unmask rules match, SigmaHQ process_creation ($(ls "$SIGMA_DIR/rules/windows/process_creation" | wc -l) rules)" \
    "$U" rules match --allow-refused -r "$SIGMA_DIR/rules/windows/process_creation" "$IN"
  bench "compile only (rules list, SigmaHQ process_creation)" "$U" rules list -r "$SIGMA_DIR/rules/windows/process_creation"
fi
awk -v a="$jm" -v b="$um" 'BEGIN{printf "CPU-time ratio jq / unmask (1,000 rules vs one selection): %.1fx\n", a/b}'
