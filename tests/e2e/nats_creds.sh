#!/usr/bin/env bash
# The `.creds` path of --nats-creds (issue 9, point 4): nats-server in
# operator mode (decentralised JWT authentication, memory resolver) trusts a
# chain made here by tests/jwt_gen.c: operator -> account (JetStream
# allowed) -> user, written as a .creds file (user JWT + user nkey seed),
# and the server's configuration (operator, system account, resolver).
#  (a) two workers and a scan with the user's .creds file: every output and
#      the case.db dump equal the local scan's;
#  (b) a .creds file of a user whose account the server does not know:
#      scan and worker exit 2 saying the credentials were refused, and the
#      seed is never printed;
#  (c) a file that is no .creds file: exit 2;
#  (d) no credentials at all against the operator-mode server: exit 2.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
JWTGEN="$UM_BIN_DIR/tests/jwt_gen"
# its own block of ports (tests/e2e/lib/nats.sh)
NATS_PORTS=${NATS_PORTS:-"14280 14299"}
NATS_PORT_ORDER=${NATS_PORT_ORDER:-random}
source "$UM_SRC_DIR/tests/e2e/lib/nats.sh"
[ -x "$JWTGEN" ] || fail "$JWTGEN is not built"
pass=0

apub=$("$JWTGEN" "$tmp") || fail "jwt_gen failed"
[[ "$apub" =~ ^A[A-Z2-7]{55}$ ]] || fail "jwt_gen printed '$apub'"
[ "$(stat -c %a "$tmp/user.creds")" = 600 ] || fail "creds file not mode 0600"
start_server -c "$tmp/auth.conf"

# (a) the demo case through two workers, everyone with the user's .creds
"$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$tmp/local" "$UM_SRC_DIR/examples/demo" >"$tmp/local.out" 2>&1 ||
    fail "local scan failed"
sqlite3 "$tmp/local/case.db" .dump >"$tmp/local.sql"
for w in 1 2; do
    "$UNMASK" worker -v --nats "$URL" --nats-creds "$tmp/user.creds" 2>"$tmp/w$w.log" &
    pids+=($!)
done
rc=0
timeout 120 "$UNMASK" scan --nats "$URL" --nats-creds "$tmp/user.creds" -n 0 --fail-on never -o "$tmp/nats" \
    "$UM_SRC_DIR/examples/demo" >"$tmp/nats.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "scan with a .creds file: exit $rc: $(cat "$tmp/nats.out")"
for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
    cmp -s "$tmp/local/$f" "$tmp/nats/$f" || fail "(a) $f differs from the local scan"
done
sqlite3 "$tmp/nats/case.db" .dump >"$tmp/nats.sql"
cmp -s "$tmp/local.sql" "$tmp/nats.sql" || fail "(a) case.db differs from the local scan"
[ -s "$tmp/local/findings.jsonl" ] || fail "(a) no findings (test data lost its point)"
grep -q " done" "$tmp/w1.log" "$tmp/w2.log" || fail "(a) no worker finished any unit"
pass=$((pass + 1))
stop_workers

# refused NAME PATTERN ARGS...: scan (and worker unless WORKER_TOO=0) exit 2 saying PATTERN
seed=$(grep -A1 'BEGIN USER NKEY SEED' "$tmp/stranger.creds" | tail -1)
refused() {
    local name=$1 pat=$2; shift 2
    local rc=0
    timeout 30 "$UNMASK" scan --nats "$URL" "$@" -n 0 --fail-on never -o "$tmp/r-$name" "$UM_SRC_DIR/examples/demo" \
        >"$tmp/r-$name.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] || fail "($name) scan: exit $rc, not 2: $(cat "$tmp/r-$name.out")"
    grep -qiE "$pat" "$tmp/r-$name.out" || fail "($name) scan: no '$pat' in: $(cat "$tmp/r-$name.out")"
    [ ! -e "$tmp/r-$name/findings.jsonl" ] || fail "($name) scan wrote outputs"
    if [ "${WORKER_TOO:-1}" = 1 ]; then
        rc=0
        timeout 30 "$UNMASK" worker --nats "$URL" "$@" >"$tmp/rw-$name.out" 2>&1 || rc=$?
        [ "$rc" = 2 ] || fail "($name) worker: exit $rc, not 2: $(cat "$tmp/rw-$name.out")"
        grep -qiE "$pat" "$tmp/rw-$name.out" || fail "($name) worker: no '$pat' in: $(cat "$tmp/rw-$name.out")"
    fi
    if grep -qF "${seed:0:20}" "$tmp/r-$name.out" "$tmp/rw-$name.out" 2>/dev/null; then
        fail "($name) the seed was printed"
    fi
    echo "($name) $(grep -v 'warning: no' "$tmp/r-$name.out")"
    pass=$((pass + 1))
}
refused stranger "refused the credentials" --nats-creds "$tmp/stranger.creds"
refused not-creds "creds|credentials|JWT|invalid|error" --nats-creds "$tmp/auth.conf"
WORKER_TOO=0 refused none "refused the credentials|authorization"

echo "nats_creds: $pass passed, 0 failed ($SECONDS s)"
