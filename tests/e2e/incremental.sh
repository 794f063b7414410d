#!/usr/bin/env bash
# End-to-end: incremental scans (issue 7 point 9). `unmask scan --out CASE
# --add NEW...` replays the case's inputs from CASE/journal/ and reads only
# the new ones; its outputs must equal a full scan over old + new inputs:
#   (a) the demo split in two (identity + Okta + git, then Sysmon + payroll),
#       one thread and two: subjects.jsonl, findings.jsonl, clusters.jsonl,
#       the CSVs and the case.db dump are byte-for-byte a full run's;
#   (b) a second --add (the link test's own small export) on top of (a);
#   (c) --add of a file already in the case: "seen before", not counted twice;
#   (d) an input of the case changed since: refused (exit 2), case untouched;
#   (e) an input of the case gone: replayed from its journal (warning);
#   (f) the replay really skips the readers: a journal tampered with shows
#       in the output (so (a) did not pass by reading the files again);
#   (g) --no-journal keeps none; --add then reads the case's files again;
#   (h) case.db says how its content hashes were taken (meta content_hash):
#       a case without the row is checked with the flat hash of older builds
#       (this build's block hashes then differ: refused as changed), one of
#       an unknown kind is refused.
# Environment (set by ctest): UNMASK, UM_SRC_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
D="$UM_SRC_DIR/examples/demo"
tmp=$(mktemp -d)
trap "rm -rf \"$tmp\"" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "$tmp" >&2
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }
same_set() { # a b: every output and the case.db dump equal
    local f
    for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
        cmp -s "$1/$f" "$2/$f" || { echo "$f differs" >&2; return 1; }
    done
    cmp -s <(sqlite3 "$1/case.db" .dump) <(sqlite3 "$2/case.db" .dump) || { echo "case.db differs" >&2; return 1; }
}
scan() { local rc=0; "$UNMASK" scan -q --approved-rmm ScreenConnect "$@" || rc=$?; [ "$rc" -le 1 ]; }
cp -r "$D" "$tmp/demo"
D="$tmp/demo"
OLD=("$D/hr" "$D/it" "$D/logs/okta.jsonl" "$D/git")
NEW=("$D/logs/sysmon.jsonl" "$D/payroll")

for th in 1 2; do
    CASE="(a) threads $th"
    ok scan --threads "$th" --out "$tmp/full$th" "${OLD[@]}" "${NEW[@]}"
    ok scan --threads "$th" --out "$tmp/inc$th" "${OLD[@]}"
    ok test "$(ls "$tmp/inc$th/journal" | wc -l)" -eq 5
    ok scan --threads "$th" --out "$tmp/inc$th" --add "${NEW[@]}"
    ok same_set "$tmp/full$th" "$tmp/inc$th"
    ok test "$(sqlite3 "$tmp/inc$th/case.db" "SELECT count(*) FROM inputs WHERE journal IS NOT NULL AND hash IS NOT NULL")" -eq 7
done
CASE="(a) threads 1 = threads 2"
ok same_set "$tmp/full1" "$tmp/full2"

CASE="(b) a second --add"
X="$tmp/extra/applicants_b.csv"
mkdir -p "$tmp/extra"
echo 'Candidate ID,First Name,Last Name,Email,Phone,City,Country' > "$X"
echo 'C9001,Olga,Ivanova,olga.ivanova@example.org,+1 415 555 0188,San Francisco,US' >> "$X"
ok scan --out "$tmp/full1b" "${OLD[@]}" "${NEW[@]}" "$X"
ok scan --out "$tmp/inc1" --add "$X"
ok same_set "$tmp/full1b" "$tmp/inc1"

CASE="(c) an input already in the case"
ok scan --out "$tmp/full1c" "${OLD[@]}" "${NEW[@]}" "$X" "$D/logs/okta.jsonl"
ok scan --out "$tmp/inc1" --add "$D/logs/okta.jsonl"
ok same_set "$tmp/full1c" "$tmp/inc1"
ok test "$(sqlite3 "$tmp/inc1/case.db" "SELECT count(*) FROM inputs WHERE status = 'skipped' AND reason LIKE '%same file as%'")" -eq 1

