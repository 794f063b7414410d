#!/usr/bin/env bash
# Person partitions on workers run while the scan replays (--nats-partitions,
# docs/SCALING.md): a partition's unit goes out before the first event, on a
# queue of its own (UNMASK_PWORK, threads of their own on each worker), and
# the worker feeds the partition's events to its analyzers as the scan
# sends them. Compares every output file and the case.db dump with a local
# scan, and the faults of this path:
#  (a) a log set over two workers, 3 partitions, small event frames: the
#      outputs are the local scan's, and a worker had a partition's first
#      events in hand before the last log unit was read, or waited for the scan
#      with a partition's events read (pipelined);
#  (b) the only worker SIGKILLed while it holds a partition in the middle of
#      the replay (events in, the scan still reading units): redelivered
#      after --ack-wait to a worker started then, same outputs;
#  (c) the scan SIGKILLed in the middle of its replay: the worker holding a
#      partition sees no heartbeat (UNMASK_SCAN_LOST_S=3 here, 60 s by
#      default), gives the partition up and acknowledges it, and then serves
#      the next scan, whose outputs are the local scan's.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
GEN="$UM_BIN_DIR/bench/gen_bench"
PUB="$UM_BIN_DIR/tests/nats_pub"
# its own block of ports (tests/e2e/lib/nats.sh)
NATS_PORTS=${NATS_PORTS:-"14300 14319"}
NATS_PORT_ORDER=${NATS_PORT_ORDER:-random}
source "$UM_SRC_DIR/tests/e2e/lib/nats.sh"
[ -x "$GEN" ] || fail "$GEN is not built"
[ -x "$PUB" ] || fail "$PUB is not built"
pass=0
export UNMASK_EV_FRAME_BYTES=4096 # a partition's frame goes out at 4 KiB: events flow early

scan_bg() { # name args...: a bus scan in the background (scan_pid)
    local name=$1; shift
    "$UNMASK" scan --nats "$URL" -n 0 --fail-on never -o "$tmp/$name-nats" "$@" >"$tmp/$name-nats.out" 2>&1 &
    scan_pid=$!
    pids+=("$scan_pid")
}

"$GEN" --bytes 3000000 --people 300 --out "$tmp/gen" >/dev/null
set_inputs=("$tmp/gen/hr" "$tmp/gen/logs" "$UM_SRC_DIR/tests/data/winjson"
            "$UM_SRC_DIR/tests/data/signin/okta_hostile.jsonl" "$UM_SRC_DIR/tests/data/signin/entra_diag_mixed.jsonl"
            "$UM_SRC_DIR/tests/data/signin/elastic-integrations_test-signinlogs-sample.log")
local_scan logs "${set_inputs[@]}"
local_scan demo "$UM_SRC_DIR/examples/demo"
start_server
t0=$SECONDS

# (a) pipelined: one slow worker (a pause after each result message), one not
start_worker a1 --test-pause-ms 300
start_worker a2
scan_bg pipe --nats-partitions 3 "${set_inputs[@]}"
rc=0; wait "$scan_pid" || rc=$?
same_as pipe "$rc" logs
# a worker logs a unit's "done" after its acknowledgement's round trip,
# which may come after the scan has its results and ends: wait for the lines
parts_done() { cat "$@" 2>/dev/null | grep -c "done: person partition [0-2] of 3, [1-9][0-9]* events"; }
for _ in $(seq 200); do [ "$(parts_done "$tmp/a1.log" "$tmp/a2.log")" -ge 3 ] && break; sleep 0.05; done
[ "$(parts_done "$tmp/a1.log" "$tmp/a2.log")" = 3 ] ||
    fail "pipe: the 3 partitions did not run on the workers with events"
# in one worker's log (lines in time order): a partition's first events,
# then a log unit done after them
pipelined=0
for f in "$tmp/a1.log" "$tmp/a2.log"; do
    awk '/person partition [0-2] of 3: first events in/ { ev = 1 } ev && /unit [0-9]* done: [0-9]* result frames/ { found = 1 }
         END { exit !found }' "$f" && pipelined=1
done
# or a partition read every event the scan had sent and waited for more
# (on a quiet machine the log units may all be read before the first frame)
grep -q "done: person partition [0-2] of 3, .*caught up with the scan [1-9]" "$tmp/a1.log" "$tmp/a2.log" && pipelined=1
[ "$pipelined" = 1 ] || fail "pipe: no partition had events before the last log unit was read, none waited for the scan"
grep -q "with 1 thread for units and 4 for person partitions" "$tmp/a2.log" ||
    fail "pipe: the worker did not say its partition threads"
stop_workers

# (b) the only worker killed while it holds a partition mid-replay
start_worker k1 --ack-wait 2 --test-pause-ms 300
scan_bg kill --nats-partitions 3 "${set_inputs[@]}"
wait_for "$tmp/k1.log" "person partition [0-2] of 3: first events in" 120
victim=$(grep -o "person partition [0-2] of 3: first events in" "$tmp/k1.log" | head -1 | awk '{print $3}')
kill -0 "$scan_pid" 2>/dev/null || fail "kill: the scan ended before the worker was killed"
kill -9 "$last_worker"
units_read=$(grep -c "unit [0-9]* done: [0-9]* result frames" "$tmp/k1.log") || true
start_worker k2
rc=0; wait "$scan_pid" || rc=$?
same_as kill "$rc" logs
grep -q "done: person partition $victim of 3," "$tmp/k1.log" && fail "kill: the killed worker had sent partition $victim"
grep -q "taken: person partition $victim of 3" "$tmp/k2.log" ||
    fail "kill: partition $victim was not redelivered to the other worker"
# mid-replay: the other worker read log units after the kill
grep -q "unit [0-9]* done: [0-9]* result frames" "$tmp/k2.log" ||
    fail "kill: the killed worker had read every log unit ($units_read) before it was killed"
stop_workers

# (c) the scan killed mid-replay: the worker gives its partition up, then
# serves the next scan
UNMASK_SCAN_LOST_S=3 start_worker g1 --test-pause-ms 300
scan_bg lost --nats-partitions 2 "${set_inputs[@]}"
wait_for "$tmp/g1.log" "person partition [01] of 2: first events in" 120
kill -9 "$scan_pid"
wait "$scan_pid" 2>/dev/null || true
# the dead scan's other units would keep the worker busy: gone from the queues
"$PUB" purge "$URL" UNMASK_WORK && "$PUB" purge "$URL" UNMASK_PWORK || fail "lost: could not purge the work queues"
wait_for "$tmp/g1.log" "failed: the scan stopped sending its events (no heartbeat for 3 s)" 60 ||
    fail "lost: the worker did not give the partition of the dead scan up"
start_worker g2 --partition-threads 1 # g1 takes some of the next scan's partitions
rc=0
"$UNMASK" scan --nats "$URL" -n 0 --fail-on never --nats-partitions 3 -o "$tmp/after-nats" \
    "$UM_SRC_DIR/examples/demo" >"$tmp/after-nats.out" 2>&1 || rc=$?
same_as after "$rc" demo
for _ in $(seq 200); do [ "$(parts_done "$tmp/g1.log")" -ge 1 ] && break; sleep 0.05; done
[ "$(parts_done "$tmp/g1.log")" -ge 1 ] ||
    fail "lost: the worker that gave up ran none of the next scan's partitions"
stop_workers
stop_server

echo "nats_pipe.sh: $((SECONDS - t0)) s"
echo "$pass passed, 0 failed"
