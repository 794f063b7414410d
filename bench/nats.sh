#!/usr/bin/env bash
# Scale-out benchmark (issue 9, point 5): the same case scanned locally and
# through NATS JetStream with one and with two `unmask worker` processes on
# this machine. bench/gen_bench's real-shaped logs (Okta, Entra, NXLog,
# Winlogbeat) are scanned as whole files (PARTS 0, the default: the scan
# cuts each big JSON-lines file into line-aligned parts of 8 MiB, one unit
# each, partition.h) or cut beforehand into PARTS files (split -n l/PARTS);
# nats-server -js (file storage) runs on a loopback port in 14200-14299
# (or $NATS_PORTS, "LOW HIGH"). Runs are interleaved; each reports wall time, the CPU time
# of the scanning process and of the workers, and checks the outputs equal
# the local scan's. Medians and ratios to the local scan are printed, with
# the bus scans' log phase (scan -v "phases") and, with person partitions
# (this build's scan -v), the seconds from the last event to the last
# partition state.
#
# BASE=PATH runs the bus modes also with another unmask binary (scan and
# workers; e.g. a build of main) in the same interleaved runs: modes 1b, 2b.
#
# PEOPLE=N adds an applicant export of N people (bench/gen_people: persona
# rings, generic phones and addresses) so the identity index matters; the
# bus runs then include two workers with the index's blocking on the scan's
# side (--nats-link-shards 0) beside the default (8 shards on the workers).
#
# PARTITIONS=K adds runs with the per-person analyzers on the workers in K
# person partitions (--nats-partitions K), one and two workers: modes 1p, 2p
# (with BASE too: 1pb, 2pb, the same with the other binary). A worker runs
# as many partition threads as unit threads (one each here), beside them.
#
#   [PEOPLE=N] [BASE=PATH] [PARTITIONS=K] bench/nats.sh [BYTES] [RUNS] [PARTS]   (default 200000000 3 0)
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-200000000}
RUNS=${2:-3}
PARTS=${3:-0}
PEOPLE=${PEOPLE:-0}
BASE=${BASE:-}
PARTITIONS=${PARTITIONS:-0}
DIR=${BENCH_DIR:-/tmp/unmask-nats-bench}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_bench gen_people >/dev/null
U=$PWD/build/release/unmask
G=$PWD/build/release/bench/gen_bench
mkdir -p "$DIR"
if [[ ! -s $DIR/case/bytes ]] || [[ $(cat "$DIR/case/bytes") != "$BYTES-$PARTS-$PEOPLE" ]]; then
  rm -rf "$DIR/case" "$DIR/gen"
  "$G" --bytes "$BYTES" --people 2000 --out "$DIR/gen" >/dev/null
  mkdir -p "$DIR/case/logs"
  cp -r "$DIR/gen/hr" "$DIR/case/hr"
  for f in "$DIR"/gen/logs/*; do
    b=$(basename "$f" .jsonl)
    if ((PARTS > 1)); then split -n "l/$PARTS" -d --additional-suffix=.jsonl "$f" "$DIR/case/logs/$b-"
    else cp "$f" "$DIR/case/logs/"; fi
  done
  if ((PEOPLE > 0)); then
    mkdir -p "$DIR/case/people"
    "$PWD/build/release/bench/gen_people" --people "$PEOPLE" --out "$DIR/case/people/applicants.csv" 2>/dev/null
  fi
  echo "$BYTES-$PARTS-$PEOPLE" >"$DIR/case/bytes"
fi
port=
read -r plo phi <<<"${NATS_PORTS:-14200 14299}"
for p in $(seq "$plo" "$phi"); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[[ -n $port ]] || { echo "no free port in $plo-$phi" >&2; exit 2; }
URL=nats://127.0.0.1:$port
rm -rf "$DIR/js"
nats-server -js -sd "$DIR/js" -a 127.0.0.1 -p "$port" >"$DIR/server.log" 2>&1 &
ns=$!
wpids=()
cleanup() {
  if ((${#wpids[@]})); then kill "${wpids[@]}" 2>/dev/null || true; fi
  kill "$ns" 2>/dev/null || true
  wait "$ns" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

calc() { awk "BEGIN{print $*}"; }
cpu_of() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
input_mb=$(du -sb "$DIR/case/logs" | awk '{printf "%.0f", $1 / 1e6}')
echo "input: $input_mb MB of logs in $(ls "$DIR/case/logs" | wc -l) files + HR export$( ((PEOPLE > 0)) && echo " + $PEOPLE applicants"); load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

declare -A wall cpu wcpu logs tail_s
run_local() {
  rm -rf "$DIR/out-local"
  /usr/bin/time -f "%e %U %S" -o "$DIR/t" "$U" scan --threads 1 -q --fail-on never -o "$DIR/out-local" "$DIR/case" || true
  read -r w u s <"$DIR/t"
  wall[local]+=" $w"; cpu[local]+=" $(calc "$u + $s")"; wcpu[local]+=" 0"
}
run_nats() { # workers [mode name] [scan options...] (UB: the binary, default $U)
  local n=$1 k m=${2:-$1} U=${UB:-$U}
  shift; (($#)) && shift
  wpids=()
  for k in $(seq "$n"); do "$U" worker --nats "$URL" -v 2>>"$DIR/worker.log" & wpids+=($!); done
  sleep 0.5
  local c0=0; for k in "${wpids[@]}"; do c0=$(calc "$c0 + $(cpu_of "$k")"); done
  rm -rf "$DIR/out-$m"
  /usr/bin/time -f "%e %U %S" -o "$DIR/t" "$U" scan --nats "$URL" "$@" -v --fail-on never -o "$DIR/out-$m" "$DIR/case" \
    >/dev/null 2>"$DIR/scan.err" || true
  logs[$m]+=" $({ grep -o 'log inputs [0-9.]* s' "$DIR/scan.err" || true; } | awk '{print $3}')"
  tail_s[$m]+=" $({ grep -o 'the last state came [0-9.]* s' "$DIR/scan.err" || true; } | awk '{print $5}')"
  local c1=0; for k in "${wpids[@]}"; do c1=$(calc "$c1 + $(cpu_of "$k")"); done
  kill "${wpids[@]}"; wait "${wpids[@]}" 2>/dev/null || true
  wpids=()
  read -r w u s <"$DIR/t"
  wall[$m]+=" $w"; cpu[$m]+=" $(calc "$u + $s")"; wcpu[$m]+=" $(calc "$c1 - $c0")"
  for f in subjects.jsonl findings.jsonl clusters.jsonl; do
    cmp -s "$DIR/out-local/$f" "$DIR/out-$m/$f" || echo "WARNING: $f differs from the local scan ($m)" >&2
  done
}
: >"$DIR/worker.log"
modes="local 1 2"
((PEOPLE > 0)) && modes+=" 2s0"
[[ -n $BASE ]] && modes+=" 1b 2b"
((PARTITIONS > 1)) && modes+=" 1p 2p"
((PARTITIONS > 1)) && [[ -n $BASE ]] && modes+=" 1pb 2pb"
for r in $(seq "$RUNS"); do
  run_local; run_nats 1; run_nats 2
  if ((PARTITIONS > 1)); then
    run_nats 1 1p --nats-partitions "$PARTITIONS"; run_nats 2 2p --nats-partitions "$PARTITIONS"
  fi
  ((PEOPLE > 0)) && run_nats 2 2s0 --nats-link-shards 0
  if [[ -n $BASE ]]; then UB=$BASE run_nats 1 1b; UB=$BASE run_nats 2 2b; fi
  if ((PARTITIONS > 1)) && [[ -n $BASE ]]; then
    UB=$BASE run_nats 1 1pb --nats-partitions "$PARTITIONS"; UB=$BASE run_nats 2 2pb --nats-partitions "$PARTITIONS"
  fi
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
lw=$(echo "${wall[local]}" | median)
echo "| mode | median wall s | x local | median CPU s, scan process | median CPU s, workers | median log phase s (scan -v) | median partition tail s | wall runs |"
echo "|---|---|---|---|---|---|---|---|"
for m in $modes; do
  mw=$(echo "${wall[$m]}" | median)
  case $m in
  local) name="local scan (--threads 1)" ;;
  1) name="scan --nats, 1 worker" ;;
  2) name="scan --nats, 2 workers" ;;
  2s0) name="scan --nats, 2 workers, --nats-link-shards 0" ;;
  1b) name="BASE binary: scan --nats, 1 worker" ;;
  2b) name="BASE binary: scan --nats, 2 workers" ;;
  1p) name="scan --nats, 1 worker, --nats-partitions $PARTITIONS" ;;
  2p) name="scan --nats, 2 workers, --nats-partitions $PARTITIONS" ;;
  1pb) name="BASE binary: scan --nats, 1 worker, --nats-partitions $PARTITIONS" ;;
  2pb) name="BASE binary: scan --nats, 2 workers, --nats-partitions $PARTITIONS" ;;
  esac
  printf "| %s | %s | %.2f | %s | %s | %s | %s | %s |\n" "$name" "$mw" "$(calc "$lw / $mw")" \
    "$(echo "${cpu[$m]}" | median)" "$(echo "${wcpu[$m]}" | median)" "$(echo "${logs[$m]:-}" | median)" \
    "$(echo "${tail_s[$m]:-}" | median)" "${wall[$m]# }"
done
awk '/done:/ {u++; f += $2; b += $(NF-1)} END {printf "results: %d units, %d frames, %.1f MB in all runs\n", u, f, b/1e6}' \
  <(grep -o 'done: [0-9]* result frames, [0-9]* bytes' "$DIR/worker.log" | sed 's/,//g')
{ grep -o 'blocked, [0-9]* observations, [0-9]* shared values' "$DIR/worker.log" || true; } | tr -d , |
  awk '{u++; o += $2; v += $4} END {if (u) printf "identity shards: %d blocked, %d observations, %d shared values in all runs\n", u, o, v}'
{ grep -o 'shared values, [0-9]* result frames, [0-9]* bytes' "$DIR/worker.log" || true; } | tr -d , |
  awk '{u++; b += $6} END {if (u) printf "identity shards: results %.2f MB in all runs\n", b / 1e6}' || true
# person partitions (this build's line; BASE builds before 2026-12-04 said "P of K done: E events in B bytes, S bytes of state")
{ grep -o 'done: person partition [0-9]* of [0-9]*, [0-9]* events ([0-9]* bytes in [0-9]* frames; caught up with the scan [0-9]* times), [0-9]* result frames, [0-9]* bytes' \
    "$DIR/worker.log" || true; } | tr -d ',(;)' |
  awk '{u++; e += $7; b += $9; f += $12; w += $19; s += $24} END {if (u) printf "person partitions: %d run, %d events in %.1f MB (%d frames; caught up with the scan %d times), %.1f MB of state sent, in all runs\n", u, e, b / 1e6, f, w, s / 1e6}'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
