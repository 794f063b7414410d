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
#      event, the same warning);
#  (d) large JSON-lines files split into line-aligned parts (read on
#      different threads, src/core/partition.h): NXLog, Winlogbeat, Okta and
#      Entra lines with hostile lines mixed in (not JSON, truncated, blank,
#      CRLF, unhandled event ids beyond the 12 the warning names, an
#      over-long line, a byte-order mark mid-file, no final newline), parts
#      of 64 KiB and of 4 KiB (UNMASK_PART_BYTES), 2 and 3 threads, and
#      under a findings limit;
#  (e) an applicant export of 6,000 people (bench/gen_people): large enough
#      that names are screened on a second thread (> 2,048 names) and
#      identifiers are canonicalised on a second thread (>= 4,096 records),
#      so the sanitizer build runs those paths too.
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
    for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
        cmp -s "$a/$f" "$b/$f" || fail "$name: $f differs between 1 and $n threads"
    done
    # the journals too (a scan on threads reads identity inputs before the
    # prefilters are ready: their headers once said so and differed)
    if [ -d "$a/journal" ]; then
        diff -r "$a/journal" "$b/journal" >/dev/null || fail "$name: journals differ between 1 and $n threads"
    fi
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

# (d) split files: every line keeps its number, every reject and
# end-of-file warning is said once, in order
"$GEN" --bytes 12000000 --people 300 --out "$tmp/big"
mix() { # in out idfield: hostile lines after every 37th line
    awk -v idf="$3" 'BEGIN { srand(7) }
    { print }
    NR % 37 == 0 {
        k = int(NR / 37) % 7
        if (k == 0) print "not json at all"
        else if (k == 1) { print ""; print "  \t " }
        else if (k == 2) { l = $0; id = 2000 + int(NR / 37) % 40
            if (idf == "nx") sub(/"EventID":[0-9]+/, "\"EventID\":" id, l)
            else sub(/"event_id":"[0-9]+"/, "\"event_id\":\"" id "\"", l)
            print l }
        else if (k == 3) print $0 "\r"
        else if (k == 4) print substr($0, 1, 200)
        else if (k == 5) print "\357\273\277" $0
        else print "{\"a\":1}"
    }
    NR == 3000 { s = "x"; while (length(s) < 1100000) s = s s; print "{\"long\":\"" s "\"}" }' "$1" >"$2"
    printf '%s' "$(tail -n 1 "$1")" >>"$2" # a last line without its newline
}
mkdir -p "$tmp/split"
mix "$tmp/big/logs/nxlog.jsonl" "$tmp/split/nxlog.jsonl" nx
mix "$tmp/big/logs/winlogbeat.jsonl" "$tmp/split/winlogbeat.jsonl" wb
{ printf '\357\273\277'; cat "$tmp/big/logs/okta.jsonl"; } | awk -v h="$UM_SRC_DIR/tests/data/signin/okta_hostile.jsonl" \
    'BEGIN { while ((getline l < h) > 0) host[n++] = l } { print } NR % 50 == 0 { print host[int(NR / 50) % n] }' \
    >"$tmp/split/okta.jsonl"
awk -v h="$UM_SRC_DIR/tests/data/signin/entra_diag_mixed.jsonl" \
    'BEGIN { while ((getline l < h) > 0) host[n++] = l } { print } NR % 20 == 0 { print host[int(NR / 20) % n] }' \
    "$tmp/big/logs/entra.jsonl" >"$tmp/split/entra.jsonl"
[ "$(stat -c %s "$tmp/split/nxlog.jsonl")" -gt 4000000 ] || fail "split: test file too small to be split"
export UNMASK_PART_BYTES=65536
same split 2 "$tmp/big/hr" "$tmp/split"
same split3 3 "$tmp/big/hr" "$tmp/split"
grep -q "line longer than" "$tmp/split-1.sql" || fail "split: the over-long line was not rejected"
grep -q "events of unhandled types skipped (ids: .*others" "$tmp/split-1.sql" || fail "split: no unhandled-types warning"
same split_limited 2 --limit findings=12 "$tmp/big/hr" "$tmp/split"
grep -q "resource limit reached: 12 distinct findings" "$tmp/split_limited-1.sql" || fail "split_limited: the limit was not reached"
export UNMASK_PART_BYTES=4096
same split_small 2 "$tmp/big/hr" "$tmp/split"
unset UNMASK_PART_BYTES

# (e) the scale paths: screening and canonicalisation on a second thread
PEOPLE="$UM_BIN_DIR/bench/gen_people"
[ -x "$PEOPLE" ] || fail "$PEOPLE is not built"
"$PEOPLE" --people 6000 --out "$tmp/people.csv" 2>/dev/null
same people 2 "$tmp/people.csv"
[ -s "$tmp/people-1/clusters.jsonl" ] || fail "people: no clusters (the rings were not linked)"

echo "$pass passed, 0 failed"
