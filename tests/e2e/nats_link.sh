#!/usr/bin/env bash
# The identity index in shards on the bus (docs/SCALING.md): `unmask scan
# --nats` routes every identifier observation by the hash of its canonical
# value to a shard, a worker blocks each shard (holders, distinct counts,
# the generic-value cap) and the scan merges the shards' values and runs
# the rest of the linkage. Starts its own nats-server -js (loopback, file
# storage) and compares every output and the case.db dump with a local scan
# of the same applicants (bench/gen_people: persona rings, generic phones
# and addresses):
#  (a) two workers, the default 8 shards: both workers block shards;
#  (b) two workers, 3 shards (an odd count), and 0 (blocking on the scan's side);
#  (c) a worker killed with SIGKILL after the first frame of a shard's
#      result (a server with a small max_payload: results span frames):
#      the shard is redelivered after --ack-wait to another worker, whose
#      frames the server de-duplicates by message id or the scan skips;
#  (d) the same for a pair partition (the shards' pair pieces merged by
#      pair on a worker): killed after its first result frame;
#  (e) late workers: the scan starts with none;
#  (f) nats-server stopped and restarted on its store (file storage) once a
#      worker has finished a unit, shards or pair partitions still to come.
# Every scan's candidate pairs come from the workers' pair partitions.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
GENP="$UM_BIN_DIR/bench/gen_people"
# its own block of ports (tests/e2e/lib/nats.sh)
NATS_PORTS=${NATS_PORTS:-"14240 14259"}
NATS_PORT_ORDER=${NATS_PORT_ORDER:-random}
source "$UM_SRC_DIR/tests/e2e/lib/nats.sh"
[ -x "$GENP" ] || fail "$GENP is not built"
pass=0

same() { # NAME RC [REF]: $tmp/NAME-nats (exit RC) against the local scan $tmp/REF (local)
    local name=$1 rc=$2 a="$tmp/${3:-local}" b="$tmp/$1-nats"
    [ "$rc" = 0 ] || fail "$name: scan --nats exit $rc: $(cat "$b.out")"
    for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
        cmp -s "$a/$f" "$b/$f" || fail "$name: $f differs from the local scan"
    done
    sqlite3 "$b/case.db" .dump >"$b.sql"
    cmp -s "$a.sql" "$b.sql" || fail "$name: case.db differs from the local scan"
    pass=$((pass + 1))
}
nats_scan() { # name args... (foreground)
    local name=$1; shift
    rc=0
    timeout 300 "$UNMASK" scan --nats "$URL" -n 0 --fail-on never -o "$tmp/$name-nats" "$@" >"$tmp/$name-nats.out" 2>&1 || rc=$?
}
shards_done() { grep -c "done: identity shard" "$1" || true; }
pairs_done() { cat "$@" | grep -c "done: pair partition" || true; }

mkdir -p "$tmp/people"
"$GENP" --people 12000 --rings 8 --out "$tmp/people/applicants.csv" 2>/dev/null
inputs=("$tmp/people") # identity inputs only: the shards are the only units (e2e_nats scans the demo's logs with shards)
"$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$tmp/local" "${inputs[@]}" >"$tmp/local.out" 2>&1 ||
    fail "local scan failed: $(cat "$tmp/local.out")"
sqlite3 "$tmp/local/case.db" .dump >"$tmp/local.sql"
# the data must exercise what the shards decide: clusters and generic values
[ "$(wc -l <"$tmp/local/clusters.jsonl")" -ge 20 ] || fail "too few clusters in the test data"
[ "$(sqlite3 "$tmp/local/case.db" 'select count(*) from generic_values')" -ge 10 ] || fail "no generic values in the test data"

start_server
t0=$SECONDS

# (a) two workers, 8 shards: each holds a shard a while (a pause per result frame)
start_worker a1 --test-pause-ms 150
start_worker a2 --test-pause-ms 150
nats_scan eight "${inputs[@]}"
same eight "$rc"
n1=$(shards_done "$tmp/a1.log"); n2=$(shards_done "$tmp/a2.log")
[ "$n1" -ge 1 ] && [ "$n2" -ge 1 ] || fail "eight: shards blocked by a1: $n1, a2: $n2 (both should)"
[ $((n1 + n2)) = 8 ] || fail "eight: $((n1 + n2)) shards blocked, not 8"
grep -q "identity shard [0-9]* of 8, [1-9][0-9]* shared values" "$tmp/a1.log" "$tmp/a2.log" ||
    fail "eight: no shard found a shared value"
# the pairs: every partition with pieces merged them from several shards on a worker
np=$(pairs_done "$tmp/a1.log" "$tmp/a2.log")
[ "$np" -ge 4 ] || fail "eight: $np pair partitions merged on the workers"
grep -q "pair partition [0-9]* of 8 merged, [0-9]* pieces from [2-8] shards" "$tmp/a1.log" "$tmp/a2.log" ||
    fail "eight: no pair partition had pieces from two or more shards"

