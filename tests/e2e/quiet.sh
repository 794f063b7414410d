#!/usr/bin/env bash
# scan -q wins over -v and --json in either order: nothing on stdout or
# stderr (no table, summary, skipped-file or reject lines, timings, progress
# on a terminal), only the exit status; errors are still printed. -v alone
# prints its lines (the control that this test can see them).
set -uo pipefail
U=${UNMASK:?UNMASK not set}
SRC=${UM_SRC_DIR:?UM_SRC_DIR not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
empty() { if [[ -s "$1" ]]; then echo "--- $1:" >&2; head -5 "$1" >&2; return 1; fi; }

# the demo case plus a rejected row and a file no reader takes (skipped)
mkdir -p "$T/in"
cp -r "$SRC/examples/demo" "$T/in/demo"
printf 'Candidate ID,First Name,Last Name,Email\nC1,Ann,Lee,ann@example.com\nC2,"broken\n' >"$T/in/hr.csv"
head -c 3000 /dev/urandom >"$T/in/blob.bin"

# control: -v alone prints timings, rejects and the summary on stderr
"$U" scan -v --fail-on never -o "$T/v" "$T/in" >"$T/v.out" 2>"$T/v.err"
ok test $? = 0
ok grep -q '^unmask: phases: ' "$T/v.err"
ok grep -q '^  reject ' "$T/v.err"
ok grep -q '^  skipped ' "$T/v.err"

n=0
for args in "-q -v" "-v -q" "--quiet --verbose --json" "--json -v -q --threads 2"; do
  n=$((n + 1))
  # shellcheck disable=SC2086 # the options are words
  "$U" scan $args --fail-on never -o "$T/o$n" "$T/in" >"$T/o$n.out" 2>"$T/o$n.err"
  ok test $? = 0
  ok empty "$T/o$n.out"
  ok empty "$T/o$n.err"
  ok test -s "$T/o$n/case.db" # the scan did run
done
# findings still decide the exit status under -q
"$U" scan -q -v -o "$T/f" "$SRC/examples/demo" >"$T/f.out" 2>"$T/f.err"
ok test $? = 1
ok empty "$T/f.err"
# on a terminal: no progress line either
if command -v script >/dev/null; then
  script -qec "\"$U\" scan -v -q --fail-on never -o \"$T/tty\" \"$T/in\"" /dev/null >"$T/tty.out" 2>&1
  ok empty "$T/tty.out"
fi
# an error is still said under -q
"$U" scan -q -v -o "$T/e" "$T/missing" >"$T/e.out" 2>"$T/e.err"
ok test $? = 2
ok grep -q 'missing' "$T/e.err"
ok empty "$T/e.out"

echo "quiet: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
