#!/usr/bin/env bash
# End-to-end: people joined to their laptops and Windows accounts (issue 7
# point 2). The HR export has each person's laptop serial but no host name;
# Windows events name hosts BWL-<serial>.corp.example.io and accounts
# AzureAD\FirstLast and first.last@corp.example.io (a UPN in another domain
# than the work email). A PiKVM seen on Ann's laptop must land on Ann, the
# join explained; an asset inventory (host, serial, owner) joins Bob's host.
# Environment (set by ctest): UNMASK.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
tmp=$(mktemp -d)
trap "rm -rf \"$tmp\"" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "$tmp" >&2
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }
mkdir -p "$tmp/in"
cat > "$tmp/in/employees.csv" <<'CSV'
Employee ID,Full Name,Work Email,Laptop Serial,Hire Date,Country,Time Zone
E9001,Ann Smith,ann.smith@larkspur.example,C02XK1JHJG5H,2026-01-05,US,America/Chicago
E9002,Bob Jones,bob.jones@larkspur.example,5CG1234XYZ,2026-01-05,US,America/Chicago
E9003,Cleo Park,cleo.park@larkspur.example,PF3ABCD9,2026-01-05,US,America/Chicago
CSV
cat > "$tmp/in/assets.csv" <<'CSV'
Hostname,Serial Number,Owner
WS-BOB-01,5CG1234XYZ,bob.jones@larkspur.example
CSV
ev() { # host user eventid extra
    printf '{"EventTime":"2026-09-14 19:15:07","Hostname":"%s","EventType":"INFO","EventID":%s,"SourceName":"Microsoft-Windows-Security-Auditing","ProcessID":4,"Channel":"Security","EventReceivedTime":"2026-09-14 19:15:10","@timestamp":"2026-09-15T01:15:10.745Z","SubjectUserSid":"S-1-5-18","SubjectUserName":"%s","SubjectDomainName":"CORP"%s}\n' "$1" "$3" "$2" "$4"
}
{
    ev "BWL-C02XK1JHJG5H.corp.example.io" 'BWL-C02XK1JHJG5H$' 6416 ',"Category":"Plug and Play Events","DeviceId":"USB\\VID_1D6B&PID_0104\\CAFEBABE","DeviceDescription":"PiKVM Composite Device","ClassName":"HIDClass"'
    printf '{"EventTime":"2026-09-14 09:42:22","Hostname":"BWL-PF3ABCD9.corp.example.io","EventType":"INFO","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","ProcessID":3140,"Channel":"Microsoft-Windows-Sysmon/Operational","UtcTime":"2026-09-14 00:42:22.694","@timestamp":"2026-09-14T00:42:25.812Z","ProcessId":"1236","Image":"C:\\\\Program Files\\\\AnyDesk\\\\AnyDesk.exe","Product":"AnyDesk","Company":"AnyDesk Software GmbH","Description":"AnyDesk","OriginalFileName":"AnyDesk.exe","CommandLine":"AnyDesk.exe","User":"AzureAD\\\\CleoPark","ParentImage":"C:\\\\Windows\\\\explorer.exe"}\n'
    printf '{"EventTime":"2026-09-14 09:42:22","Hostname":"WS-BOB-01","EventType":"INFO","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","ProcessID":3140,"Channel":"Microsoft-Windows-Sysmon/Operational","UtcTime":"2026-09-14 00:42:22.694","@timestamp":"2026-09-14T00:42:25.812Z","ProcessId":"1236","Image":"C:\\\\Program Files\\\\AnyDesk\\\\AnyDesk.exe","Product":"AnyDesk","Company":"AnyDesk Software GmbH","Description":"AnyDesk","OriginalFileName":"AnyDesk.exe","CommandLine":"AnyDesk.exe","User":"NT AUTHORITY\\\\SYSTEM","ParentImage":"C:\\\\Windows\\\\explorer.exe"}\n'
} > "$tmp/in/sysmon.jsonl"
rc=0
"$UNMASK" scan -q --fail-on never -o "$tmp/out" "$tmp/in" 2> "$tmp/err" || rc=$?
CASE=scan; ok test "$rc" = 0
sid() { jq -r --arg e "employee_id=$1" 'select(.sources | index($e)) | .id' "$tmp/out/subjects.jsonl"; }
has() { [ -n "$(jq -r --arg s "$1" --arg i "$2" 'select(.subject_id == $s and .indicator == $i) | .id' "$tmp/out/findings.jsonl")" ]; }
ANN=$(sid e9001) BOB=$(sid e9002) CLEO=$(sid e9003)
CASE=pikvm-on-ann; ok has "$ANN" EP-01
CASE=ann-join-explained; ok bash -c "jq -r --arg s '$ANN' 'select(.id == \$s) | .joins[]' '$tmp/out/subjects.jsonl' | grep -q 'laptop serial C02XK1JHJG5H in host name'"
CASE=no-host-subjects; ok test "$(jq -r 'select(.id | startswith("H-")) | .id' "$tmp/out/subjects.jsonl" | wc -l)" = 0
CASE=azuread-cleo; ok has "$CLEO" EP-02
CASE=inventory-bob; ok has "$BOB" EP-02
echo "$pass passed, $fail failed"
exit $((fail > 0))