# (b) 3 shards; 0 shards (the scan blocks, no shard units)
nats_scan three --nats-link-shards 3 "${inputs[@]}"
same three "$rc"
[ "$(cat "$tmp/a1.log" "$tmp/a2.log" | grep -c "identity shard [0-9] of 3, ")" = 3 ] || fail "three: not 3 shards blocked"
before=$(cat "$tmp/a1.log" "$tmp/a2.log" | grep -c "identity shard\|pair partition")
nats_scan zero --nats-link-shards 0 "${inputs[@]}"
same zero "$rc"
[ "$(cat "$tmp/a1.log" "$tmp/a2.log" | grep -c "identity shard\|pair partition")" = "$before" ] || fail "zero: shards were sent"
rc=0
"$UNMASK" scan --nats "$URL" --nats-link-shards 2000 -o "$tmp/bad" "${inputs[@]}" >"$tmp/bad.out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "0 to 1024" "$tmp/bad.out" || fail "--nats-link-shards 2000: exit $rc, $(cat "$tmp/bad.out")"
stop_workers
stop_server

# (c) a worker killed while sending a shard's result in several frames
rm -rf "$tmp/js"
printf 'max_payload: 12000\n' >"$tmp/small.conf" # frames of 8 KiB
start_server -c "$tmp/small.conf"
start_worker slow --ack-wait 2 --test-pause-ms 1500
"$UNMASK" scan --nats "$URL" --nats-link-shards 1 -n 0 --fail-on never -o "$tmp/kill-nats" "${inputs[@]}" \
    >"$tmp/kill-nats.out" 2>&1 &
scan_pid=$!
pids+=("$scan_pid")
wait_for "$tmp/slow.log" "identity shard 0 of 1 blocked" 120
sleep 0.7 # frame 0 of its result is out (then a pause of 1.5 s), the rest not yet
victim=0
kill -9 "$last_worker"
start_worker rescuer
rc=0; wait "$scan_pid" || rc=$?
same kill "$rc"
grep -q "unit $victim done: identity shard" "$tmp/slow.log" && fail "kill: the killed worker had finished shard $victim"
grep -q "unit $victim done: identity shard $victim of 1, [0-9]* shared values, \([2-9]\|[1-9][0-9]\+\) result frames, " "$tmp/rescuer.log" ||
    fail "kill: shard $victim was not redelivered to the other worker, or its result was one frame: $(grep "unit $victim" "$tmp/rescuer.log")"
stop_workers

# (d) a worker killed while sending a pair partition's merged pairs: a
# smaller set (the slow worker also blocks the one shard, frame by frame)
mkdir -p "$tmp/small"
"$GENP" --people 2500 --rings 3 --out "$tmp/small/applicants.csv" 2>/dev/null
"$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$tmp/slocal" "$tmp/small" >"$tmp/slocal.out" 2>&1 ||
    fail "local scan (small) failed: $(cat "$tmp/slocal.out")"
sqlite3 "$tmp/slocal/case.db" .dump >"$tmp/slocal.sql"
start_worker pslow --ack-wait 2 --test-pause-ms 700
"$UNMASK" scan --nats "$URL" --nats-link-shards 1 -n 0 --fail-on never -o "$tmp/pkill-nats" "$tmp/small" \
    >"$tmp/pkill-nats.out" 2>&1 &
scan_pid=$!
pids+=("$scan_pid")
wait_for "$tmp/pslow.log" "pair partition 0 of 1 merged" 120
sleep 0.3 # frame 0 of its pairs is out (then a pause), the rest not yet
kill -9 "$last_worker"
start_worker prescuer
rc=0; wait "$scan_pid" || rc=$?
same pkill "$rc" slocal
grep -q "done: pair partition" "$tmp/pslow.log" && fail "pkill: the killed worker had finished the pair partition"
grep -q "done: pair partition 0 of 1, [0-9]* pairs' pieces, \([2-9]\|[1-9][0-9]\+\) result frames" "$tmp/prescuer.log" ||
    fail "pkill: the pair partition was not redelivered to the other worker, or its result was one frame"
stop_workers
stop_server

# (e) late workers: shards and pair partitions wait in the work queue
rm -rf "$tmp/js"
start_server
nats_bg() { # name args... (background: scan_pid)
    local name=$1; shift
    "$UNMASK" scan --nats "$URL" -n 0 --fail-on never -o "$tmp/$name-nats" "$@" >"$tmp/$name-nats.out" 2>&1 &
    scan_pid=$!
    pids+=("$scan_pid")
}
nats_bg late --nats-link-shards 5 "$tmp/small"
sleep 2
kill -0 "$scan_pid" 2>/dev/null || fail "late: the scan ended with no worker"
start_worker l1
start_worker l2
rc=0; wait "$scan_pid" || rc=$?
same late "$rc" slocal
[ "$(pairs_done "$tmp/l1.log" "$tmp/l2.log")" -ge 2 ] || fail "late: the pair partitions did not run on the late workers"
stop_workers

# (f) the server restarted part-way (file storage): stopped once a worker
# has finished a unit, with shards or pair partitions still to come
start_worker r1 --test-pause-ms 150
start_worker r2 --test-pause-ms 150
nats_bg restart "${inputs[@]}"
wait_for "$tmp/r1.log" "unit [0-9]* done" 60
kill -0 "$scan_pid" 2>/dev/null || fail "restart: the scan ended before the server was stopped"
stop_server
sleep 1
start_server
rc=0; wait "$scan_pid" || rc=$?
same restart "$rc"
[ "$(pairs_done "$tmp/r1.log" "$tmp/r2.log")" -ge 4 ] || fail "restart: the pair partitions did not run on the workers"
stop_workers
stop_server

echo "nats_link.sh: $((SECONDS - t0)) s"
echo "$pass passed, 0 failed"
