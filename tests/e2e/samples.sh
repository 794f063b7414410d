#!/usr/bin/env bash
# Every real public log sample (tests/data/{evtx,winjson,signin}; provenance
# beside each) scanned together: the expected results of
# ../shared/data/logs/README.md must hold, and nothing else may fire.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
D=${UM_SRC_DIR:?}/tests/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }

"$U" scan -q -o "$T/out" "$D/evtx" "$D/winjson" "$D/signin/vector_okta-api-logs-response.json" \
  "$D/signin/elastic-integrations_test-signinlogs-sample.log"
ok test $? -le 1
F="$T/out/findings.jsonl" S="$T/out/subjects.jsonl" DB="$T/out/case.db"
q() { jq -rs "$1" "$F"; }
display() { jq -r --arg id "$1" 'select(.id == $id) | .display' "$S"; }

# exactly three findings: AnyDesk, PiKVM, VNC
ok test "$(q 'length')" = 3
# AnyDesk (Sysmon 11 in the .evtx and its JSON rendering: one capture, counted once)
ok test "$(q '[.[] | select(.indicator == "EP-02" and .key == "AnyDesk")][0].count')" = 5
ok test "$(display "$(q '[.[] | select(.key == "AnyDesk")][0].subject_id')")" = 'attackrange\administrator'
ok test "$(q '[.[] | select(.key == "AnyDesk")][0].first_seen')" = "2025-10-24T23:34:34.640670Z"
# PiKVM composite device 1d6b:0104 (USB Device Tree Viewer text)
ok test "$(q '[.[] | select(.indicator == "EP-01")][0].key')" = "1d6b:0104"
ok test "$(q '[.[] | select(.indicator == "EP-01")][0].strength')" = "strong"
# VNC: 3 RFB sessions from the Zeek rfb log
ok test "$(q '[.[] | select(.key == "VNC")][0].count')" = 3
# no sign-in finding: private and loopback addresses are never geolocated
ok test "$(q '[.[] | select(.indicator | startswith("NET"))] | length')" = 0
# the "Lateral Movement" RuleName (contains "atera") and PowerShell remoting: nothing
ok test "$(jq -r 'select(.display == "insecurebank\\administrator") | .findings' "$S")" = 0
ok test "$(jq -r 'select(.display == "shire\\pgustavo") | .findings' "$S")" = 0
# sign-ins read with their own fields
ok test "$(jq -r 'select(.display == "john.doe@example.com") | .level' "$S")" = clean
ok test "$(jq -r 'select(.display == "mpliftrelastic20210901@outlook.com") | .level' "$S")" = clean
# every file read; no record rejected; counts
ok test "$(sqlite3 "$DB" "select count(*) from rejects where kind = 'reject'")" = 0
ok test "$(sqlite3 "$DB" "select value from events_summary where key = 'files'")" -ge 14
ok test "$(sqlite3 "$DB" "select value from events_summary where key = 'events'")" -ge 450

echo "$pass passed, $fail failed"
exit $((fail > 0))
