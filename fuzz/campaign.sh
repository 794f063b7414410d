#!/usr/bin/env bash
# A fuzzing campaign: each target in turn, in libFuzzer's fork mode (one
# worker, crashes/OOMs/timeouts kept and the run goes on), at nice 19, new
# inputs in a scratch folder (the committed corpus is read, never written).
#
#   fuzz/campaign.sh SECONDS_PER_TARGET OUTDIR TARGET...
#
# Needs the fuzz build (cmake --preset fuzz && cmake --build --preset fuzz).
# Per target OUTDIR/<target>.log holds libFuzzer's output and
# OUTDIR/<target>.cpu its CPU seconds (user+sys, from /usr/bin/time);
# crashes land in OUTDIR/<target>-artifacts/. A summary line per target
# (time, CPU, executions, exec/s, cov, ft, artifacts) is appended to
# OUTDIR/summary.tsv. Semantic invariants are fatal (UM_FUZZ_STRICT=1).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:?seconds per target}; out=${2:?output folder}; shift 2
B=build/fuzz/fuzz
mkdir -p "$out"
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp UNMASK_DATA_DIR=$PWD/data UM_FUZZ_STRICT=1
for t in "$@"; do
  [ -x "$B/fuzz_$t" ] || { echo "campaign: no $B/fuzz_$t" >&2; continue; }
  maxlen=65536; [ "$t" = evtx ] && maxlen=69632
  mkdir -p "$out/$t-corpus" "$out/$t-artifacts"
  /usr/bin/time -f "%U %S" -o "$out/$t.cpu" nice -n 19 "$B/fuzz_$t" -fork=1 -ignore_crashes=1 \
    -ignore_ooms=1 -ignore_timeouts=1 -max_total_time="$secs" -rss_limit_mb=2048 -max_len="$maxlen" \
    -timeout=30 -artifact_prefix="$out/$t-artifacts/" "$out/$t-corpus" "fuzz/corpus/$t" >"$out/$t.log" 2>&1
  cpu=$(awk '{print $1 + $2}' "$out/$t.cpu" 2>/dev/null)
  last=$(grep -E '^#[0-9]+: cov:' "$out/$t.log" | tail -1)
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last")
  ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
  eps=$(sed -E 's/.* exec\/s:? ([0-9]+).*/\1/' <<<"$last")
  na=$(find "$out/$t-artifacts" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$secs" "${cpu:-?}" "${execs:-?}" "${eps:-?}" "${cov:-?}" \
    "${ft:-?}" "$na" >>"$out/summary.tsv"
done
