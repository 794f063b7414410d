#!/usr/bin/env bash
# Scale-out over NATS JetStream gives the outputs of a local scan, also when
# things go wrong. Starts its own nats-server -js (file storage, loopback,
# a free port in 14200-14299) and `unmask worker` processes, and compares
# every output file and the case.db dump of `unmask scan --nats` with a
# local `unmask scan` on
#  (a) the demo case, two workers; a multi-file log set (bench/gen_bench
#      logs, real samples with hostile lines that become rejects, EVTX
#      files read on the scan's side), three workers (one with 2 threads);
#  (b) a worker killed with SIGKILL part-way through a unit (its unit is
#      redelivered after --ack-wait to another worker, duplicates skipped);
#  (c) workers that start only after the scan was submitted;
#  (d) nats-server stopped and restarted part-way (file storage);
#  (e) a server with user/password: the right password works, a wrong one
#      is exit 2 with a message saying the credentials were refused;
#  (f) the same with a token;
#  (g) big JSON-lines files sent as line-aligned parts (UNMASK_PART_BYTES)
#      that two workers share;
#  (h) a scan with extra rules (--rules) the workers lack: they keep every
#      field bag (their prefilters would drop the ones those rules need);
#  (a) again with the scan's analysis in 3 person partitions (UNMASK_PARTITIONS);
#  (i) the person partitions on the workers (--nats-partitions), demo and log set;
#  (j) a worker SIGKILLed while it holds a person partition (redelivered, rebuilt);
#  (k) person partitions with workers that join late;
#  (l) (d) again with person partitions on the workers;
#  (n) a unit's input bytes not found on the server: sent again, same outputs;
#  (m) workers whose context (data/ioc lists, VNC approval) is not the
#      scan's refuse its person partitions: exit 2 with a clear error.
# Workers run the prefilters (Sigma matching) when their rules are the
# scan's (a) and say so.
# Every scan here also blocks its identity index on the workers (the
# default 8 shards); tests/e2e/nats_link.sh covers the shards on their own.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
GEN="$UM_BIN_DIR/bench/gen_bench"
PUB="$UM_BIN_DIR/tests/nats_pub"
# its own block of ports (tests/e2e/lib/nats.sh)
NATS_PORTS=${NATS_PORTS:-"14200 14219"}
NATS_PORT_ORDER=${NATS_PORT_ORDER:-random}
source "$UM_SRC_DIR/tests/e2e/lib/nats.sh"
[ -x "$GEN" ] || fail "$GEN is not built"
[ -x "$PUB" ] || fail "$PUB is not built"
pass=0


same() { same_as "$1" "$2" "$1"; } # NAME RC: the bus scan $tmp/NAME-nats against $tmp/NAME-local
nats_scan() { # name args... (foreground)
    local name=$1; shift
    rc=0
    timeout 300 "$UNMASK" scan --nats "$URL" -n 0 --fail-on never -o "$tmp/$name-nats" "$@" >"$tmp/$name-nats.out" 2>&1 || rc=$?
}

start_server
t0=$SECONDS

# (a) clean runs
local_scan demo "$UM_SRC_DIR/examples/demo"
start_worker w1
start_worker w2
nats_scan demo "$UM_SRC_DIR/examples/demo"
same demo "$rc"
# the identity index was blocked on the workers, 8 shards (nats_link.sh tests the shards themselves)
grep -q "done: identity shard [0-9]* of 8, [1-9][0-9]* shared values" "$tmp/w1.log" "$tmp/w2.log" ||
    fail "demo: no identity shard with a shared value was blocked on the workers"

"$GEN" --bytes 6000000 --people 300 --out "$tmp/gen" >/dev/null
set_inputs=("$tmp/gen/hr" "$tmp/gen/logs" "$UM_SRC_DIR/tests/data/winjson" "$UM_SRC_DIR/tests/data/evtx"
            "$UM_SRC_DIR/tests/data/signin/okta_hostile.jsonl" "$UM_SRC_DIR/tests/data/signin/entra_diag_mixed.jsonl"
            "$UM_SRC_DIR/tests/data/signin/elastic-integrations_test-signinlogs-sample.log")
