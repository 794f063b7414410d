#!/usr/bin/env bash
# Crash safety: a scan killed with SIGKILL at random points never leaves a
# corrupt case file, and a re-run completes it with no duplicated findings.
# A full disk (file-size limit) or an unwritable output folder gives a clear
# error and exit code 2, and leaves the previous results intact.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
SRC=${UM_SRC_DIR:?}
GEN=${UM_BIN_DIR:?}/bench/gen_bench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
mkdir -p "$T/in"
cp -r "$SRC/examples/demo" "$T/in/demo"
"$GEN" --bytes 30000000 --out "$T/in" || exit 1
IN=("$T/in/demo" "$T/in/okta.jsonl" "$T/in/sysmon.jsonl")

t0=$(date +%s%N)
"$U" scan -q --fail-on never -o "$T/ref" "${IN[@]}"
ok test $? -eq 0
dur_ms=$((($(date +%s%N) - t0) / 1000000))
sort "$T/ref/findings.jsonl" >"$T/ref.sorted"
cp -r "$T/ref" "$T/out" # a previous result the killed runs try to replace

# kill points spread over the second half of a run, where the outputs are
# written (the first half only reads)
RANDOM=7
for round in 1 2 3 4 5 6 7 8; do
  "$U" scan -q --fail-on never -o "$T/out" "${IN[@]}" &
  pid=$!
  at=$((dur_ms / 2 + RANDOM % (dur_ms / 2 + 1)))
  sleep "$((at / 1000)).$(printf %03d $((at % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [[ -f "$T/out/case.db" ]]; then
    ok test "$(sqlite3 "$T/out/case.db" 'pragma integrity_check')" = ok
    ok test "$(sqlite3 "$T/out/case.db" 'select count(*) - count(distinct id) from findings')" = 0
  fi
  for f in subjects.jsonl findings.jsonl; do # complete or absent, never half-written
    [[ -f "$T/out/$f" ]] && ok test "$(tail -c 1 "$T/out/$f" | od -An -c | tr -d ' ')" = '\n'
  done
done
"$U" scan -q --fail-on never -o "$T/out" "${IN[@]}"
ok test $? -eq 0
ok cmp -s "$T/ref.sorted" <(sort "$T/out/findings.jsonl")
ok test "$(sqlite3 "$T/out/case.db" 'select count(*) - count(distinct id) from findings')" = 0
ok test "$(sqlite3 "$T/out/case.db" 'select count(*) from findings')" = "$(wc -l <"$T/ref/findings.jsonl")"
ok test -z "$(find "$T/out" -name '.*tmp*')" # temporaries of killed runs are cleaned up

# progress: on stderr only when it is a terminal
"$U" scan --fail-on never -o "$T/prog" "${IN[@]}" >/dev/null 2>"$T/noprog.err"
ok test "$(grep -c '%' "$T/noprog.err")" = 0
if command -v script >/dev/null; then
  script -qec "\"$U\" scan --fail-on never -o \"$T/prog\" ${IN[*]} >/dev/null" /dev/null >"$T/tty.out" 2>&1
  ok grep -q '% .*records' "$T/tty.out"
fi

# full disk: a 16 KiB file-size limit makes every output write fail
cp -r "$T/ref" "$T/full"
( ulimit -f 16; "$U" scan -q -o "$T/full" "$T/in/demo" 2>"$T/full.err" ); rc=$?
ok test "$rc" -eq 2
ok grep -q "cannot write\|File too large\|case.db" "$T/full.err"
ok cmp -s "$T/ref/findings.jsonl" "$T/full/findings.jsonl" # previous results intact
ok test "$(sqlite3 "$T/full/case.db" 'pragma integrity_check')" = ok

# unwritable output folder: as root, run as nobody (root may write anywhere).
# nobody may not reach the checkout (a clone under /root is mode 700), so it
# runs a copy of the program with an (empty) data folder, both in $T; where
# nobody still cannot run it, a path through a regular file stands in.
mkdir -p "$T/ro" "$T/nobody/data" && chmod 755 "$T" "$T/ro"
chmod -R a+rX "$T/in"
if [[ $(id -u) -ne 0 ]]; then
  chmod 500 "$T/ro"
  "$U" scan -q -o "$T/ro/out" "$T/in/demo" 2>"$T/ro.err"; rc=$?
else
  cp "$U" "$T/nobody/unmask" && chmod -R a+rX "$T/nobody"
  NB=(setpriv --reuid=65534 --regid=65534 --clear-groups env -u UNMASK_DATA_DIR)
  if command -v setpriv >/dev/null && "${NB[@]}" "$T/nobody/unmask" version >/dev/null 2>&1; then
    "${NB[@]}" "$T/nobody/unmask" scan -q --data-dir "$T/nobody/data" -o "$T/ro/out" "$T/in/demo" 2>"$T/ro.err"; rc=$?
  else
    echo "e2e_crash: nobody cannot run the program here; testing an output path through a regular file" >&2
    : >"$T/ro/file"
    "$U" scan -q -o "$T/ro/file/out" "$T/in/demo" 2>"$T/ro.err"; rc=$?
  fi
fi
ok test "$rc" -eq 2
ok grep -q "cannot create\|cannot lock" "$T/ro.err"

echo "$pass passed, $fail failed"
exit $((fail > 0))
