#!/usr/bin/env bash
# The NATS bus with TLS and nkey authentication. Makes a CA, a server
# certificate for "localhost" and a client certificate with openssl, and a
# user nkey pair (tests/nkey_gen), all in the temporary folder; starts
# nats-server -js requiring TLS with a client certificate (mutual TLS) and
# the nkey user; then
#  (a) a scan through two workers, every connection with --nats-ca,
#      --nats-cert/--nats-key, --nats-tls-name localhost and --nats-nkey,
#      gives the local scan's outputs;
#  (b) each wrong credential is refused by scan with exit 2 and a message
#      naming the cause: another nkey seed, no nkey, a corrupted seed, a
#      file without a seed, another CA, a wrong server name, no client
#      certificate, no TLS at all, a certificate without its key; the
#      worker too for another seed, a corrupted seed, another CA and no
#      client certificate (the same connection code).
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
# its own block of ports (tests/e2e/lib/nats.sh)
NATS_PORTS=${NATS_PORTS:-"14260 14279"}
NATS_PORT_ORDER=${NATS_PORT_ORDER:-random}
source "$UM_SRC_DIR/tests/e2e/lib/nats.sh"
NKEY="$UM_BIN_DIR/tests/nkey_gen"
[ -x "$NKEY" ] || fail "$NKEY is not built"
command -v openssl >/dev/null || fail "openssl is not installed (scripts/install-deps.sh --test)"
pass=0

# --- certificates (EC P-256, a day) and keys
c="$tmp/pki"
mkdir -p "$c"
ossl() { openssl "$@" >>"$tmp/openssl.log" 2>&1 || fail "openssl $1 failed"; }
mkca() { # name
    ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=unmask test $1" \
        -keyout "$c/$1.key" -out "$c/$1.pem"
}
mkcert() { # name ca subject-alt-names extended-key-usage
    ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$c/$1.key" -out "$c/$1.csr"
    printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$3" "$4" >"$c/$1.ext"
    ossl x509 -req -in "$c/$1.csr" -CA "$c/$2.pem" -CAkey "$c/$2.key" -CAcreateserial -days 1 \
        -extfile "$c/$1.ext" -out "$c/$1.pem"
}
mkca ca
mkca otherca
mkcert server ca "DNS:localhost" serverAuth
mkcert client ca "DNS:unmask-client" clientAuth
pub=$("$NKEY" "$tmp/user.nk") || fail "nkey_gen failed"
"$NKEY" "$tmp/other.nk" >/dev/null || fail "nkey_gen failed"
[[ "$pub" =~ ^U[A-Z2-7]{55}$ ]] || fail "nkey_gen printed '$pub'"
[ "$(stat -c %a "$tmp/user.nk")" = 600 ] || fail "seed file not mode 0600"
# a seed with one character changed: its checksum fails
sed 's/^\(SU.\{20\}\)\(.\)/\1\n\2/' "$tmp/other.nk" | { read -r a; read -r b; [ "${b:0:1}" = A ] && x=B || x=A; echo "$a$x${b:1}"; } >"$tmp/bad.nk"
[ "$(wc -c <"$tmp/bad.nk")" = 59 ] && ! cmp -s "$tmp/bad.nk" "$tmp/other.nk" || fail "bad seed not made"

cat >"$tmp/server.conf" <<CONF
tls {
  cert_file: "$c/server.pem"
  key_file: "$c/server.key"
  ca_file: "$c/ca.pem"
  verify: true
  timeout: 5
}
authorization {
  users = [ { nkey: $pub } ]
}
CONF
start_server -c "$tmp/server.conf"
URL="nats://127.0.0.1:$port"
good=(--nats "$URL" --nats-ca "$c/ca.pem" --nats-cert "$c/client.pem" --nats-key "$c/client.key"
      --nats-tls-name localhost --nats-nkey "$tmp/user.nk")

# (a) the demo case through two workers over TLS + nkey
"$UNMASK" scan --threads 1 -n 0 --fail-on never -o "$tmp/local" "$UM_SRC_DIR/examples/demo" >"$tmp/local.out" 2>&1 ||
    fail "local scan failed"
