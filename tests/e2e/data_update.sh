#!/usr/bin/env bash
# `unmask data update` fetching over HTTP(S): against a loopback server
# (tests/e2e/list_server.py) serving good fixtures, a cut connection, a cut
# file, the wrong format, a 500, a hanging server, an older list, a file over
# the size limit, and through a proxy. Every refusal also checks that the
# installed copy did not change: the test fails when a check is removed.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
SRC=${UM_SRC_DIR:-.}
T=$(mktemp -d)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
code() { "$@" >/dev/null 2>&1; echo $?; }

# what the server serves: current lists plus a new SDN designee and the UK fixture
mkdir -p "$T/www"
for f in sdn.csv alt.csv add.csv sdn_comments.csv; do cp "$SRC/data/sanctions/ofac/$f" "$T/www/"; done
{ tr -d '\032' <"$SRC/data/sanctions/ofac/sdn.csv"; printf '99992,"FETCHED, New Designee","individual","DPRK4",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'; } >"$T/www/sdn.csv"
cp "$SRC/data/sanctions/un/consolidated.xml" "$T/www/"
cp "$SRC/tests/data/screen/fixtures/uk/UK-Sanctions-List.xml" "$T/www/"
sed 's#<DateGenerated>20/11/2026</DateGenerated>#<DateGenerated>01/10/2026</DateGenerated>#' \
  "$T/www/UK-Sanctions-List.xml" >"$T/www/uk-old.xml"
sed 's#<DateGenerated>20/11/2026</DateGenerated>#<DateGenerated>30/11/2026</DateGenerated>#' \
  "$T/www/UK-Sanctions-List.xml" >"$T/www/uk-new.xml"
head -c 3000000 /dev/zero | tr '\0' 'x' >"$T/www/big.bin"

python3 "$SRC/tests/e2e/list_server.py" "$T/www" "$T/port" 18100 18199 &
SRV=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
B="http://127.0.0.1:$P"

DD="$T/dd"
cp -r "$SRC/data" "$DD"
cp "$DD/sanctions/ofac/sdn.csv" "$T/sdn.before"
cp "$DD/sanctions/un/consolidated.xml" "$T/un.before"
src() { printf '%s\n' "$@" >"$T/sources.conf"; }
upd() { "$U" data update --data-dir "$DD" --sources "$T/sources.conf" "$@" >"$T/out" 2>&1; echo $?; }
same() { cmp -s "$1" "$2"; }

ok test "$(code "$U" data update --help)" = 0
# 1. good files: SDN (four files, one group), UN, UK
src "ofac-sdn sdn.csv $B/good/sdn.csv" "ofac-sdn alt.csv $B/good/alt.csv" "ofac-sdn add.csv $B/good/add.csv" \
  "ofac-sdn sdn_comments.csv $B/good/sdn_comments.csv" "un consolidated.xml $B/redir/consolidated.xml" \
  "uk UK-Sanctions-List.xml $B/good/UK-Sanctions-List.xml"
ok test "$(upd)" = 0
ok grep -q "OFAC SDN: .* entries (was" "$T/out"
ok grep -q "UK: 4 entries (was 0)" "$T/out"
ok same "$DD/sanctions/ofac/sdn.csv" "$T/www/sdn.csv"
ok grep -q "sdn_dprk_supplement.csv removed: a supplement to the replaced sdn.csv" "$T/out"
ok test ! -e "$DD/sanctions/ofac/sdn_dprk_supplement.csv"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/www/UK-Sanctions-List.xml"
ok test "$("$U" screen --data-dir "$DD" --name "New Designee Fetched" --json | jq -r '.matches[0].uid')" = 99992
ok test "$("$U" screen --data-dir "$DD" --name "Example Chol Pakryong" --json | jq -r '.matches[0].list')" = UK
ok grep -q "^uk/UK-Sanctions-List.xml.*installed by unmask data update from uk (http://127.0.0.1" "$DD/sanctions/lists.tsv"
ok test "$(ls -a "$DD/sanctions" | grep -c '^\.\(update-\|fetch-\)')" = 0
# a name-only match with a UK DPRK-regime entry: a potential match that counts beside another signal
printf 'Candidate ID,Full Name,Email\nU1,Example Chol Pakryong,u1@x.example\n' >"$T/hr.csv"
"$U" scan -q --data-dir "$DD" --fail-on never -o "$T/scan" "$T/hr.csv"
ok test "$(jq -r 'select(.indicator == "IOC-03") | "\(.weight) \(.strength) " + (.evidence[0].values | capture("status=(?<st>[a-z]+)").st) + " " + (.evidence[0].values | capture("list=(?<l>[A-Z]+)").l)' "$T/scan/findings.jsonl" | head -1)" = "30 medium potential UK"
cp "$DD/sanctions/ofac/sdn.csv" "$T/sdn.good"
cp "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"

