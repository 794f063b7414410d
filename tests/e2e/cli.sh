#!/usr/bin/env bash
# CLI contract: help texts, exit codes (0 clean, 1 findings at/above
# --fail-on, 2 error), output files and modes, idempotent re-runs.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
T=$(mktemp -d)
trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
code() { "$@" >/dev/null 2>&1; echo $?; }

ok test "$(code "$U" --help)" = 0
ok test "$(code "$U")" = 2
ok test "$(code "$U" nosuchcommand)" = 2
ok test "$(code "$U" scan --help)" = 0
"$U" scan --help | grep -- '--fail-on' >/dev/null && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: scan --help lacks --fail-on"; } # grep reads it all: no SIGPIPE under pipefail
ok test "$(code "$U" scan)" = 2
ok test "$(code "$U" scan "$T/missing.csv")" = 2
ok test "$(code "$U" scan --fail-on sometimes "$T")" = 2
"$U" formats | grep -q '^person-csv' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: formats"; }
ok test "$(code "$U" version)" = 0

# a clean HR export: exit 0, files written with mode 0600
cat >"$T/hr.csv" <<'CSV'
Candidate ID,First Name,Last Name,Email,Phone,Country,Time Zone
C1,Ann,Lee,ann@example.com,+1 415 555 0101,US,America/Los_Angeles
C2,Bo,Park,bo@example.com,+1 212 555 0199,US,America/New_York
C3,"Broken,row
CSV
ok test "$(code "$U" scan --format nosuchformat "$T/hr.csv")" = 2
ok test "$(code "$U" scan -q -o "$T/out" "$T/hr.csv")" = 0
for f in subjects.jsonl findings.jsonl subjects.csv findings.csv case.db; do
  ok test -f "$T/out/$f"
  ok test "$(stat -c %a "$T/out/$f")" = 600
done
ok test "$(wc -l <"$T/out/subjects.jsonl")" = 2
ok test "$(sqlite3 "$T/out/case.db" 'select count(*) from rejects where kind="reject"' 2>/dev/null || echo 1)" = 1
cp "$T/out/subjects.jsonl" "$T/first.jsonl"
ok test "$(code "$U" scan -q -o "$T/out" "$T/hr.csv")" = 0
ok cmp -s "$T/first.jsonl" "$T/out/subjects.jsonl"
ok test "$(sqlite3 "$T/out/case.db" 'select count(*) from subjects' 2>/dev/null || echo 2)" = 2

# a name that is a spreadsheet formula stays text in subjects.csv; a name
# with terminal escapes is printed harmlessly
printf 'Candidate ID,Full Name,Email\nC9,"=HYPERLINK(""http://evil.example"",""x"")",e@example.com\nC8,\033]0;pwned\a Bob,b@example.com\n' >"$T/evil.csv"
"$U" scan -o "$T/evil" "$T/evil.csv" >"$T/evil.out" 2>/dev/null
ok grep -q "\"'=HYPERLINK" "$T/evil/subjects.csv"
ok test "$(grep -c $'\033' "$T/evil.out")" = 0

# a folder holding an export whose columns only the --mapping file names
mkdir -p "$T/fr" && printf 'Cand #;Nom complet;Courriel perso\nC-1;Jon Kim;jon@example.com\nC-2;Ann Lee;ann@example.com\n' >"$T/fr/hr.csv"
printf 'Cand # = candidate_id\nNom complet = full_name\nCourriel perso = email\n' >"$T/map.txt"
"$U" scan -q -m "$T/map.txt" -o "$T/outfr" "$T/fr"
ok test "$(wc -l <"$T/outfr/subjects.jsonl")" = 2
"$U" scan -q -o "$T/outfr2" "$T/fr" # without the mapping: skipped with a warning
ok test "$(wc -l <"$T/outfr2/subjects.jsonl")" = 0

# --json prints the subjects.jsonl lines on stdout
"$U" scan -q -o "$T/outj" "$T/hr.csv" >/dev/null
ok cmp -s <("$U" scan --json -o "$T/outj" "$T/hr.csv" 2>/dev/null) "$T/outj/subjects.jsonl"

# two people sharing a payout wallet: findings, exit 1 at --fail-on review
cat >"$T/pay.csv" <<'CSV'
Employee ID,Full Name,Wallet Address
E1,Ann Lee,0x1111111111111111111111111111111111111111
E2,Bo Park,0x1111111111111111111111111111111111111111
CSV
rc=$(code "$U" scan -q -o "$T/out2" --fail-on review "$T/pay.csv")
ok test "$rc" = 1
ok test "$(code "$U" scan -q -o "$T/out2" --fail-on never "$T/pay.csv")" = 0

# unwritable output folder: exit 2 with a message
mkdir "$T/ro" && chmod 500 "$T/ro"
if [[ $(id -u) -ne 0 ]]; then
  ok test "$(code "$U" scan -q -o "$T/ro/out" "$T/hr.csv")" = 2
fi
ok test "$(code "$U" scan -q -o /proc/unmask-no-such "$T/hr.csv")" = 2

echo "$pass passed, $fail failed"
exit $((fail > 0))
