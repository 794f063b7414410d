# Sourced by the NATS e2e tests: a temporary folder (TMPDIR inside it),
# clean-up of every process started (pids), fail() with the logs' tails, a
# free loopback port in 14200-14299 or $NATS_PORTS ("LOW HIGH"; NATS_PORT_ORDER=down takes the
# highest, =random any) and start_server / stop_server for nats-server -js
# with file storage in $tmp/js. Each NATS test sets a block of twenty ports
# of its own and random order: under ctest -j no other test can take its
# port while its server restarts, and two test runs on one machine rarely
# meet (start_server checks the server on the port is its own).
tmp=$(mktemp -d)
# the workers' and scans' temporaries (unit folders, unmask-unit-*) go in
# $tmp too: a worker killed with -9 leaves its unit folder, removed with $tmp
mkdir -p "$tmp/tmp"
export TMPDIR="$tmp/tmp"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
# fail: the message, the logs' tails (a worker's last 60 lines, the
# server's 5), and the logs and outputs kept in $UM_NATS_KEEP (default
# BUILD/tests/nats-failed/TEST.PID) for a failure seen once in many runs
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log; do
        [ -f "$f" ] || continue
        echo "--- $f" >&2
        case $f in */server.log) tail -5 "$f" >&2 ;; *) tail -60 "$f" >&2 ;; esac
    done
    local keep=${UM_NATS_KEEP:-${UM_BIN_DIR:-/tmp}/tests/nats-failed/$(basename "$0" .sh).$$}
    if mkdir -p "$keep" 2>/dev/null; then
        cp "$tmp"/*.log "$tmp"/*.out "$keep"/ 2>/dev/null || true
        echo "logs and outputs kept in $keep" >&2
    fi
    exit 1
}
command -v nats-server >/dev/null || fail "nats-server is not installed (scripts/install-deps.sh --test)"
read -r port_lo port_hi <<<"${NATS_PORTS:-14200 14299}"
pick_port() { # a port nobody answers on, in the order asked for
    local p ports
    case "${NATS_PORT_ORDER:-up}" in
    down) ports=$(seq "$port_hi" -1 "$port_lo") ;;
    random) ports=$(seq "$port_lo" "$port_hi" | shuf) ;;
    *) ports=$(seq "$port_lo" "$port_hi") ;;
    esac
    port=
    for p in $ports; do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
    done
    [ -n "$port" ] || fail "no free port in $port_lo-$port_hi"
    URL="nats://127.0.0.1:$port"
}
pick_port
ns_pid=
# start_server [extra args]: nats-server on $port, and proof that this test's
# own server holds it (alive, and its log says it listens there): another
# test run on this machine may have probed the same free port at the same
# moment, and a test must never talk to someone else's server. On a lost race
# the first start moves to another free port (URL follows); a restart keeps
# its port, since the workers reconnect to it.
start_server() {
    local from n
    for _ in 1 2 3 4 5; do
        : >>"$tmp/server.log"; from=$(($(wc -l <"$tmp/server.log") + 1))
        nats-server -js -sd "$tmp/js" -a 127.0.0.1 -p "$port" "$@" >>"$tmp/server.log" 2>&1 &
        ns_pid=$!
        pids+=("$ns_pid")
        for n in $(seq 100); do
            kill -0 "$ns_pid" 2>/dev/null || break
            grep -q "Server is ready" <(tail -n +"$from" "$tmp/server.log") && { started_once=1; return 0; }
            sleep 0.1
        done
        kill -0 "$ns_pid" 2>/dev/null && fail "nats-server did not get ready on port $port"
        [ -z "${started_once:-}" ] || fail "nats-server could not restart on port $port (taken meanwhile?)"
        pick_port
    done
    fail "nats-server could not bind a port in $port_lo-$port_hi"
}
stop_server() {
    kill -TERM "$ns_pid" 2>/dev/null || true
    wait "$ns_pid" 2>/dev/null || true
}

# workers (logs in $tmp/NAME.log; pids joins the cleanup list)
start_worker() { # name args...
    local name=$1; shift
    "$UNMASK" worker --nats "$URL" -v "$@" 2>"$tmp/$name.log" &
    pids+=($!)
    last_worker=$!
}
stop_workers() {
    for p in "${pids[@]}"; do [ "$p" != "$ns_pid" ] && kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do [ "$p" != "$ns_pid" ] && wait "$p" 2>/dev/null || true; done
    pids=("$ns_pid")
}
wait_for() { # file pattern seconds
    for _ in $(seq $(($3 * 20))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    fail "no '$2' in $1 after $3 s"
}

# local_scan NAME ARGS...: a one-thread local scan into $tmp/NAME-local (and its case.db dump)
local_scan() {
    local name=$1; shift
    "$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$tmp/$name-local" "$@" >"$tmp/$name-local.out" 2>&1 ||
        fail "$name: local scan failed: $(cat "$tmp/$name-local.out")"
    sqlite3 "$tmp/$name-local/case.db" .dump >"$tmp/$name-local.sql"
}
# same_as NAME RC REF: the bus scan $tmp/NAME-nats (exit RC) against the
# local scan $tmp/REF-local: every output file and the case.db dump
same_as() {
    local name=$1 rc=$2 a="$tmp/$3-local" b="$tmp/$1-nats"
    [ "$rc" = 0 ] || fail "$name: scan --nats exit $rc: $(cat "$b.out")"
    for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
        cmp -s "$a/$f" "$b/$f" || fail "$name: $f differs from the local scan"
    done
    sqlite3 "$b/case.db" .dump >"$b.sql"
    cmp -s "$a.sql" "$b.sql" || fail "$name: case.db differs from the local scan"
    [ -s "$a/findings.jsonl" ] || fail "$name: no findings at all (test data lost its point)"
    pass=$((pass + 1))
}
