#!/usr/bin/env bash
# `unmask screen` and `unmask data`: the CLI contract of the screening issue.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
code() { "$@" >/dev/null 2>&1; echo $?; }

ok test "$(code "$U" screen --help)" = 0
ok test "$(code "$U" screen)" = 2
ok test "$(code "$U" screen --name "Kim Jong Un" --dob 1984-13-45)" = 2
# a listed person, in three scripts and spellings: exit 1, OFAC ent_num 20157
for n in "Kim Jong Un" "KIM Jong-un" "김정은" "Kim Jongun"; do
  ok test "$(code "$U" screen --name "$n")" = 1
  ok test "$("$U" screen --name "$n" --json | jq -r '[.matches[].uid] | index("20157") != null')" = true
done
# every match is explained
ok test "$("$U" screen --name "Kim Jong Un" --json | jq -r '.matches[0] | (.list != null) and (.matched_name != null) and (.score > 0) and (.explanation | length > 20)')" = true
# common Korean names that are on no list: no match, exit 0
for n in "Kim Min-jun" "Park Ji-hoon" "Lee Seo-yeon" "Choi Yu-na"; do
  ok test "$(code "$U" screen --name "$n" --type person)" = 0
done
# a wrong date of birth rules the entry out
ok test "$("$U" screen --name "Kim Jong Un" --dob 1950-01-01 --json | jq -r '[.matches[] | select(.uid == "20157" and .score >= 0.8)] | length')" = 0
# identifiers against the indicator lists (OFAC-listed wallet in upper case)
ok test "$(code "$U" screen --wallet 0X4F47BC496083C727C5FBE3CE9CDF2B0F6496270C)" = 1
ok test "$(code "$U" screen --github PonyJackal)" = 1
ok test "$(code "$U" screen --email nobody@example.org)" = 0
# batch: one JSON line per input, bad lines reported in place
printf 'name,dob,country,type\nKim Jong Un,,,person\nPark Ji-hoon,,,person\n' >"$T/b.csv"
"$U" screen --batch "$T/b.csv" --json >"$T/b.out"
ok test "$(wc -l <"$T/b.out")" = 2
ok test "$(sed -n 1p "$T/b.out" | jq -r '.matches | length > 0')" = true
ok test "$(sed -n 2p "$T/b.out" | jq -r '.matches | length')" = 0
# every batch line gets one JSON line, errors in place; nothing screened: exit 2
printf 'name\nKim Jong Un\n\n\377\376x\n' >"$T/e.csv"
"$U" screen --batch "$T/e.csv" >"$T/e.out" 2>/dev/null
ok test "$(wc -l <"$T/e.out")" = 3
ok test "$(sed -n 2p "$T/e.out" | jq -r '.query.error')" = "empty line: not screened"
ok test "$(sed -n 3p "$T/e.out" | jq -r '.query.error | startswith("invalid UTF-8")')" = true
{ printf 'name\n'; head -c 70000 /dev/zero | tr '\0' a; printf '\nPark Ji-hoon\n'; } >"$T/long.csv"
"$U" screen --batch "$T/long.csv" >"$T/long.out" 2>/dev/null
ok test "$(wc -l <"$T/long.out")" = 2
ok test "$(sed -n 1p "$T/long.out" | jq -r '.query.line')" = 2
ok test "$(code "$U" screen --batch "$T")" = 2            # a folder
ok test "$(code "$U" screen --batch /dev/null)" = 2       # empty
printf '\n\n' >"$T/blank.csv"
ok test "$(code "$U" screen --batch "$T/blank.csv")" = 2  # no query
ok test "$(code "$U" screen --name "")" = 2
# UTF-16 (PowerShell) batch: converted
printf 'name\r\nKim Jong Un\r\n' | iconv -f UTF-8 -t UTF-16 >"$T/u16.csv"
ok test "$(code "$U" screen --batch "$T/u16.csv")" = 1
ok test "$("$U" screen --batch "$T/u16.csv" 2>/dev/null | jq -r '.matches[0].uid')" = 20157
# control characters from the input never reach the terminal raw
"$U" screen --name $'Kim\e]0;x\a Jong\e[2J' >"$T/tty.out" 2>&1
ok test "$(grep -c $'\e' "$T/tty.out")" = 0
ok grep -q 'x1b' "$T/tty.out"
# data: lists, dates, age warnings
"$U" data >"$T/d.out" 2>"$T/d.err"
ok grep -q "OFAC SDN" "$T/d.out"
ok grep -q "UN" "$T/d.out"
ok grep -q "days old" "$T/d.err"
# unmask scan screens every claimed person's names (IOC-03). A name-only match
# is a potential match (status=potential, clears_with=...) that does not raise
# the level; a date of birth that agrees confirms it (medium: review); for a DPRK
# programme entry a name-only match counts beside another independent signal.
printf 'Candidate ID,Full Name,Date of Birth,Email,Phone\nC1,Kim Jong Un,,k@x.example,\nC2,Park Ji-hoon,1990-01-01,p@x.example,\nC3,Kim Min-jun,,m@x.example,\nC4,Pak Hwa Song,,s@x.example,\nC5,Kim Jong Un,1950-01-01,k2@x.example,\nC6,Kim Jong Un,1984-01-08,k6@x.example,\nC7,Mark Taylor,,mt@x.example,\nC8,Mark Taylor,1973-05-01,mt8@x.example,\nC9,Kim Jong Un,,k9@x.example,+1 415 555 0199\nC10,Lee Min-ho,,l10@x.example,+1 415 555 0199\n' >"$T/hr.csv"
"$U" scan -q --fail-on never -o "$T/scan" "$T/hr.csv"
lvl() { jq -r --arg c "$1" 'select(.sources | index("candidate_id=" + $c)) | .level' "$T/scan/subjects.jsonl"; }
ioc3() { # candidate -> "weight strength status" of its IOC-03 finding
  local sid
  sid=$(jq -r --arg c "$1" 'select(.sources | index("candidate_id=" + $c)) | .id' "$T/scan/subjects.jsonl")
  jq -r --arg s "$sid" 'select(.subject_id == $s and .indicator == "IOC-03") | "\(.weight) \(.strength) " + (.evidence[0].values // "" | capture("status=(?<st>[a-z]+)").st)' "$T/scan/findings.jsonl" | head -1
}
ok test "$(lvl c1)" = clean  # name only: a potential match
ok test "$(lvl c4)" = clean
ok test "$(lvl c2)" = clean
ok test "$(lvl c3)" = clean
ok test "$(lvl c5)" = clean  # a contradicting date of birth rules the entry out
ok test "$(lvl c6)" = review # the date of birth confirms the match
ok test "$(lvl c7)" = clean  # TAYLOR, Mark John (SDGT) vs an employee Mark Taylor
ok test "$(lvl c8)" = review # ... whose date of birth agrees (listed 1972 to 1974)
ok test "$(ioc3 c7)" = "0 weak potential"
ok test "$(ioc3 c1)" = "30 medium potential"
ok test "$(ioc3 c6)" = "30 medium confirmed"
ok test "$(lvl c9)" = high    # DPRK entry, name only, beside a shared phone (LINK-06)
ok grep -q 'clears_with=date of birth (listed: DOB 1972 to 1974' "$T/scan/findings.jsonl"
# data update --from DIR: checked, then swapped in; bad files never replace good data
DD="$T/datacopy"
cp -r "${UM_SRC_DIR:-.}/data" "$DD"
mkdir -p "$T/from"
ok test "$(code "$U" data update --data-dir "$DD" --from "$T/from")" = 2          # nothing to install
head -c 300000 "$DD/sanctions/ofac/sdn.csv" >"$T/from/sdn.csv"                      # truncated download
cp "$DD/sanctions/ofac/sdn.csv" "$T/sdn.before"
ok test "$(code "$U" data update --data-dir "$DD" --from "$T/from")" = 2
ok cmp -s "$DD/sanctions/ofac/sdn.csv" "$T/sdn.before"                             # good data kept
rm "$T/from/sdn.csv"
head -c 1500000 "$DD/sanctions/un/consolidated.xml" >"$T/from/consolidated.xml"      # malformed XML
ok test "$(code "$U" data update --data-dir "$DD" --from "$T/from")" = 2
ok cmp -s "$DD/sanctions/un/consolidated.xml" "${UM_SRC_DIR:-.}/data/sanctions/un/consolidated.xml"
rm "$T/from/consolidated.xml"
{ cat "$T/sdn.before" | tr -d '\032'; printf '99991,"EXAMPLE, New Designee","individual","DPRK4",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'; } >"$T/from/sdn.csv"
"$U" data update --data-dir "$DD" --from "$T/from" >"$T/up.out" 2>&1
ok test $? = 0
ok grep -q "OFAC SDN: .* entries" "$T/up.out"
ok test "$("$U" screen --data-dir "$DD" --name "New Designee Example" --json | jq -r '.matches[0].uid')" = 99991
ok grep -q "^ofac/sdn.csv.*installed by unmask data update" "$DD/sanctions/lists.tsv"
ok test "$(ls -a "$DD/sanctions" | grep -c '^\.update-')" = 0                          # no staging left behind
head -c 300000 "$T/sdn.before" >"$T/from/sdn.csv"
ok test "$(code "$U" data update --data-dir "$DD" --from "$T/from" --force)" = 0     # --force installs anyway
echo "$pass passed, $fail failed"
exit $((fail > 0))
