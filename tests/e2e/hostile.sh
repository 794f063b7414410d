#!/usr/bin/env bash
# Bad-input policy, for every text reader: invalid UTF-8, NUL bytes,
# truncated files, UTF-16 with BOM, Latin-1, duplicate JSON keys, numbers as
# strings, impossible and far-future dates, empty files, ragged CSV rows (and
# with UM_SLOW=1 a 100 MB line). Each bad record becomes a counted reject or
# warning with file and line; the scan completes; no valid record is lost.
# EVTX is binary (tests/unit/test_evtx.c and its fuzz target cover its
# records); here only libevtx starved of memory in its child process.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$R/$CASE]: $*" >&2; fi; }

# rec READER USER DATE -> one valid record line (no newline); hdr READER -> header or nothing
hdr() { case $1 in person-csv) printf 'Candidate ID,Full Name,Email,Hire Date\n' ;; esac; }
rec() {
  local u=$2 d=$3
  case $1 in
  person-csv) printf 'C-%s,%s Lee,%s@x.example,%s' "$u" "$u" "$u" "${d%%T*}" ;;
  person-json) printf '{"candidate_id":"C-%s","full_name":"%s Lee","email":"%s@x.example"}' "$u" "$u" "$u" ;;
  okta) printf '{"uuid":"%s","published":"%s","eventType":"user.session.start","actor":{"alternateId":"%s@x.example"},"client":{"ipAddress":"1.2.3.4"},"outcome":{"result":"SUCCESS"}}' "$u" "$d" "$u" ;;
  entra) printf '{"time":"%s","category":"SignInLogs","properties":{"id":"%s","userPrincipalName":"%s@x.example","createdDateTime":"%s","ipAddress":"1.2.3.4","status":{"errorCode":0}}}' "$d" "$u" "$u" "$d" ;;
  winlog-jsonl) printf '{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"h1","@timestamp":"%s","Image":"C:\\\\%s.exe","User":"D\\\\%s"}' "$d" "$u" "$u" ;;
  sysmon-json) printf '{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"h1","TimeCreated":{"#attributes":{"SystemTime":"%s"}}},"EventData":{"Image":"C:\\\\%s.exe","User":"D\\\\%s"}}}' "$d" "$u" "$u" ;;
  zeek) printf '{"ts":"%s","uid":"%s","id.orig_h":"10.0.0.1","id.orig_p":5000,"id.resp_h":"1.2.3.4","id.resp_p":443,"proto":"tcp","_path":"conn"}' "$d" "$u" ;;
  git-log) printf '%040d\t%s Lee\t%s@x.example\t%s\t%s\tsubject %s' "${#u}$RANDOM" "$u" "$u" "${d%Z}+09:00" "${d%Z}+09:00" "$u" ;;
  usb-text) printf 'Bus 001 Device 0%02d: ID 046d:c0%02d Logitech, Inc. Mouse %s' "${#u}" "$((RANDOM % 90 + 10))" "$u" ;;
  esac
}
D=2026-09-01T10:00:00Z
has_dates() { [[ $1 != person-* && $1 != usb-text ]]; }
is_json() { [[ $1 == person-json || $1 == okta || $1 == entra || $1 == winlog-jsonl || $1 == sysmon-json || $1 == zeek ]]; }

# scan FILE -> sets VALID (events + persons), REJ (rejects), WARN, RC
scan() {
  rm -rf "$T/out"
  "$U" scan -q --fail-on never --format "$R" -o "$T/out" "$1" 2>"$T/err"
  RC=$?
  local db="$T/out/case.db"
  VALID=$(sqlite3 "$db" "select sum(value) from events_summary where key in ('events','persons')" 2>/dev/null)
  REJ=$(sqlite3 "$db" "select value from events_summary where key = 'rejects'" 2>/dev/null)
  WARN=$(sqlite3 "$db" "select value from events_summary where key = 'warnings'" 2>/dev/null)
  LINES=$(sqlite3 "$db" "select group_concat(line) from rejects" 2>/dev/null)
}
# a file: header, valid record, BAD, valid record
sandwich() { { hdr "$R"; rec "$R" ann "$D"; echo; printf '%s\n' "$1"; rec "$R" bob "$D"; echo; } >"$T/f"; }
bad_line() { hdr "$R" | grep -c . | awk '{print $1 + 2}'; } # line number of BAD

