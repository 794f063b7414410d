#!/usr/bin/env bash
# Text from the input never drives the terminal: control characters in file
# names, names, values, reject reasons and options are shown escaped (\x1b)
# by every command (issue 13, point 4). The screen command has its own
# checks in screen.sh.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
# no raw ESC, BEL, C1 CSI (c2 9b) or bare CR in what the command printed
clean() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2\x9b' "$1"; }

mkdir -p "$T/in"
bad=$'a\e]0;PWNED\ab\e[2J'
# an HR export with a terminal escape in a name and a row that is rejected
printf 'Candidate ID,First Name,Last Name,Email\nC1,%s,Lee,ann@example.com\nC2,"broken\n' "$bad" >"$T/in/$bad.csv"
"$U" scan -v --top 0 --fail-on never -o "$T/out" "$T/in" >"$T/stdout" 2>"$T/stderr"
ok test $? = 0
ok clean "$T/stdout"
ok clean "$T/stderr"
ok grep -qF '\x1b]0;PWNED\x07' "$T/stdout"    # the name, escaped
ok grep -qF 'a\x1b]0;PWNED\x07b\x1b[2J.csv' "$T/stderr" # the file of the reject
# the output files keep the exact value (JSON escapes it its own way)
ok grep -qF '\u001b]0;PWNED\u0007' "$T/out/subjects.jsonl"

# a missing input, an unknown option and an unknown command echo escaped
"$U" scan -o "$T/o2" "$T/$bad-missing" >"$T/so" 2>"$T/se"
ok test $? = 2
ok clean "$T/se"
"$U" scan $'--\e[2Jx' "$T/in" >"$T/so" 2>"$T/se"
ok test $? = 2
ok clean "$T/se"
ok grep -qF -- '--\x1b[2Jx' "$T/se"
"$U" $'\e[2J' >"$T/so" 2>"$T/se"
ok test $? = 2
ok clean "$T/se"

# a --json run writes JSON on stdout: escapes are JSON escapes, never raw
"$U" scan --json --fail-on never -o "$T/o3" "$T/in" >"$T/sj" 2>/dev/null
ok clean "$T/sj"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
