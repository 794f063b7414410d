#!/usr/bin/env bash
# serve.sh - `unmask serve` and `unmask report` over real sockets: the token
# file (created once, mode 0600), 401 without/with a wrong token, 413 for an
# oversize body (refused before it is read), 400 for malformed JSON, the
# security headers, the refusal to listen beyond loopback without TLS, the
# report written beside case.db, a clean exit on SIGTERM, and HTTPS.
set -euo pipefail
: "${UNMASK:?}" "${UM_SRC_DIR:?}"
PORT=${UM_SERVE_PORT:-18310}
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$UNMASK" scan -q --fail-on never -o "$tmp/case" "$UM_SRC_DIR/examples/demo"

# report: default path, offline, CSP by hash
"$UNMASK" report "$tmp/case"
[[ -s "$tmp/case/report.html" ]] || fail "no report.html"
grep -q "script-src 'sha256-" "$tmp/case/report.html" || fail "report has no hash CSP"
! grep -qiE '<(link|img|iframe)[^>]+(src|href)="https?:' "$tmp/case/report.html" || fail "report loads from the network"
"$UNMASK" report "$tmp/nothing" 2>/dev/null && fail "report of a missing case succeeded"

# refuses a non-loopback address without TLS or --insecure-remote
if "$UNMASK" serve "$tmp/case" --listen 0.0.0.0:$PORT 2>"$tmp/err"; then fail "listened on 0.0.0.0"; fi
grep -q "refusing to listen" "$tmp/err" || fail "no refusal message"
[[ ! -e "$tmp/case/api-token" ]] || fail "token created before the refusal"

"$UNMASK" serve "$tmp/case" --listen 127.0.0.1:$PORT --max-body 2048 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/out" 2>/dev/null && break; sleep 0.2; done
grep -q "listening on http://127.0.0.1:$PORT/" "$tmp/out" || { cat "$tmp/err"; fail "server did not start"; }
[[ "$(stat -c %a "$tmp/case/api-token")" == 600 ]] || fail "token file mode"
T=$(cat "$tmp/case/api-token")
[[ ${#T} -ge 40 ]] || fail "short token"
base=http://127.0.0.1:$PORT

code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
[[ $(code "$base/v1/subjects") == 401 ]] || fail "no token: not 401"
grep -q '"code":"unauthorized"' "$tmp/body" || fail "401 body"
[[ $(code -H "Authorization: Bearer ${T}x" "$base/v1/subjects") == 401 ]] || fail "wrong token: not 401"
[[ $(code -H "Authorization: Bearer $T" "$base/v1/subjects?limit=3") == 200 ]] || fail "good token: not 200"
[[ $(jq '.items | length' "$tmp/body") == 3 ]] || fail "limit=3"
[[ $(jq '.total' "$tmp/body") == 350 ]] || fail "total"
[[ $(code -H "Authorization: Bearer $T" "$base/v1/subjects?limit=9999") == 400 ]] || fail "limit too big: not 400"
[[ $(code -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data '{"name":' "$base/v1/screen") == 400 ]] || fail "bad JSON: not 400"
grep -q '"code":"bad_json"' "$tmp/body" || fail "bad_json code"
head -c 100000 /dev/zero | tr '\0' ' ' > "$tmp/big"
[[ $(code -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data-binary @"$tmp/big" "$base/v1/screen") == 413 ]] || fail "oversize body: not 413"
[[ $(code -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "$base/v1/screen") == 413 ]] || fail "oversize chunked body: not 413"
[[ $(code -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data '{"name":"Jane Roe","phones":["+1 602 547 2074"]}' "$base/v1/screen") == 200 ]] || fail "screen"
[[ $(jq -r '.linkage.verdict' "$tmp/body") == linked ]] || fail "screen linkage"
id=$(curl -s -H "Authorization: Bearer $T" "$base/v1/subjects?limit=1" | jq -r '.items[0].id')
[[ $(code -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data "{\"target_kind\":\"subject\",\"target\":\"$id\",\"verdict\":\"escalate\",\"who\":\"e2e\"}" "$base/v1/verdicts") == 201 ]] || fail "verdict"
[[ $(sqlite3 "$tmp/case/case.db" "SELECT verdict||'/'||who FROM verdicts WHERE target_a='$id'") == escalate/e2e ]] || fail "verdict not in case.db"
curl -s -D "$tmp/h" -o /dev/null "$base/"
grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$tmp/h" || fail "CSP header"
grep -qi "^X-Content-Type-Options: nosniff" "$tmp/h" || fail "nosniff"
! grep -qi "unsafe-inline" "$tmp/h" || fail "unsafe-inline"
[[ $(code "$base/app.js") == 200 ]] || fail "app.js"
kill -TERM "$pid"
wait "$pid" || fail "server exit status $?"
pid=
# the token is read, not replaced, on the next start
"$UNMASK" serve "$tmp/case" --listen 127.0.0.1:$PORT >"$tmp/out2" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/out2" 2>/dev/null && break; sleep 0.2; done
grep -q "token read" "$tmp/out2" || fail "token not reused"
[[ "$(cat "$tmp/case/api-token")" == "$T" ]] || fail "token changed"
kill -TERM "$pid"; wait "$pid" || true; pid=
# HTTPS with --tls-cert/--tls-key (openssl comes with ca-certificates)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 -subj /CN=localhost 2>/dev/null
"$UNMASK" serve "$tmp/case" --listen 127.0.0.1:$PORT --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" >"$tmp/out3" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/out3" 2>/dev/null && break; sleep 0.2; done
grep -q "listening on https://127.0.0.1:$PORT/" "$tmp/out3" || { cat "$tmp/out3"; fail "TLS server did not start"; }
[[ $(code -k "https://127.0.0.1:$PORT/v1/summary") == 401 ]] || fail "TLS: no token: not 401"
[[ $(code -k -H "Authorization: Bearer $T" "https://127.0.0.1:$PORT/v1/summary") == 200 ]] || fail "TLS: not 200"
[[ $(code "http://127.0.0.1:$PORT/v1/summary") != 200 ]] || fail "TLS server answered plain HTTP"
if "$UNMASK" serve "$tmp/case" --tls-cert "$tmp/cert.pem" 2>/dev/null; then fail "--tls-cert without --tls-key accepted"; fi
echo "serve.sh: ok"
