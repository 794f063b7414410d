#!/usr/bin/env bash
# Throughput and memory benchmark on real-shaped data: unmask scan on one
# core and on two, beside jq doing one of the same selections and rg
# counting one string (the raw-read reference), all in the same run.
#
#   bench/run.sh [BYTES] [RUNS]      (default 1 GB, 3 runs; medians reported)
#
# bench/gen_bench writes an HR export and a mix of Okta, Entra, NXLog-flat and
# Winlogbeat Windows events shaped like the samples in the log corpus (see its
# header). Each run times, interleaved so load changes hit all alike:
#   unmask scan, one core   taskset -c 0   --threads 1
#   unmask scan, two cores  taskset -c 0,1 --threads 2
#   jq selection, one core  (successful proxy sign-ins: account and address)
#   rg -c, one core         (lines naming AnyDesk.exe)
# The compiled rule pack is cached (src/sigma/hscache.h): the scans use a
# cache folder of the run's own, warmed by the first cold run; each run
# also times one scan with an empty cache (it compiles the pack and writes
# the file: what the first scan after installing or changing rules pays).
# Peak RSS (/usr/bin/time %M) of the one-core scan at BYTES/4 and BYTES shows
# whether memory stays flat as the input grows. The machine load (loadavg) at
# the start and end is printed with the table.
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-1000000000}
RUNS=${2:-3}
DIR=${BENCH_DIR:-/tmp/unmask-bench}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_bench >/dev/null
UNMASK=build/release/unmask
GEN=build/release/bench/gen_bench
for t in jq rg taskset /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/install-deps.sh --test)"; exit 2; }
done
THREADS=()
if "$UNMASK" scan --help | grep -q -- '--threads'; then THREADS=(--threads); fi
# the scan as a user runs it: journals kept (the default; issue 10/12 point 7);
# BENCH_NO_JOURNAL=1 times it with --no-journal (bench/incremental.sh has both)
NOJ=()
if [[ -n "${BENCH_NO_JOURNAL:-}" ]]; then NOJ=(--no-journal); fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
gen() { # dir bytes
    [[ -s "$1/logs/okta.jsonl" && $(cat "$1/.bytes" 2>/dev/null) == "$2" ]] && return
    rm -rf "$1"; mkdir -p "$1"; "$GEN" --bytes "$2" --out "$1"; echo "$2" >"$1/.bytes"
}
gen "$DIR/full" "$BYTES"
gen "$DIR/quarter" $((BYTES / 4))
logs() { ls "$1"/logs/*.jsonl; }
size=$(cat $(logs "$DIR/full") | wc -c)
qsize=$(cat $(logs "$DIR/quarter") | wc -c)
TF=$(mktemp /tmp/unmask-bench.XXXXXX)
OUT=$(mktemp -d /tmp/unmask-bench-out.XXXXXX)
CACHES=$(mktemp -d /tmp/unmask-bench-cache.XXXXXX)
trap 'rm -rf "$TF" "$OUT" "$CACHES"' EXIT
export XDG_CACHE_HOME=$CACHES/warm
unset UNMASK_RULE_CACHE

timed() { # cmd... -> "wall_seconds rss_kb cpu_seconds"
    /usr/bin/time -f "%e %M %U %S" -o "$TF" "$@" >/dev/null || true
    tail -1 "$TF" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
}
scan() { # cpus threads dir
    local th=()
    [[ ${#THREADS[@]} -gt 0 ]] && th=(--threads "$2")
    rm -rf "$OUT/case" # every run a first scan into a new folder (no verdicts carried over)
    timed taskset -c "$1" "$UNMASK" scan -q --fail-on never "${NOJ[@]}" "${th[@]}" -o "$OUT/case" "$3/hr" "$3/logs"
}
jqsel() {
    timed taskset -c 0 jq -c 'select(.eventType == "user.session.start" and .securityContext.isProxy == true)
        | [.actor.alternateId, .client.ipAddress]' $(logs "$1")
}
rgc() { timed taskset -c 0 rg -c --no-filename 'AnyDesk.exe' $(logs "$1"); }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
u1=(); u2=(); jt=(); rt=(); r1=(); c1=(); cj=(); cr=(); k1=(); ck=()
for ((i = 0; i < RUNS; i++)); do
    rm -rf "$CACHES/cold"; mkdir -p "$CACHES/cold"
    read -r t _ c < <(XDG_CACHE_HOME=$CACHES/cold scan 0 1 "$DIR/full"); k1+=("$t"); ck+=("$c")
    [[ -d "$CACHES/warm" ]] || mv "$CACHES/cold" "$CACHES/warm"
    read -r t r c < <(scan 0 1 "$DIR/full"); u1+=("$t"); r1+=("$r"); c1+=("$c")
    read -r t _ _ < <(scan 0,1 2 "$DIR/full"); u2+=("$t")
    read -r t _ c < <(jqsel "$DIR/full"); jt+=("$t"); cj+=("$c")
    read -r t _ c < <(rgc "$DIR/full"); rt+=("$t"); cr+=("$c")
done
rq=()
for ((i = 0; i < RUNS; i++)); do read -r _ r < <(scan 0 1 "$DIR/quarter"); rq+=("$r"); done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

m1=$(printf '%s\n' "${u1[@]}" | median); m2=$(printf '%s\n' "${u2[@]}" | median)
mj=$(printf '%s\n' "${jt[@]}" | median); mr=$(printf '%s\n' "${rt[@]}" | median)
mc1=$(printf '%s\n' "${c1[@]}" | median); mcj=$(printf '%s\n' "${cj[@]}" | median)
mcr=$(printf '%s\n' "${cr[@]}" | median)
mk1=$(printf '%s\n' "${k1[@]}" | median); mck=$(printf '%s\n' "${ck[@]}" | median)
rss1=$(printf '%s\n' "${r1[@]}" | median); rssq=$(printf '%s\n' "${rq[@]}" | median)
echo "input: $(awk -v b="$size" 'BEGIN{printf "%.0f", b/1e6}') MB of logs ($(ls "$DIR"/full/logs | tr '\n' ' ')) + HR export; $RUNS runs"
echo "machine load (1/5/15 min) at start: $load0; at end: $load1; $(nproc) cores"
echo
echo "| tool | cores | median wall s | MB/s (wall) | median CPU s | MB/s per CPU s | wall runs (s) |"
echo "|---|---|---|---|---|---|---|"
row() { awk -v n="$1" -v c="$2" -v m="$3" -v b="$size" -v r="$4" -v cpu="$5" 'BEGIN{
    if (cpu == "") printf "| %s | %s | %.2f | %.0f | | | %s |\n", n, c, m, b/1e6/m, r
    else printf "| %s | %s | %.2f | %.0f | %.2f | %.0f | %s |\n", n, c, m, b/1e6/m, cpu, b/1e6/cpu, r }'; }
row "unmask scan, cold rule cache" 1 "$mk1" "${k1[*]}" "$mck"
row "unmask scan" 1 "$m1" "${u1[*]}" "$mc1"
row "unmask scan" 2 "$m2" "${u2[*]}" ""
row "jq selection" 1 "$mj" "${jt[*]}" "$mcj"
row "rg -c" 1 "$mr" "${rt[*]}" "$mcr"
echo
awk -v a="$m1" -v b="$m2" -v j="$mj" -v r="$mr" -v k="$mk1" 'BEGIN{
    printf "two cores / one core: %.2fx\n", a/b
    printf "one core, cold rule cache / warm: %.2fx the time\n", k/a
    printf "unmask (1 core) / jq: %.1fx faster\n", j/a
    printf "unmask (1 core) / rg -c: %.2f of rg speed\n", r/a }'
echo "peak RSS, one core: $(awk -v b="$qsize" 'BEGIN{printf "%.0f", b/1e6}') MB input $((rssq / 1024)) MiB; $(awk -v b="$size" 'BEGIN{printf "%.0f", b/1e6}') MB input $((rss1 / 1024)) MiB"
