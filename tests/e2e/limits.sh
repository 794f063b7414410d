#!/usr/bin/env bash
# Resource limits: a log with ever more made-up account names must not make
# memory grow without bound. With a log_subjects limit the scan completes,
# keeps at most that many log-only subjects, says so once, and its peak
# memory does not grow with the number of distinct names.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
gen() { # N distinct accounts, one sign-in each, from a hosting address (a finding each)
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
    printf "{\"uuid\":\"u%d\",\"published\":\"2026-09-01T10:00:00.000Z\",\"eventType\":\"user.session.start\",\"actor\":{\"alternateId\":\"fake%d@spam.example\"},\"client\":{\"ipAddress\":\"45.86.201.7\"},\"securityContext\":{\"isProxy\":true},\"outcome\":{\"result\":\"SUCCESS\"}}\n", i, i }' >"$2"
}
gen 20000 "$T/small.jsonl"
gen 200000 "$T/big.jsonl"
gen 400000 "$T/huge.jsonl"
# $3: thread count. One thread measures the limits alone: with more, files
# over 16 MiB are split into parts, and the parts in flight between the
# threads are a fixed extra (bounded, not growing with the input).
rss() { /usr/bin/time -f %M -o "$T/rss" "$U" scan -q --fail-on never --threads "$3" --limit log_subjects=2000,findings=1000 -o "$T/$1" "$T/$2" && cat "$T/rss"; }
small=$(rss out-s small.jsonl 1)
big=$(rss out-b big.jsonl 1)
big2=$(rss out-b2 big.jsonl 2)
huge2=$(rss out-h2 huge.jsonl 2)
ok test -n "$small" -a -n "$big"
ok test "$(wc -l <"$T/out-b/subjects.jsonl")" -le 2000
ok test "$(wc -l <"$T/out-b/findings.jsonl")" -le 1000
ok test "$(sqlite3 "$T/out-b/case.db" "select count(*) from rejects where reader = 'limits'")" = 2
ok test "$(sqlite3 "$T/out-b/case.db" "select value from events_summary where key = 'events'")" = 200000
# 10x the distinct names, (nearly) the same peak memory (not measurable
# under ASan, whose quarantine holds freed memory)
echo "peak RSS: 20k names ${small} KiB, 200k names ${big} KiB; two threads: 200k ${big2} KiB, 400k ${huge2} KiB"
if [[ ${UM_SANITIZED:-0} != 1 ]]; then
    ok test "$big" -lt $((small + small / 4 + 8192))
    ok test "$huge2" -lt $((big2 + big2 / 4 + 8192))
fi
ok cmp -s "$T/out-b/findings.jsonl" "$T/out-b2/findings.jsonl"
# bad limit specs are errors
"$U" scan -q --limit nonsense=3 -o "$T/x" "$T/small.jsonl" 2>/dev/null; ok test $? -eq 2
"$U" scan -q --limit findings=0 -o "$T/x" "$T/small.jsonl" 2>/dev/null; ok test $? -eq 2
echo "$pass passed, $fail failed"
exit $((fail > 0))
