#!/usr/bin/env bash
# Analysis partitioned by person gives the same results (src/core/pmerge.c,
# src/core/partition.h 5.): a scan whose analyzers (all but the Sigma rules:
# hours, net, travel, code, ioc, endpoint, browser, activity, link) run as
# K instances, each fed only the events of the people hashed to its
# partition, their state folded with each analyzer's merge hook (the people
# of one browser, one IP or one heatmap cap in different partitions) and
# their findings merged by position, writes
# byte-identical outputs (subjects.jsonl, findings.jsonl, clusters.jsonl,
# both CSVs, the case.db dump, the printed table) to the scan without
# partitions, on
#  (a) the demo case (examples/demo), K = 2, 3, 8;
#  (b) a multi-file log set: the demo case, bench/gen_bench's HR export and Okta, Entra,
#      NXLog and Winlogbeat logs, plus the real samples (sysmon JSON, OTRF
#      NXLog lines, Okta/Entra exports with hostile lines, EVTX,
#      USB inventories, git histories), K = 2, 5, 16, and K = 3 with
#      --threads 2 (parts read on threads, replayed in order, partitioned);
#  (c) the set's logs and samples without the HR exports: every account
#      is a log-only subject, routed by its id, K = 4;
#  (d) the demo case under a findings limit (40 of 128: the limit is
#      checked at the merge, in the one-thread order of the findings'
#      making), K = 4; the scan without partitions used to fail here
#      (net's and travel's counts on a finding the limit refused).
# The runs marked "round trip" set UNMASK_PARTITION_ROUNDTRIP=1: every
# partition's state (its analyzer instances and finding table, with
# positions; src/core/pstate.h) is saved to bytes after the last event and
# loaded back into new instances, the old ones freed, before the merge, as
# the coordinator will load the states workers send; the outputs must
# still be byte-identical, and the run must say how many bytes it saved.
# Each partitioned run must say (-v) that two or more partitions handled
# events, and the set must hold findings of the partitioned analyzers, so
# a merge that lost or doubled a partition's state shows as a difference.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
GEN="$UM_BIN_DIR/bench/gen_bench"
tmp=$(mktemp -d)
if [ -n "${UM_KEEP:-}" ]; then echo "partitions: outputs kept in $tmp" >&2; else trap 'rm -rf "$tmp"' EXIT; fi
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$GEN" ] || fail "$GEN is not built"
pass=0

base() { # name args...: the scan without partitions
    local name=$1; shift
    local a="$tmp/$name-base" rc=0
    "$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$a" "$@" >"$a.out" 2>"$a.err" || rc=$?
    [ "$rc" = 0 ] || fail "$name: scan without partitions exit $rc: $(cat "$a.err")"
    sqlite3 "$a/case.db" .dump >"$a.sql"
    sed "s|$a|OUT|g" "$a.out" >"$a.out2"
    [ -s "$a/findings.jsonl" ] || fail "$name: no findings at all (test data lost its point)"
}