for w in 1 2; do
    "$UNMASK" worker -v "${good[@]}" 2>"$tmp/w$w.log" &
    pids+=($!)
done
rc=0
timeout 120 "$UNMASK" scan "${good[@]}" -n 0 --fail-on never -o "$tmp/nats" "$UM_SRC_DIR/examples/demo" \
    >"$tmp/nats.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "scan over TLS + nkey: exit $rc: $(cat "$tmp/nats.out")"
for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
    cmp -s "$tmp/local/$f" "$tmp/nats/$f" || fail "(a) $f differs from the local scan"
done
[ -s "$tmp/local/findings.jsonl" ] || fail "(a) no findings (test data lost its point)"
grep -q "took\|done" "$tmp/w1.log" "$tmp/w2.log" || fail "(a) no worker took any unit"
pass=$((pass + 1))

# (b) refusals: NAME PATTERN ARGS... — scan and worker both exit 2 saying PATTERN
refused() {
    local name=$1 pat=$2; shift 2
    local rc=0
    timeout 30 "$UNMASK" scan "$@" -n 0 --fail-on never -o "$tmp/r-$name" "$UM_SRC_DIR/examples/demo" \
        >"$tmp/r-$name.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] || fail "($name) scan: exit $rc, not 2: $(cat "$tmp/r-$name.out")"
    grep -qiE "$pat" "$tmp/r-$name.out" || fail "($name) scan: no '$pat' in: $(cat "$tmp/r-$name.out")"
    [ ! -e "$tmp/r-$name/findings.jsonl" ] || fail "($name) scan wrote outputs"
    rc=0
    if [ "${WORKER_TOO:-1}" = 1 ]; then
    timeout 30 "$UNMASK" worker "$@" >"$tmp/rw-$name.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] || fail "($name) worker: exit $rc, not 2: $(cat "$tmp/rw-$name.out")"
    grep -qiE "$pat" "$tmp/rw-$name.out" || fail "($name) worker: no '$pat' in: $(cat "$tmp/rw-$name.out")"
    fi
    if grep -qF "$(head -c 20 "$tmp/user.nk")" "$tmp/r-$name.out" "$tmp/rw-$name.out" 2>/dev/null; then
        fail "($name) the seed was printed"
    fi
    echo "($name) $(grep -v 'warning: no' "$tmp/r-$name.out")"
    pass=$((pass + 1))
}
tlsopts=(--nats "$URL" --nats-ca "$c/ca.pem" --nats-cert "$c/client.pem" --nats-key "$c/client.key" --nats-tls-name localhost)
refused other-nkey "refused the credentials" "${tlsopts[@]}" --nats-nkey "$tmp/other.nk"
WORKER_TOO=0 refused no-nkey "refused the credentials|authorization" "${tlsopts[@]}"
refused bad-seed "seed.*malformed" "${tlsopts[@]}" --nats-nkey "$tmp/bad.nk"
WORKER_TOO=0 refused no-seed "holds no user seed" "${tlsopts[@]}" --nats-nkey "$c/ca.pem"
refused other-ca "TLS|certificate|SSL" --nats "$URL" --nats-ca "$c/otherca.pem" --nats-cert "$c/client.pem" \
    --nats-key "$c/client.key" --nats-tls-name localhost --nats-nkey "$tmp/user.nk"
WORKER_TOO=0 refused wrong-name "TLS|certificate|SSL|host" --nats "$URL" --nats-ca "$c/ca.pem" --nats-cert "$c/client.pem" \
    --nats-key "$c/client.key" --nats-tls-name other.example --nats-nkey "$tmp/user.nk"
refused no-client-cert "client certificate - none was given" --nats "$URL" --nats-ca "$c/ca.pem" \
    --nats-tls-name localhost --nats-nkey "$tmp/user.nk"
WORKER_TOO=0 refused no-tls "TLS|secure|SSL" --nats "$URL" --nats-nkey "$tmp/user.nk"
WORKER_TOO=0 refused half-cert "certificate needs its key" --nats "$URL" --nats-ca "$c/ca.pem" --nats-cert "$c/client.pem" \
    --nats-nkey "$tmp/user.nk"

echo "nats_secure: $pass passed, 0 failed ($((SECONDS)) s)"
