#!/usr/bin/env bash
# `unmask screen --json` and `--batch` write their JSON lines themselves
# (cli/screen.c, no jansson tree per query): every line must be the bytes
# jansson's json_dumps(COMPACT | PRESERVE_ORDER | ENSURE_ASCII) writes for
# it (tests/json_redump.c re-dumps each line; a difference fails). Inputs:
# Hangul, Han, Cyrillic, Greek, an emoji (surrogate pair), control
# characters, quotes, backslashes, a slash, DEL, error lines (bad type,
# date, country, no name, not JSON, duplicate keys), identifiers, matches
# with scores such as 0.899.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
R="${UM_BIN_DIR:?}/tests/json_redump"
D="${UM_SRC_DIR:?}/tests/data/screen/json_bytes"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # file of JSON lines, what
  if [ ! -s "$1" ]; then echo "FAIL: $2: no output" >&2; fail=1; return; fi
  if ! "$R" <"$1" >"$1.re"; then echo "FAIL: $2: not JSON" >&2; fail=1; return; fi
  if ! cmp -s "$1" "$1.re"; then echo "FAIL: $2: not jansson's bytes" >&2; diff "$1" "$1.re" | head -5 >&2; fail=1; fi
}
"$U" screen --batch "$D/queries.jsonl" >"$T/j.out" 2>/dev/null
check "$T/j.out" "JSON-lines batch"
test "$(wc -l <"$T/j.out")" = "$(wc -l <"$D/queries.jsonl")" || { echo "FAIL: one line per input" >&2; fail=1; }
grep -q '"matches":\[{' "$T/j.out" || { echo "FAIL: no match in the JSON batch" >&2; fail=1; }
grep -q '\\uD83D\\uDE00' "$T/j.out" || { echo "FAIL: no surrogate pair" >&2; fail=1; }
"$U" screen --batch "$D/queries.csv" >"$T/c.out" 2>/dev/null
check "$T/c.out" "CSV batch"
for q in "Kim Jong Un" "김정은" "金正恩" "Ким Чен Ын" "Dmitriy Novikov"; do
  "$U" screen --name "$q" --json >"$T/n.out" 2>/dev/null
  check "$T/n.out" "--name $q"
done
"$U" screen --name x --type robot --json >"$T/t.out" 2>/dev/null
check "$T/t.out" "--type robot"
"$U" screen --wallet 0X4F47BC496083C727C5FBE3CE9CDF2B0F6496270C --json >"$T/w.out" 2>/dev/null
check "$T/w.out" "--wallet"
"$U" screen --name "Kim Jong Un" --dob 1984-13-45 --json >"$T/d.out" 2>/dev/null
check "$T/d.out" "bad --dob"
if [ "$fail" = 0 ]; then echo "screen_json_bytes: ok"; fi
exit "$fail"