same() { # name K threads args...: partitioned, compared with base
    local name=$1 k=$2 n=$3; shift 3
    local a="$tmp/$name-base" b="$tmp/$name-k$k-t$n${RT:+-rt}" rc=0
    UNMASK_PARTITION_ROUNDTRIP=${RT:-0} UNMASK_PARTITIONS=$k "$UNMASK" scan -v --threads "$n" -n 0 --fail-on never -o "$b" "$@" >"$b.out" 2>"$b.err" || rc=$?
    [ "$rc" = 0 ] || fail "$name: $k partitions exit $rc: $(cat "$b.err")"
    for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
        cmp -s "$a/$f" "$b/$f" || { diff "$a/$f" "$b/$f" | head -5 | cut -c1-300 >&2; fail "$name: $f differs with $k partitions"; }
    done
    sqlite3 "$b/case.db" .dump >"$b.sql"
    cmp -s "$a.sql" "$b.sql" || { diff "$a.sql" "$b.sql" | head -5 | cut -c1-300 >&2; fail "$name: case.db differs with $k partitions"; }
    sed "s|$b|OUT|g" "$b.out" >"$b.out2"
    cmp -s "$a.out2" "$b.out2" || fail "$name: printed table differs with $k partitions"
    local busy
    busy=$(sed -n 's/.*analysis partitioned by person: \([0-9]*\) partitions had events.*/\1/p' "$b.err")
    [ -n "$busy" ] && [ "$busy" -ge 2 ] || fail "$name: $k partitions requested, ${busy:-none} had events"
    if [ -n "${RT:-}" ]; then
        grep -q "partition states saved and loaded back: [1-9][0-9]* bytes" "$b.err" ||
            fail "$name: $k partitions: no state was saved and loaded back"
        if [ -n "${RT_FINDINGS:-}" ]; then # the partitions' finding tables travelled too
            grep -q "partition states saved and loaded back: [0-9]* bytes, [1-9][0-9]* findings" "$b.err" ||
                fail "$name: $k partitions: no finding went through a saved state"
        fi
    fi
    pass=$((pass + 1))
}

has() { # name indicator...: the base run holds findings of these indicators
    local name=$1; shift
    for ind in "$@"; do
        grep -q "\"indicator\":\"$ind\"" "$tmp/$name-base/findings.jsonl" || fail "$name: no $ind finding (test data lost its point)"
    done
}

# (a) the demo case
base demo "$UM_SRC_DIR/examples/demo"
has demo TM-01 TM-02 NET-01 NET-05 NET-06 EP-01 EP-02
for k in 2 3 8; do same demo "$k" 1 "$UM_SRC_DIR/examples/demo"; done
RT=1 same demo 3 1 "$UM_SRC_DIR/examples/demo" # round trip

# (b) a multi-file log set with real samples, rejects and serial readers
"$GEN" --bytes 6000000 --people 300 --out "$tmp/gen"
samples=("$UM_SRC_DIR/tests/data/winjson" "$UM_SRC_DIR/tests/data/evtx"
         "$UM_SRC_DIR/tests/data/signin/okta_hostile.jsonl" "$UM_SRC_DIR/tests/data/signin/entra_diag_mixed.jsonl"
         "$UM_SRC_DIR/tests/data/signin/elastic-integrations_test-signinlogs-sample.log"
         "$UM_SRC_DIR/tests/data/endpoint" "$UM_SRC_DIR/tests/data/git")
set_inputs=("$tmp/gen/hr" "$UM_SRC_DIR/examples/demo" "$tmp/gen/logs" "${samples[@]}")
base logs "${set_inputs[@]}"
has logs TM-01 TM-02 NET-01 NET-05 NET-06 EP-01 EP-02 IOC-01
for k in 2 5 16; do same logs "$k" 1 "${set_inputs[@]}"; done
same logs 3 2 "${set_inputs[@]}"
RT=1 RT_FINDINGS=1 same logs 5 1 "${set_inputs[@]}" # round trip
RT=1 same logs 3 2 "${set_inputs[@]}" # round trip

# (c) no HR export: every account is a log-only subject, routed by its id
base logonly "$tmp/gen/logs" "${samples[@]}"
same logonly 4 1 "$tmp/gen/logs" "${samples[@]}"
RT=1 same logonly 4 1 "$tmp/gen/logs" "${samples[@]}" # round trip

# (d) under a findings limit
base limited --limit findings=40 "$UM_SRC_DIR/examples/demo"
grep -q "resource limit reached: 40 distinct findings" "$tmp/limited-base.sql" || fail "limited: the limit was not reached"
same limited 4 1 --limit findings=40 "$UM_SRC_DIR/examples/demo"
RT=1 same limited 4 1 --limit findings=40 "$UM_SRC_DIR/examples/demo" # round trip

echo "partitions: $pass partitioned runs byte-identical to the scan without partitions"
