#!/usr/bin/env bash
# End-to-end: clusters.jsonl and the case.db cluster tables on the demo case
# (issue 7 point 4): same-operator clusters hold only people at review or
# above; a re-scan gives byte-identical clusters (stable ids); analysts'
# pair verdicts in case.db are kept and honoured on the next run
# (not_same_person splits a pair out of one cluster, same_person joins two
# strangers); a chain is never one giant cluster (no cluster over 50).
# Environment (set by ctest): UNMASK, UM_SRC_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }
DEMO="$UM_SRC_DIR/examples/demo"
scan() { "$UNMASK" scan -q --fail-on never --approved-rmm ScreenConnect -o "$tmp/out" "$DEMO"; }
scan
C="$tmp/out/clusters.jsonl" DB="$tmp/out/case.db"
CASE=file; ok test -s "$C"
CASE=same-op-exists; ok test "$(jq -r 'select(.tier == "same_operator") | .id' "$C" | wc -l)" -ge 2
CASE=same-op-members-flagged
bad=$(jq -r 'select(.tier == "same_operator") | .members[]' "$C" | sort -u | while read -r s; do
    jq -r --arg s "$s" 'select(.id == $s) | .level' "$tmp/out/subjects.jsonl"; done | grep -c -v -E '^(review|high)$' || true)
ok test "$bad" = 0
CASE=explained; ok test "$(jq -r 'select(.tier == "same_operator") | .edges[0].identifiers[0].source_a' "$C" | head -1 | grep -c ':')" = 1
CASE=weakest; ok test "$(jq -r 'select(.tier == "same_operator") | .weakest_link.weight' "$C" | grep -c null)" = 0
CASE=db-tables; ok test "$(sqlite3 "$DB" "select count(*) from clusters")" = "$(jq -r 'select(.id) | .id' "$C" | wc -l)"
CASE=db-members; ok test "$(sqlite3 "$DB" "select count(*) from cluster_members m join clusters c on c.id = m.cluster_id")" -gt 0
CASE=size-cap; ok test "$(jq -r 'select(.size) | .size' "$C" | sort -n | tail -1)" -le 50
cp "$C" "$tmp/first.jsonl"
scan
CASE=stable; ok cmp -s "$C" "$tmp/first.jsonl"
# verdicts: split two members of a same-operator cluster, join two strangers
A=$(jq -r 'select(.tier == "same_operator") | .members[0]' "$C" | head -1)
B=$(jq -r 'select(.tier == "same_operator") | .members[1]' "$C" | head -1)
X=$(jq -r 'select(.level == "clean" and (.id | startswith("S-"))) | .id' "$tmp/out/subjects.jsonl" | sed -n 1p)
Y=$(jq -r 'select(.level == "clean" and (.id | startswith("S-"))) | .id' "$tmp/out/subjects.jsonl" | sed -n 2p)
[[ "$A" < "$B" ]] || { t=$A; A=$B; B=$t; }
[[ "$X" < "$Y" ]] || { t=$X; X=$Y; Y=$t; }
sqlite3 "$DB" "insert into verdicts(target_kind, target_a, target_b, verdict, who, at) values
  ('pair', '$A', '$B', 'not_same_person', 'test', '2026-12-01T00:00:00Z'),
  ('pair', '$X', '$Y', 'same_person', 'test', '2026-12-01T00:00:00Z')"
scan
together() { jq -e --arg a "$1" --arg b "$2" -s 'map(select(.tier == "same_operator" and (.members | index($a)) and (.members | index($b)))) | length > 0' "$C" >/dev/null; }
CASE=split; ok bash -c "$(declare -f together); C='$C'; ! together '$A' '$B'"
CASE=joined; ok bash -c "$(declare -f together); C='$C'; together '$X' '$Y'"
CASE=verdicts-kept; ok test "$(sqlite3 "$DB" "select count(*) from verdicts")" = 2
scan
CASE=verdicts-kept-twice; ok test "$(sqlite3 "$DB" "select count(*) from verdicts")" = 2
echo "$pass passed, $fail failed"
exit $((fail > 0))
