#!/usr/bin/env bash
# The shipped Sigma rule pack inside `unmask scan`:
#  - the company software allowlist: NinjaOne approved everywhere is never
#    flagged; TeamViewer approved for IT only is flagged on a developer's
#    laptop (saying where it is approved) and not on IT staff's; a second
#    agent beside the approved one is EP-10; the benign look-alikes (IT staff
#    with the approved tool, the approved RMM tool) stay below review;
#  - without the allowlist NinjaOne is flagged on both developer laptops;
#  - TeamViewer seen only as the target of Sysmon event 10 (real EVTX) is found;
#  - a remote-access domain in a Zeek dns.log is a weak EP-02;
#  - osquery results: processes through the Sigma rules, USB through the list;
#  - Okta and Entra sign-ins reach rules with logsource product okta /
#    azure signinlogs, and a value_count correlation finds one residential
#    IP behind three accounts within a week (not a proxy, not after a week).
set -uo pipefail
U=${UNMASK:?UNMASK not set}
D=${UM_SRC_DIR:?}/tests/data/sigma
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
A=$D/scan_allowlist

"$U" scan -q --fail-on never -o "$T/a" --allowlist "$A/company_software.csv" "$A/employees.csv" "$A/sysmon.jsonl"
ok test $? -eq 0
F=$T/a/findings.jsonl S=$T/a/subjects.jsonl
# subjects by employee id (the sources list holds employee_id=eN)
sid() { jq -r --arg e "employee_id=$2" 'select(.sources | index($e)) | .id' "$1"; }
find_of() { jq -r --arg s "$(sid "$S" "$1")" --arg i "$2" 'select(.indicator == $i and .subject_id == $s) | .key' "$F"; }
level() { jq -r --arg e "employee_id=$1" 'select(.sources | index($e)) | .level' "$S"; }
nfind() { jq -r --arg s "$(sid "$S" "$1")" 'select(.subject_id == $s)' "$F" | grep -c '"indicator"'; }
ok test "$(find_of e2 EP-02)" = TeamViewer
ok grep -q 'approved only for role:IT' "$F"
ok test "$(find_of e4 EP-02)" = AnyDesk
ok test "$(find_of e4 EP-10)" = "TeamViewer+AnyDesk"
for e in e1 e3 e5; do ok test "$(nfind "$e")" = 0; ok test "$(level "$e")" = clean; done
ok test "$(jq -r 'select(.key == "NinjaOne")' "$F" | wc -l)" = 0

"$U" scan -q --fail-on never -o "$T/b" "$A/employees.csv" "$A/sysmon.jsonl"
ok test "$(jq -r 'select(.key == "NinjaOne") | .subject_id' "$T/b/findings.jsonl" | sort | tr '\n' ' ')" = \
  "$(printf '%s\n' "$(sid "$T/b/subjects.jsonl" e3)" "$(sid "$T/b/subjects.jsonl" e5)" | sort | tr '\n' ' ')"

"$U" scan -q --fail-on never -o "$T/c" "$D/cases/point6_teamviewer_event10/CA_teamviewer-dumper_sysmon_10.evtx"
ok test "$(jq -r 'select(.indicator == "EP-02") | .key' "$T/c/findings.jsonl")" = TeamViewer
ok grep -q 'TargetImage=C:\\\\Program Files (x86)\\\\TeamViewer\\\\TeamViewer.exe' "$T/c/findings.jsonl"

"$U" scan -q --fail-on never -o "$T/d" "$D/scan_zeek/dns.log"
ok test "$(jq -r 'select(.indicator == "EP-02") | "\(.key) \(.strength)"' "$T/d/findings.jsonl")" = "AnyDesk weak"

# osquery results: a process row is read by the process_creation rules, a
# usb_devices row by the IP-KVM list; removed rows are not events
"$U" scan -q --fail-on never -o "$T/e" "${UM_SRC_DIR}/tests/data/osquery/osqueryd.results.log"
ok test "$(jq -r '"\(.indicator) \(.key) \(.count)"' "$T/e/findings.jsonl" | sort | tr '\n' ',')" = "EP-01 1d6b:0104 1,EP-02 AnyDesk 1,EP-03 Astrill 1,"
ok test "$(sqlite3 "$T/e/case.db" "select count(*) from rejects where kind = 'reject'")" = 1

# sign-ins as Sigma events (tests/data/sigma/scan_signins/rules.yml)
G=$D/scan_signins
"$U" scan -q --fail-on never -o "$T/g" --rules "$G/rules.yml" "$G/okta.jsonl" "$G/entra.json"
ok test $? -eq 0
ok test "$(jq -r 'select(.analyzer == "rules" and .indicator == "NET-03") | .evidence[0].line' "$T/g/findings.jsonl")" = 4
ok grep -q 'correlation=value_count; group=client.ipAddress=73.9.9.9; count=3' "$T/g/findings.jsonl"
ok test "$(jq -r 'select(.analyzer == "rules" and .indicator == "NET-03")' "$T/g/findings.jsonl" | grep -c '"indicator"')" = 1
ok test "$(jq -r 'select(.analyzer == "rules" and .indicator == "NET-05") | "\(.evidence[0].file | split("/") | last):\(.evidence[0].line)"' "$T/g/findings.jsonl")" = entra.json:1

echo "$pass passed, $fail failed"
exit $((fail > 0))