CASE="(d) a changed input is refused"
cp -r "$tmp/inc2" "$tmp/before"
echo '{"uuid":"x","published":"2026-02-10T10:00:00.000Z","eventType":"user.session.start","actor":{"alternateId":"a@b.c"}}' >> "$D/logs/okta.jsonl"
rc=0
"$UNMASK" scan -q --out "$tmp/inc2" --add "$X" 2> "$tmp/err" || rc=$?
ok test "$rc" -eq 2
ok grep -q "changed since the case was built" "$tmp/err"
ok same_set "$tmp/before" "$tmp/inc2"
cp "$UM_SRC_DIR/examples/demo/logs/okta.jsonl" "$D/logs/okta.jsonl" # back as it was: accepted again
ok scan --out "$tmp/inc2" --add
ok same_set "$tmp/before" "$tmp/inc2"

CASE="(e) a gone input is replayed from its journal"
mv "$D/git" "$tmp/git.away"
ok scan --out "$tmp/inc2" --add
mv "$tmp/git.away" "$D/git"
ok test "$(sqlite3 "$tmp/inc2/case.db" "SELECT count(*) FROM rejects WHERE reason LIKE '%replayed from the case''s journal%'")" -eq 1
ok cmp -s "$tmp/before/findings.jsonl" "$tmp/inc2/findings.jsonl"

CASE="(f) the journal, not the file, is what is read"
cp -r "$tmp/full1" "$tmp/tamper"
j=$(sqlite3 "$tmp/tamper/case.db" "SELECT journal FROM inputs WHERE path LIKE '%okta.jsonl'")
ok test -s "$tmp/tamper/journal/$j"
: > "$tmp/tamper/journal/$j.t" && head -c 200 "$tmp/tamper/journal/$j" > "$tmp/tamper/journal/$j.t"
mv "$tmp/tamper/journal/$j.t" "$tmp/tamper/journal/$j" # cut short: no end mark, not usable
ok scan --out "$tmp/tamper" --add
ok same_set "$tmp/full1" "$tmp/tamper" # an unusable journal: the file is read again
cp "$tmp/full1/journal/$j" "$tmp/tamper/journal/$j"
# the work domain renamed inside the journal (same length): the replayed sign-ins no longer join
perl -0pi -e 's/larkspur\.example/larkspur.exampla/g' "$tmp/tamper/journal/$j"
ok scan --out "$tmp/tamper" --add
differ() { ! cmp -s "$1" "$2"; }
ok differ "$tmp/full1/subjects.jsonl" "$tmp/tamper/subjects.jsonl"

CASE="(g) --no-journal"
ok scan --no-journal --out "$tmp/nj" "${OLD[@]}"
ok test "$(ls "$tmp/nj/journal" | wc -l)" -eq 0
ok scan --out "$tmp/nj" --add "${NEW[@]}"
ok same_set "$tmp/full1" "$tmp/nj"

CASE="(h) the content hash's definition"
ok test "$(sqlite3 "$tmp/full1/case.db" "SELECT value FROM meta WHERE key = 'content_hash'")" = xxh3-64k-blocks
cp -r "$tmp/full1" "$tmp/legacy"
sqlite3 "$tmp/legacy/case.db" "DELETE FROM meta WHERE key = 'content_hash'"
rc=0
"$UNMASK" scan -q --out "$tmp/legacy" --add "$X" 2> "$tmp/err" || rc=$?
ok test "$rc" -eq 2
ok grep -q "changed since the case was built" "$tmp/err"
cp -r "$tmp/full1" "$tmp/otherdef"
sqlite3 "$tmp/otherdef/case.db" "UPDATE meta SET value = 'sha9' WHERE key = 'content_hash'"
cp -r "$tmp/otherdef" "$tmp/otherdef.before"
rc=0
"$UNMASK" scan -q --out "$tmp/otherdef" --add "$X" 2> "$tmp/err" || rc=$?
ok test "$rc" -eq 2
ok grep -q "content hashes are sha9" "$tmp/err"
ok same_set "$tmp/otherdef.before" "$tmp/otherdef" # untouched

echo "$pass passed, $fail failed"
test "$fail" -eq 0
