#!/usr/bin/env bash
# Threads give the same results: unmask scan --threads 1 and --threads N
# write byte-identical outputs (subjects.jsonl, findings.jsonl, the CSVs,
# the case.db dump and the printed table) on
#  (a) the demo case (examples/demo);
#  (b) a multi-file log set: bench/gen_bench's HR export and Okta, Entra,
#      NXLog and Winlogbeat logs, plus the real samples (sysmon JSON, OTRF
#      NXLog lines, Okta/Entra exports with hostile lines that become
#      rejects, and EVTX files, whose reader runs on the scan's thread);
#  (c) the same set under a log_subjects limit (limits hit at the same
#      event, the same warning).
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
GEN="$UM_BIN_DIR/bench/gen_bench"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$GEN" ] || fail "$GEN is not built"
pass=0

same() { # name threads args...
    local name=$1 n=$2; shift 2
    local a="$tmp/$name-1" b="$tmp/$name-$n" rc1=0 rc2=0
    "$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$a" "$@" >"$a.out" 2>"$a.err" || rc1=$?
    "$UNMASK" scan --threads "$n" -n 0 --fail-on never -o "$b" "$@" >"$b.out" 2>"$b.err" || rc2=$?
    [ "$rc1" = 0 ] || fail "$name: --threads 1 exit $rc1: $(cat "$a.err")"
    [ "$rc1" = "$rc2" ] || fail "$name: exit $rc1 with one thread, $rc2 with $n"
    for f in subjects.jsonl findings.jsonl subjects.csv findings.csv; do
        cmp -s "$a/$f" "$b/$f" || fail "$name: $f differs between 1 and $n threads"
    done
    sqlite3 "$a/case.db" .dump >"$a.sql"
    sqlite3 "$b/case.db" .dump >"$b.sql"
    cmp -s "$a.sql" "$b.sql" || fail "$name: case.db differs between 1 and $n threads"
    sed "s|$b|OUT|g" "$b.out" >"$b.out2"; sed "s|$a|OUT|g" "$a.out" >"$a.out2"
    cmp -s "$a.out2" "$b.out2" || fail "$name: printed table differs between 1 and $n threads"
    [ -s "$a/findings.jsonl" ] || fail "$name: no findings at all (test data lost its point)"
    pass=$((pass + 1))
}

# (a) the demo case
same demo 3 "$UM_SRC_DIR/examples/demo"
same demo2 2 "$UM_SRC_DIR/examples/demo"

# (b) a multi-file log set with real samples, rejects and a serial (EVTX) reader between the others
"$GEN" --bytes 6000000 --people 300 --out "$tmp/gen"
set_inputs=("$tmp/gen/hr" "$tmp/gen/logs" "$UM_SRC_DIR/tests/data/winjson" "$UM_SRC_DIR/tests/data/evtx"
            "$UM_SRC_DIR/tests/data/signin/okta_hostile.jsonl" "$UM_SRC_DIR/tests/data/signin/entra_diag_mixed.jsonl"
            "$UM_SRC_DIR/tests/data/signin/elastic-integrations_test-signinlogs-sample.log")
same logs 2 "${set_inputs[@]}"
same logs4 4 "${set_inputs[@]}"
sqlite3 "$tmp/logs-1/case.db" "select count(*) from rejects" | grep -qv '^0$' || fail "logs: expected rejects in the set"

# (c) under a limit reached mid-way (no HR export: every account is log-only)
same limited 3 --limit log_subjects=50 "${set_inputs[@]:1}"
grep -q "resource limit reached: 50 accounts" "$tmp/limited-1.sql" || fail "limited: the limit was not reached"

echo "$pass passed, 0 failed"
