#!/usr/bin/env bash
# Outputs do not depend on the locale's decimal separator. de_DE.UTF-8 (a
# comma) is made with localedef into a temporary LOCPATH, and the process
# locale is set from LC_ALL by an LD_PRELOAD module (tests/setlocale_preload.c,
# as a program embedding libunmask may call setlocale). Under it and under C:
# the demo scan at threads 1 and 2 (JSONL, CSV, case.db dumped by sqlite3,
# the printed table, the HTML report), a Sigma rule with a decimal '|gt'
# (parsed when compiled) over decimal text and JSON numbers (compared when
# matched), and `unmask screen` with --threshold 0.85 (text and JSON) must
# give the same bytes. Exit 77 (skipped) when the locale cannot be made.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
SRC=${UM_SRC_DIR:?UM_SRC_DIR not set}
PRELOAD=${UM_LOCALE_PRELOAD:?UM_LOCALE_PRELOAD not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
same() { if cmp -s "$1" "$2"; then return 0; fi; diff "$1" "$2" | head -4 | cut -c1-300 >&2; return 1; }

mkdir -p "$T/loc"
if ! command -v localedef >/dev/null || ! localedef -i de_DE -f UTF-8 "$T/loc/de_DE.UTF-8" >/dev/null 2>&1; then
  echo "de_DE.UTF-8 could not be made (localedef, package locales): skipped"
  exit 77
fi
DE=(env LOCPATH="$T/loc" LC_ALL=de_DE.UTF-8 LD_PRELOAD="$PRELOAD")
if [[ ${UM_SANITIZED:-0} = 1 ]]; then # the module is loaded before the ASan runtime
  # glibc 2.36's newlocale() loses its copy of LOCPATH (argz, 33 bytes) when
  # a library's constructor (libp11-kit's) calls it; unmask never calls argz
  printf 'leak:__argz_add_sep\n' >"$T/lsan.supp"
  DE+=(ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
       LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp:print_suppressions=0")
fi
# control: the locale is in force and prints a comma
ok test "$("${DE[@]}" /usr/bin/printf '%.1f' 1.5)" = "1,5"

# a rule with a decimal threshold; Amount as text and as JSON numbers
mkdir -p "$T/case"
cat >"$T/case/rule.yml" <<'YML'
title: Decimal comparison
id: 0d5e1a2b-0000-4000-8000-00000000000d
status: test
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        Amount|gt: 1.5
    condition: sel
level: low
YML
{
  for a in '"2.25"' '"1.25"' 2.5 1.45 '"1.5"' 1e1; do
    printf '{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Hostname": "h1", "UtcTime": "2026-01-01 10:00:00.000", "Amount": %s}\n' "$a"
  done
} >"$T/case/events.jsonl"

run() { # run TAG CMD...: the command's outputs in $T/TAG
  local tag=$1
  shift
  mkdir -p "$T/$tag"
  (
    cd "$T/$tag" || exit 1
    for t in 1 2; do
      "$@" "$U" scan --fail-on never --threads $t -n 0 -o out$t "$SRC/examples/demo" >table$t.txt 2>scan$t.err
      echo "exit $?" >>table$t.txt
      sqlite3 out$t/case.db .dump >case$t.sql
      "$@" "$U" report out$t -o report$t.html >/dev/null 2>&1
    done
    "$@" "$U" rules match --rules "$T/case/rule.yml" "$T/case/events.jsonl" >rules.txt 2>&1
    "$@" "$U" rules match --json --rules "$T/case/rule.yml" "$T/case/events.jsonl" >rules.json 2>&1
    "$@" "$U" screen --name "Kim Jong Un" --threshold 0.85 >screen.txt 2>&1
    "$@" "$U" screen --name "Kim Jong Un" --threshold 0.85 --json >screen.json 2>&1
  )
}
run c env LC_ALL=C
run de "${DE[@]}"

# the control run found what the comparisons need
ok grep -q '"score":' "$T/c/out1/subjects.jsonl"
ok grep -q '"min_weight":[0-9]*\.[0-9]' "$T/c/out1/clusters.jsonl"
ok test "$(grep -c 'events.jsonl:' "$T/c/rules.txt")" = 3 # 2.25, 2.5, 1e1
ok grep -q '^  1\.000 ' "$T/c/screen.txt"
ok test -s "$T/c/report1.html"
for t in 1 2; do
  for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
    ok same "$T/c/out$t/$f" "$T/de/out$t/$f"
  done
  for f in case$t.sql table$t.txt scan$t.err report$t.html; do ok same "$T/c/$f" "$T/de/$f"; done
done
for f in rules.txt rules.json screen.txt screen.json; do ok same "$T/c/$f" "$T/de/$f"; done

echo "locale: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