local_scan logs "${set_inputs[@]}"
sqlite3 "$tmp/logs-local/case.db" "select count(*) from rejects" | grep -qv '^0$' || fail "logs: expected rejects in the set"
start_worker w3 --threads 2
nats_scan logs "${set_inputs[@]}"
same logs "$rc"
# the workers ran the prefilters (the Sigma matching): their rules are the scan's
# (any of the three: which worker takes which unit is the server's choice).
# grep reads the files itself: `cat A B | grep -q` under pipefail failed when
# grep, matching early, exited before cat had written the rest (SIGPIPE, 141)
grep -q "done: .*, prefiltered" "$tmp/w1.log" "$tmp/w2.log" "$tmp/w3.log" ||
    fail "logs: no worker ran the prefilters"
grep -q "taken: .*; rules digest the same as this worker's)" "$tmp/w1.log" "$tmp/w2.log" "$tmp/w3.log" ||
    fail "logs: no log unit came with the scan's rules digest"
grep -q "rules differ\|rules digest \(none\|not this\)" "$tmp/w1.log" "$tmp/w2.log" "$tmp/w3.log" &&
    fail "logs: a worker took the scan's rules for others, or a unit came without them"
# the scan's analysis in 3 person partitions (src/core/pmerge.c) over the
# bus: the replayed events are routed to the partitions and merged, and the
# outputs are still the local scan's without partitions
UNMASK_PARTITIONS=3 nats_scan logsp -v "${set_inputs[@]}"
cp -r "$tmp/logs-local" "$tmp/logsp-local"; cp "$tmp/logs-local.sql" "$tmp/logsp-local.sql"
same logsp "$rc"
grep -q "analysis partitioned by person: [23] partitions had events" "$tmp/logsp-nats.out" ||
    fail "logsp: the scan did not run its analysis in partitions"
# (i) the person partitions on the workers (--nats-partitions K): the scan
# publishes every event to its partition's subject, the workers run the
# partitions' analyzers and send their states back, the scan merges them
nats_scan demopw --nats-partitions 3 "$UM_SRC_DIR/examples/demo"
cp -r "$tmp/demo-local" "$tmp/demopw-local"; cp "$tmp/demo-local.sql" "$tmp/demopw-local.sql"
same demopw "$rc"
nats_scan logspw -v --nats-partitions 5 "${set_inputs[@]}"
cp -r "$tmp/logs-local" "$tmp/logspw-local"; cp "$tmp/logs-local.sql" "$tmp/logspw-local.sql"
same logspw "$rc"
ran=$(cat "$tmp/w1.log" "$tmp/w2.log" "$tmp/w3.log" | grep -c "done: person partition [0-4] of 5, [1-9][0-9]* events") || true
[ "$ran" = 5 ] || fail "logspw: $ran of the 5 partitions ran on the workers with events"
grep -q "analysis partitioned by person: [2-5] partitions had events" "$tmp/logspw-nats.out" ||
    fail "logspw: the scan did not route its events to partitions"
grep -q "partition states saved and loaded back: [1-9][0-9]* bytes" "$tmp/logspw-nats.out" ||
    fail "logspw: the scan loaded no partition state"
stop_workers

# (h) a scan with rules the workers do not have (--rules): the workers see
# the digest differ and send every field bag back; the scan's own rules
# decide, as in the local scan (a NET-03 correlation only these rules make)
G="$UM_SRC_DIR/tests/data/sigma/scan_signins"
local_scan rules --rules "$G/rules.yml" "$G/okta.jsonl" "$G/entra.json"
grep -q '"indicator":"NET-03"' "$tmp/rules-local/findings.jsonl" || fail "rules: the local scan lost its NET-03 finding"
start_worker h1
nats_scan rules --rules "$G/rules.yml" "$G/okta.jsonl" "$G/entra.json"
same rules "$rc"
grep -q "rules differ" "$tmp/h1.log" || fail "rules: the worker did not see that the scan's rules differ"
grep -q "done: .*, prefiltered" "$tmp/h1.log" && fail "rules: the worker prefiltered under other rules"
stop_workers

