#!/usr/bin/env bash
# Continuous mode (unmask worker --follow): events published to
# unmask.events.SOURCE end up in the case exactly as a scan of the same
# logs counts them, across two SIGKILLs of the follower while events arrive
# and rounds run, events published while it was down and a shipper's retry
# of a message it already sent:
#  - each round adds only the new messages to the case (incremental, from
#    the journals in CASE/journal/), and every spooled message is in the
#    case exactly once (case.db inputs);
#  - findings (id, subject, indicator, key, count, first/last seen, weight,
#    strength, summary) and subjects (id, score, level) equal a local scan
#    of the same identity inputs and logs (evidence samples name the spool
#    files, so they are not compared);
#  - the last line published to unmask.findings for every finding is the
#    case's line for it (or a withdrawal when the case no longer has it),
#    and every finding of the case was published.
# Starts its own nats-server -js on a loopback port in 14200-14299.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?}"; : "${UM_SRC_DIR:?}"; : "${UM_BIN_DIR:?}"
PUB="$UM_BIN_DIR/tests/nats_pub"
D="$UM_SRC_DIR/examples/demo"
# its own block of ports (tests/e2e/lib/nats.sh)
NATS_PORTS=${NATS_PORTS:-"14220 14239"}
NATS_PORT_ORDER=${NATS_PORT_ORDER:-random}
source "$UM_SRC_DIR/tests/e2e/lib/nats.sh"
[ -x "$PUB" ] || fail "$PUB is not built"
start_server

ids=("$D/hr" "$D/it" "$D/payroll")
# the reference: winlog-jsonl before okta (the follower reads its spool in reader order)
"$UNMASK" scan --threads 1 -q --fail-on never -o "$tmp/ref" "${ids[@]}" "$D/logs/sysmon.jsonl" "$D/logs/okta.jsonl" \
    >"$tmp/ref.out" 2>&1 || fail "reference scan: $(cat "$tmp/ref.out")"

follow() { # log
    "$UNMASK" worker --nats "$URL" --follow -o "$tmp/case" --interval 1 -v "${ids[@]}" 2>"$tmp/$1.log" &
    fpid=$!
    pids+=("$fpid")
    for _ in $(seq 300); do grep -q "following" "$tmp/$1.log" 2>/dev/null && return 0; sleep 0.1; done
    fail "the follower did not start"
}
norm_f() { jq -c '{id,subject_id,indicator,key,count,first_seen,last_seen,weight,strength,summary}' "$1" | sort; }
norm_s() { jq -c '{id,score,level}' "$1" | sort; }

L=100 # Okta lines a message
okta_msgs=$(( ($(wc -l <"$D/logs/okta.jsonl") + L - 1) / L ))
h1=$((okta_msgs / 4)) h2=$((okta_msgs / 2))
follow f1
"$PUB" pub "$URL" unmask.events.okta "$D/logs/okta.jsonl" $L 0 $h1 || fail "publish"
for _ in $(seq 600); do grep -q "round:" "$tmp/f1.log" && break; sleep 0.1; done
grep -q "round:" "$tmp/f1.log" || fail "no round after the first events"
[ -s "$tmp/case/findings.jsonl" ] || fail "no case after the first round"
# mid-stream: the follower SIGKILLed while messages arrive and rounds run, twice
"$PUB" pub "$URL" unmask.events.okta "$D/logs/okta.jsonl" $L $((h1 + 1)) $h2 &
pubpid=$!
sleep 0.6
kill -KILL "$fpid"; wait "$fpid" 2>/dev/null || true
wait "$pubpid" || fail "publish"
follow f2
"$PUB" pub "$URL" unmask.events.okta "$D/logs/okta.jsonl" $L $((h2 + 1)) &
pubpid=$!
for _ in $(seq 100); do grep -q "round:" "$tmp/f2.log" && break; sleep 0.05; done
sleep 0.3
kill -KILL "$fpid"; wait "$fpid" 2>/dev/null || true
wait "$pubpid" || fail "publish"
# while the follower is down (its durable consumer keeps the place): a retry of message 0, and the Windows events
"$PUB" pub "$URL" unmask.events.okta "$D/logs/okta.jsonl" $L 0 0 || fail "publish (retry)"
"$PUB" pub "$URL" unmask.events.winlog-jsonl "$D/logs/sysmon.jsonl" 300 || fail "publish"
"$PUB" pub "$URL" unmask.events.no-such-reader "$D/logs/okta.jsonl" 200 0 1 || fail "publish"
follow f3
ok=0
for _ in $(seq 1200); do
    if [ -s "$tmp/case/findings.jsonl" ] && cmp -s <(norm_f "$tmp/ref/findings.jsonl") <(norm_f "$tmp/case/findings.jsonl"); then ok=1; break; fi
    sleep 0.1
done
[ "$ok" = 1 ] || { diff <(norm_f "$tmp/ref/findings.jsonl") <(norm_f "$tmp/case/findings.jsonl") | head -5 >&2; fail "findings differ from the local scan"; }
sleep 2 # a last round would change nothing; let it finish publishing
kill -TERM "$fpid"; wait "$fpid" 2>/dev/null || true
# incremental and exact: every spool file is in the case once, each round
# added only what was new, and the case keeps a journal per input
n=$(find "$tmp/case.spool" -name '*.jsonl' | wc -l)
in_case=$(sqlite3 "$tmp/case/case.db" "SELECT count(*) || ' ' || count(DISTINCT path) FROM inputs WHERE path LIKE '%case.spool/%'")
[ "$in_case" = "$n $n" ] || fail "the case lists spool files '$in_case' times, not $n (lost or counted twice)"
last_added=$(grep -o "round: [0-9]* messages added" "$tmp/f3.log" | tail -1 | grep -o "[0-9]*")
[ -n "$last_added" ] && [ "$last_added" -lt "$n" ] || fail "the last round added ${last_added:-nothing}, not just the new messages"
j=$(find "$tmp/case/journal" -name '*.umj' | wc -l)
[ "$j" -ge "$n" ] || fail "$j journals for $n spool files"
cmp -s <(norm_s "$tmp/ref/subjects.jsonl") <(norm_s "$tmp/case/subjects.jsonl") || fail "subjects differ from the local scan"
n=$(find "$tmp/case.spool" -name '*.jsonl' | wc -l)
want=$(( okta_msgs + ($(wc -l <"$D/logs/sysmon.jsonl") + 299) / 300 ))
[ "$n" = "$want" ] || fail "spool holds $n messages, not $want (a retry counted twice, or one lost)"
grep -q "dropped a message on unmask.events.no-such-reader" "$tmp/f3.log" || fail "a message for no reader was not refused"
"$PUB" dump "$URL" UNMASK_FINDINGS >"$tmp/published" || fail "dump"
jq -c -s 'map({(.id): .}) | add | to_entries | map(.value) | .[] | select(.withdrawn != true)' "$tmp/published" | sort >"$tmp/last"
jq -c . "$tmp/case/findings.jsonl" | sort >"$tmp/case-lines"
diff "$tmp/last" "$tmp/case-lines" | cut -c1-200 | head -6 >&2; cmp -s "$tmp/last" "$tmp/case-lines" || fail "the last published line of each finding is not the case's"
grep -H "round:" "$tmp"/f[123].log | sed "s|^$tmp/||" | cut -c1-140
echo "3 passed, 0 failed"