for R in person-csv person-json okta entra winlog-jsonl sysmon-json zeek git-log usb-text; do
  CASE=baseline; { hdr "$R"; rec "$R" ann "$D"; echo; rec "$R" bob "$D"; echo; } >"$T/f"; scan "$T/f"
  ok test "$RC" = 0; ok test "$VALID" = 2; ok test "$REJ" = 0

  CASE=invalid-utf8; sandwich "$(rec "$R" $'c\xff\xfex' "$D")"; scan "$T/f"
  ok test "$RC" = 0; ok test "$VALID" -ge 2; ok test $((REJ + WARN)) -ge 1

  CASE=nul-byte; { hdr "$R"; rec "$R" ann "$D"; echo; rec "$R" cx "$D" | sed 's/cx/c\x00x/'; echo; rec "$R" bob "$D"; echo; } >"$T/f"; scan "$T/f"
  ok test "$RC" = 0; ok test "$VALID" -ge 2; ok test $((REJ + WARN)) -ge 1

  CASE=truncated; { hdr "$R"; rec "$R" ann "$D"; echo; rec "$R" bob "$D"; echo; rec "$R" carl "$D" | head -c 25; } >"$T/f"; scan "$T/f"
  ok test "$RC" = 0; ok test "$VALID" = 2; ok test $((REJ + WARN)) -ge 1

  CASE=latin1; sandwich "$(rec "$R" $'Jos\xe9' "$D")"; scan "$T/f"
  ok test "$RC" = 0; ok test "$VALID" -ge 2; ok test $((REJ + WARN)) -ge 1

  CASE=utf16; { hdr "$R"; rec "$R" ann "$D"; echo; rec "$R" bob "$D"; echo; } | iconv -f UTF-8 -t UTF-16 >"$T/f"; scan "$T/f"
  ok test "$RC" = 0; ok test "$VALID" = 2; ok test "$REJ" = 0; ok test "$WARN" -ge 1

  CASE=empty; : >"$T/f"; scan "$T/f"
  ok test "$RC" = 0; ok test "${VALID:-0}" = 0; ok test $((REJ + WARN)) -ge 1

  if has_dates "$R"; then
    CASE=impossible-date; sandwich "$(rec "$R" carl 2017-09-31T10:00:00Z)"; scan "$T/f"
    ok test "$RC" = 0; ok test "$VALID" = 2; ok test "$REJ" = 1; ok test "$LINES" = "$(bad_line)"
    CASE=far-future; sandwich "$(rec "$R" carl 2999-01-01T10:00:00Z)"; scan "$T/f"
    ok test "$RC" = 0; ok test "$VALID" -ge 2; ok test "$REJ" = 1
  fi
  if is_json "$R"; then
    CASE=duplicate-key; sandwich "$(rec "$R" carl "$D" | sed -E 's/^\{/{"uid":"x","uuid":"y","EventID":1,"full_name":"z",/')"; scan "$T/f"
    ok test "$RC" = 0; ok test "$VALID" -ge 2
    CASE=not-json; sandwich 'this is {not json'; scan "$T/f"
    ok test "$RC" = 0; ok test "$VALID" = 2; ok test $((REJ + WARN)) -ge 1
    CASE=deep-nesting; sandwich "$(printf '%.0s[' $(seq 1 5000))"; scan "$T/f"
    ok test "$RC" = 0; ok test "$VALID" = 2; ok test $((REJ + WARN)) -ge 1
  fi
  if [[ ${UM_SLOW:-0} == 1 ]]; then
    CASE=100MB-line; { hdr "$R"; rec "$R" ann "$D"; echo; rec "$R" cx "$D" | sed "s/cx/$(head -c 104857600 /dev/zero | tr '\0' 'a')/"; echo; rec "$R" bob "$D"; echo; } >"$T/f" 2>/dev/null; scan "$T/f"
    ok test "$RC" = 0; ok test "$VALID" -ge 2
  fi
done

R=person-csv; CASE=ragged-row; sandwich 'C-9,Only Two'; scan "$T/f"
ok test "$VALID" = 2; ok test "$REJ" = 1; ok test "$LINES" = 3
R=winlog-jsonl; CASE=numbers-as-strings; { rec "$R" ann "$D" | sed 's/"EventID":1/"EventID":"1"/'; echo; } >"$T/f"; scan "$T/f"
ok test "$VALID" = 1; ok test "$REJ" = 0
R=okta; CASE=duplicate-user-key; sandwich '{"uuid":"d","published":"2026-09-01T10:00:00Z","eventType":"user.session.start","actor":{"alternateId":"a@x.example","alternateId":"b@x.example"},"client":{"ipAddress":"1.2.3.4"},"outcome":{"result":"SUCCESS"}}'; scan "$T/f"
ok test "$VALID" = 2; ok test "$REJ" = 1; ok grep -q alternateId <(sqlite3 "$T/out/case.db" 'select reason from rejects')

# EVTX: libevtx runs in a child process under a memory limit; starved of
# memory it fails record by record, and the scan goes on
R=evtx; CASE=evtx-memory-limit
E=${UM_SRC_DIR:?}/tests/data/evtx/DE_RDP_Tunneling_4624.evtx
scan "$E"; ok test "$VALID" = 18; ok test "$REJ" = 0
if [[ ${UM_SANITIZED:-0} != 1 ]]; then # (no address-space limit under ASan)
  UNMASK_EVTX_CHILD_MB=1 scan "$E"
  # the child is a fresh copy of the program: starved of memory it cannot
  # even open the file; that is a reject, and the scan goes on
  ok test "$RC" = 0; ok test "$REJ" -ge 1; ok test "${VALID:-0}" = 0
fi

echo "$pass passed, $fail failed"
exit $((fail > 0))