# 2. a connection cut before the announced length: a failed download, kept (even with --force)
src "ofac-sdn sdn.csv $B/cut/sdn.csv"
ok test "$(upd --force)" = 2
ok grep -q "download of sdn.csv failed" "$T/out"
ok same "$DD/sanctions/ofac/sdn.csv" "$T/sdn.good"
# 3. a cut file delivered cleanly: the content checks refuse it (entries and bytes)
src "ofac-sdn sdn.csv $B/short/sdn.csv"
ok test "$(upd)" = 2
ok grep -q "refused: sdn.csv is .*% smaller" "$T/out"
ok same "$DD/sanctions/ofac/sdn.csv" "$T/sdn.good"
src "un consolidated.xml $B/short/consolidated.xml"
ok test "$(upd --max-drop 60)" = 2                      # smaller by 50 %, allowed; the XML is cut
ok grep -q "refused: UN would lose 100% of its entries" "$T/out"
ok same "$DD/sanctions/un/consolidated.xml" "$T/un.before"
# 4. the wrong format (an HTML page with status 200)
src "uk UK-Sanctions-List.xml $B/html/UK-Sanctions-List.xml"
ok test "$(upd --max-drop 99.99)" = 2
ok grep -q "refused" "$T/out"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"
# 5. HTTP 500
src "uk UK-Sanctions-List.xml $B/500/UK-Sanctions-List.xml"
ok test "$(upd)" = 2
ok grep -q "HTTP 500" "$T/out"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"
# 6. a server that stops sending: the timeout ends it
src "uk UK-Sanctions-List.xml $B/hang/UK-Sanctions-List.xml"
s0=$(date +%s)
ok test "$(upd --timeout 2)" = 2
ok test $(($(date +%s) - s0)) -lt 20
ok grep -q "timed out" "$T/out"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"
# 7. a list dated before the installed copy (a stale mirror)
src "uk UK-Sanctions-List.xml $B/good/uk-old.xml"
ok test "$(upd)" = 2
ok grep -q "refused: UK is dated 2026-10-01, older than the installed copy (2026-11-20)" "$T/out"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"
# 8. over the size limit
src "uk UK-Sanctions-List.xml $B/good/big.bin"
ok test "$(upd --max-size 1)" = 2
ok grep -q "larger than the limit of 1048576 bytes" "$T/out"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"
# 9. plain http:// to a host that is not loopback: refused before any connection
src "uk UK-Sanctions-List.xml http://lists.example.invalid/UK-Sanctions-List.xml"
ok test "$(upd)" = 2
ok grep -q "only https://" "$T/out"
src "uk UK-Sanctions-List.xml ftp://127.0.0.1:$P/good/UK-Sanctions-List.xml"
ok test "$(upd)" = 2
# 9b. HTTPS with a certificate the system does not trust (self-signed): refused
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
  python3 "$SRC/tests/e2e/list_server.py" "$T/www" "$T/tlsport" 18100 18199 "$T/cert.pem" "$T/key.pem" &
  SRV2=$!
  for _ in $(seq 50); do [ -s "$T/tlsport" ] && break; sleep 0.1; done
  src "uk UK-Sanctions-List.xml https://127.0.0.1:$(cat "$T/tlsport")/good/uk-new.xml"
  ok test "$(upd --force)" = 2
  ok grep -qi "certificate" "$T/out"
  ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/uk.good"
  kill "$SRV2" 2>/dev/null
fi
# 10. through a proxy (--proxy, then the http_proxy environment): the request reaches it with an absolute URI
src "uk UK-Sanctions-List.xml http://lists.example.invalid/good/UK-Sanctions-List.xml"
ok test "$(upd --allow-http --proxy "$B")" = 0
ok grep -q "^http://lists.example.invalid/good/UK-Sanctions-List.xml" "$T/proxied.log"
rm -f "$T/proxied.log"
ok test "$(http_proxy="$B" upd --allow-http)" = 0
ok test -s "$T/proxied.log"
# 11. one source fails, another is installed: exit 2, the good one is in
src "un consolidated.xml $B/500/consolidated.xml" "uk UK-Sanctions-List.xml $B/good/uk-new.xml"
ok test "$(upd)" = 2
ok grep -q "1 of 2 source(s) not installed" "$T/out"
ok same "$DD/sanctions/uk/UK-Sanctions-List.xml" "$T/www/uk-new.xml"
ok same "$DD/sanctions/un/consolidated.xml" "$T/un.before"
# 12. --only, and a sources file with a file name the loaders do not read
ok test "$(upd --only eu)" = 2
ok grep -q "no source to fetch" "$T/out"
src "uk ../../etc/passwd $B/good/UK-Sanctions-List.xml"
ok test "$(upd)" = 2
ok grep -q "expected \"SOURCE FILE URL\"" "$T/out"
# one update at a time: a second one while the first holds the lock is refused
src "uk UK-Sanctions-List.xml $B/hang/UK-Sanctions-List.xml"
"$U" data update --data-dir "$DD" --sources "$T/sources.conf" --timeout 4 >/dev/null 2>&1 &
first=$!
sleep 1
"$U" data update --data-dir "$DD" --sources "$T/sources.conf" --timeout 4 >"$T/second" 2>&1
ok test $? = 2
ok grep -q "another unmask data update (process $first) is updating" "$T/second"
wait "$first"
# the bundled sources file names the publishers' HTTPS addresses
ok test "$(grep -v '^#' "$SRC/data/sanctions/sources.conf" | grep -c ' https://')" -ge 11
ok test "$(ls -a "$DD/sanctions" | grep -c '^\.\(update-\|fetch-\)')" = 0
echo "$pass passed, $fail failed"
exit $((fail > 0))
