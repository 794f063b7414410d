#!/usr/bin/env bash
# End-to-end: one profile photo under two names (issue 7 point 7). An
# applicant export with a Photo column naming PNG files next to it: Ann's
# and Zed's photos are the same picture (one re-encoded at half size), Kim's
# is another. Ann and Zed get LINK-02 with the similarity; Kim gets nothing;
# a photo that is not an image is a warning, not a failure.
# Environment (set by ctest): UNMASK.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }
mkdir -p "$tmp/in/photos"
python3 - "$tmp/in/photos" <<'PY'
import math, struct, sys, zlib
def png(path, w, h, seed):
    rows = b""
    for y in range(h):
        row = bytearray([0])
        for x in range(w):
            fx, fy = x / w, y / h
            v = 128 + 60 * math.sin(6.3 * fx * (seed + 1)) + 50 * math.cos(4.1 * fy * (seed + 2))
            if (fx - 0.5) ** 2 + (fy - 0.4) ** 2 < 0.04: v += 60
            row.append(max(0, min(255, int(v))))
        rows += bytes(row)
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
d = sys.argv[1]
png(d + "/ann.png", 160, 200, 1)
png(d + "/zed.png", 80, 100, 1)
png(d + "/kim.png", 160, 200, 4)
open(d + "/bad.png", "w").write("not an image")
PY
cat > "$tmp/in/applicants.csv" <<'CSV'
Candidate ID,First Name,Last Name,Email,Phone,City,Country,Photo
C1,Ann,Lee,ann.lee@example.com,+1 512-555-0101,Austin,US,photos/ann.png
C2,Zed,Moor,zed.moor@example.com,+1 303-555-0102,Denver,US,photos/zed.png
C3,Kim,Ray,kim.ray@example.com,+1 206-555-0103,Seattle,US,photos/kim.png
C4,Bo,Ng,bo.ng@example.com,+1 206-555-0104,Seattle,US,photos/bad.png
CSV
rc=0
"$UNMASK" scan -q --fail-on never -o "$tmp/out" "$tmp/in" || rc=$?
CASE=scan; ok test "$rc" = 0
ind() { jq -r --arg c "candidate_id=$1" 'select(.sources | index($c)) | .id' "$tmp/out/subjects.jsonl" |
    while read -r s; do jq -r --arg s "$s" 'select(.subject_id == $s) | .indicator' "$tmp/out/findings.jsonl"; done | sort -u | tr '\n' ' '; }
CASE=ann; ok bash -c "[[ '$(ind c1)' == *LINK-02* ]]"
CASE=zed; ok bash -c "[[ '$(ind c2)' == *LINK-02* ]]"
CASE=kim; ok test -z "$(ind c3)"
CASE=similarity; ok bash -c "jq -r 'select(.indicator == \"LINK-02\") | .summary' '$tmp/out/findings.jsonl' | grep -q 'perceptual-hash similarity'"
CASE=bad-photo-warning; ok bash -c "sqlite3 '$tmp/out/case.db' \"select reason from rejects where kind = 'warning'\" | grep -q 'bad.png could not be read'"
echo "$pass passed, $fail failed"
exit $((fail > 0))