# (m) workers whose context is not the scan's refuse its person partitions
# (the unit carries a digest of what the partitioned analyzers read from
# the context), and the scan fails with a clear error, exit 2, never a
# silently different answer: an indicator list changed in the worker's data
# folder; then a VNC approval (--approved-rmm) the worker lacks; a worker
# given the scan's approval serves the same scan as the local one
data=${UNMASK_DATA_DIR:-$UM_SRC_DIR/data}
mkdir -p "$tmp/otherdata/ioc"
for e in "$data"/*; do [ "$(basename "$e")" = ioc ] || ln -s "$(cd "$e" && pwd)" "$tmp/otherdata/"; done
cp "$data"/ioc/*.csv "$tmp/otherdata/ioc/"
echo "ip,198.51.100.77,2026-01-01,https://example.org/test,test,added in this worker's data only" >>"$tmp/otherdata/ioc/ip.csv"
ctx_refused() { # name worker-log: exit 2, the refusal said by the scan and seen by the worker
    [ "$rc" = 2 ] || fail "$1: a worker with another context: exit $rc, not 2: $(tail -3 "$tmp/$1-nats.out")"
    grep -q "person partition [0-2]: a worker could not run it: this worker's context differs from the scan's" \
        "$tmp/$1-nats.out" || fail "$1: no clear error: $(tail -3 "$tmp/$1-nats.out")"
    grep -q "taken: person partition [0-2] of 3 (.*; context digest not this worker's" "$2" ||
        fail "$1: the worker did not say the context digest differs"
    pass=$((pass + 1))
}
start_worker c1 --data-dir "$tmp/otherdata"
nats_scan ctxdata --nats-partitions 3 "$UM_SRC_DIR/examples/demo"
ctx_refused ctxdata "$tmp/c1.log"
stop_workers
start_worker c2
nats_scan ctxrmm --nats-partitions 3 --approved-rmm VNC "$UM_SRC_DIR/examples/demo"
ctx_refused ctxrmm "$tmp/c2.log"
stop_workers
# the failed scans' partitions still queued (left for redelivery when their
# worker stopped) would be taken by the next cases' workers, answered "not
# found" and acknowledged: harmless, but (b) and (j) pick the unit a worker
# held when killed from its log, so the queue starts empty
"$PUB" purge "$URL" UNMASK_WORK && "$PUB" purge "$URL" UNMASK_PWORK || fail "ctx: could not purge the work queues"
local_scan ctxok --approved-rmm VNC "$UM_SRC_DIR/examples/demo"
start_worker c3 --approved-rmm VNC
nats_scan ctxok --nats-partitions 3 --approved-rmm VNC "$UM_SRC_DIR/examples/demo"
same ctxok "$rc"
grep -q "taken: person partition [0-2] of 3 (.*; context digest the same as this worker's)" "$tmp/c3.log" ||
    fail "ctxok: the worker did not check the partitions' context digest"
stop_workers

# (g) big JSON-lines files cut into line-aligned parts of 256 KiB, each a
# unit of its own: parts of one file go to different workers and are
# merged in order (line numbers, end-of-file warnings, counts)
start_worker p1
start_worker p2 --test-pause-ms 20
UNMASK_PART_BYTES=262144 nats_scan parts "${set_inputs[@]}"
cp -r "$tmp/logs-local" "$tmp/parts-local"; cp "$tmp/logs-local.sql" "$tmp/parts-local.sql"
same parts "$rc"
# a unit of a part is numbered (part + 1) << 32 | input
split_in_both=$(comm -12 <(grep -o "unit [0-9]\{10,\} taken: .*(" "$tmp/p1.log" | cut -d' ' -f4- | sort -u) \
                         <(grep -o "unit [0-9]\{10,\} taken: .*(" "$tmp/p2.log" | cut -d' ' -f4- | sort -u) | wc -l)
[ "$split_in_both" -ge 1 ] || fail "parts: no file had parts read by both workers"
stop_workers

# (b) a worker killed part-way through a unit: redelivered after --ack-wait
start_worker slow --ack-wait 2 --test-pause-ms 400
"$UNMASK" scan --nats "$URL" -n 0 --fail-on never -o "$tmp/kill-nats" "${set_inputs[@]}" >"$tmp/kill-nats.out" 2>&1 &
scan_pid=$!
pids+=("$scan_pid")
wait_for "$tmp/slow.log" "unit [0-9]* done" 60
for _ in $(seq 1200); do # a unit in hand: more taken than done
    [ "$(grep -c ' taken' "$tmp/slow.log")" -gt "$(grep -c ' done' "$tmp/slow.log")" ] && break
    sleep 0.05
done
victim=$(grep -o "unit [0-9]* taken" "$tmp/slow.log" | tail -1 | awk '{print $2}')
kill -9 "$last_worker"
start_worker rescuer
rc=0; wait "$scan_pid" || rc=$?
cp -r "$tmp/logs-local" "$tmp/kill-local"; cp "$tmp/logs-local.sql" "$tmp/kill-local.sql"
same kill "$rc"
grep -q "existing work consumer" "$tmp/slow.log" && fail "kill: --ack-wait 2 was not applied to the work consumer"
grep -q "unit $victim taken" "$tmp/rescuer.log" || fail "kill: unit $victim was not redelivered to the other worker"
grep -q "unit $victim done" "$tmp/slow.log" && fail "kill: the killed worker had finished unit $victim (not part-way)"
stop_workers

# late_case NAME W [scan args]: a scan of the set with no worker up for 2 s,
# then workers W1 and W2
late_case() {
    local name=$1 w=$2; shift 2
    "$UNMASK" scan --nats "$URL" "$@" -n 0 --fail-on never -o "$tmp/$name-nats" "${set_inputs[@]}" \
        >"$tmp/$name-nats.out" 2>&1 &
    scan_pid=$!
    pids+=("$scan_pid")
    sleep 2
    kill -0 "$scan_pid" 2>/dev/null || fail "$name: the scan ended with no worker up"
    start_worker "${w}1"
    start_worker "${w}2"
    rc=0; wait "$scan_pid" || rc=$?
    cp -r "$tmp/logs-local" "$tmp/$name-local"; cp "$tmp/logs-local.sql" "$tmp/$name-local.sql"
    same "$name" "$rc"
}
# (c) workers that join late
late_case late late
stop_workers

# (n) a unit's bytes not found on the server when a worker takes it (as
# after a restart that lost them, or answered before its store was back):
# the worker looks again for 10 s, then says so on the unit's ".gone"
# subject and the scan sends the unit again; same outputs, no hang. The
# scan is submitted with no worker up and the input bytes are purged
# (UNMASK_DATA) once its units are in the work queue.
"$UNMASK" scan --nats "$URL" -n 0 --fail-on never -o "$tmp/gone-nats" "$UM_SRC_DIR/examples/demo" \
    >"$tmp/gone-nats.out" 2>&1 &
scan_pid=$!
pids+=("$scan_pid")
queued() { "$PUB" count "$URL" UNMASK_WORK 2>/dev/null || echo 0; } # 0 before the scan made the stream
for _ in $(seq 600); do [ "$(queued)" -ge 2 ] && break; sleep 0.1; done
[ "$(queued)" -ge 2 ] || fail "gone: the scan's units did not reach the work queue"
"$PUB" purge "$URL" UNMASK_DATA || fail "gone: could not purge the input bytes"
start_worker g1
start_worker g2
rc=0; timeout 240 tail --pid="$scan_pid" -f /dev/null || fail "gone: the scan still waits after 240 s"
wait "$scan_pid" || rc=$?
cp -r "$tmp/demo-local" "$tmp/gone-local"; cp "$tmp/demo-local.sql" "$tmp/gone-local.sql"
same gone "$rc"
grep -q "dropped: its input's bytes were not found on the server .*; said so, for the scan to send it again" \
    "$tmp/g1.log" "$tmp/g2.log" || fail "gone: no worker found a unit's bytes missing"
stop_workers

# (j) a worker killed while it holds a person partition (events read, state
# not yet sent): the unit is redelivered after --ack-wait and the other
# worker rebuilds the state from the partition's events, still in the stream
start_worker pslow --ack-wait 2 --test-pause-ms 300
"$UNMASK" scan --nats "$URL" --nats-partitions 3 -n 0 --fail-on never -o "$tmp/pkill-nats" "$UM_SRC_DIR/examples/demo" \
    >"$tmp/pkill-nats.out" 2>&1 &
scan_pid=$!
pids+=("$scan_pid")
wait_for "$tmp/pslow.log" "taken: person partition" 120
victim=$(grep -o "taken: person partition [0-9]* of 3" "$tmp/pslow.log" | tail -1 | awk '{print $4}')
kill -9 "$last_worker"
start_worker prescue
rc=0; wait "$scan_pid" || rc=$?
cp -r "$tmp/demo-local" "$tmp/pkill-local"; cp "$tmp/demo-local.sql" "$tmp/pkill-local.sql"
same pkill "$rc"
grep -q "taken: person partition $victim of 3" "$tmp/prescue.log" ||
    fail "pkill: partition $victim was not redelivered to the other worker"
grep -q "done: person partition $victim of 3," "$tmp/pslow.log" && fail "pkill: the killed worker had sent partition $victim"
stop_workers

# (k) person partitions with workers that join late: the events wait in the
# stream, the partitions' units in the work queue
late_case plate plate --nats-partitions 4
[ "$(cat "$tmp/plate1.log" "$tmp/plate2.log" | grep -c "done: person partition [0-3] of 4,")" = 4 ] ||
    fail "plate: the 4 partitions did not run on the late workers"
stop_workers

# restart_case NAME W [scan args]: workers W1 and W2 and a scan of the set,
# the server stopped and started again once W1 has finished a unit
restart_case() {
    local name=$1 w=$2; shift 2
    start_worker "${w}1" --test-pause-ms 150
    start_worker "${w}2" --test-pause-ms 150
    "$UNMASK" scan --nats "$URL" "$@" -n 0 --fail-on never -o "$tmp/$name-nats" "${set_inputs[@]}" \
        >"$tmp/$name-nats.out" 2>&1 &
    scan_pid=$!
    pids+=("$scan_pid")
    wait_for "$tmp/${w}1.log" "unit [0-9]* done" 60
    kill -0 "$scan_pid" 2>/dev/null || fail "$name: the scan ended before the server was stopped"
    stop_server
    sleep 1
    start_server
    rc=0; wait "$scan_pid" || rc=$?
    cp -r "$tmp/logs-local" "$tmp/$name-local"; cp "$tmp/logs-local.sql" "$tmp/$name-local.sql"
    same "$name" "$rc"
}
# (d) nats-server restarted part-way (file storage)
restart_case restart r
stop_workers
# (l) the same with the person partitions on the workers: the scan is
# publishing the partitions' events when the server goes away
restart_case prestart rp --nats-partitions 3
[ "$(cat "$tmp/rp1.log" "$tmp/rp2.log" | grep -c "done: person partition [0-2] of 3,")" -ge 3 ] ||
    fail "prestart: the 3 partitions did not run on the workers"
stop_workers
stop_server

# (e) credentials: user/password right and wrong
start_server --user analyst --pass 's3cret-pw'
UNMASK_NATS_PASSWORD='s3cret-pw' start_worker auth --nats-user analyst
rc=0
UNMASK_NATS_PASSWORD='s3cret-pw' timeout 120 "$UNMASK" scan --nats "$URL" --nats-user analyst -n 0 --fail-on never \
    -o "$tmp/auth-nats" "$UM_SRC_DIR/examples/demo" >"$tmp/auth-nats.out" 2>&1 || rc=$?

cp -r "$tmp/demo-local" "$tmp/auth-local"; cp "$tmp/demo-local.sql" "$tmp/auth-local.sql"
same auth "$rc"
echo 'wrong-pw' >"$tmp/pw"
rc=0
timeout 60 "$UNMASK" scan --nats "$URL" --nats-user analyst --nats-password-file "$tmp/pw" -o "$tmp/bad" \
    "$UM_SRC_DIR/examples/demo" >"$tmp/bad.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "wrong password: exit $rc, not 2"
grep -q "refused the credentials" "$tmp/bad.out" || fail "wrong password: no clear message: $(cat "$tmp/bad.out")"
grep -q "wrong-pw" "$tmp/bad.out" && fail "wrong password: the password was printed"
rc=0
timeout 60 "$UNMASK" worker --nats "$URL" --nats-user analyst --nats-password-file "$tmp/pw" >"$tmp/badw.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "worker with a wrong password: exit $rc, not 2"
grep -q "refused the credentials" "$tmp/badw.out" || fail "worker, wrong password: no clear message"
pass=$((pass + 1))
stop_workers
stop_server

# (f) a token: right (from a file) and wrong (from the environment)
start_server --auth 'tok-0123456789'
echo 'tok-0123456789' >"$tmp/tok"
start_worker tokw --nats-token-file "$tmp/tok"
rc=0
timeout 120 "$UNMASK" scan --nats "$URL" --nats-token-file "$tmp/tok" -n 0 --fail-on never \
    -o "$tmp/token-nats" "$UM_SRC_DIR/examples/demo" >"$tmp/token-nats.out" 2>&1 || rc=$?
cp -r "$tmp/demo-local" "$tmp/token-local"; cp "$tmp/demo-local.sql" "$tmp/token-local.sql"
same token "$rc"
rc=0
UNMASK_NATS_TOKEN=nope timeout 60 "$UNMASK" scan --nats "$URL" -o "$tmp/bad2" "$UM_SRC_DIR/examples/demo" \
    >"$tmp/bad2.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "wrong token: exit $rc, not 2"
grep -q "refused the credentials" "$tmp/bad2.out" || fail "wrong token: no clear message: $(cat "$tmp/bad2.out")"
stop_workers
stop_server

echo "nats.sh: $((SECONDS - t0)) s"
echo "$pass passed, 0 failed"
