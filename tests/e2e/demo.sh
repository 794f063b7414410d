#!/usr/bin/env bash
# End-to-end test on the demo case (examples/demo, made by tools/gen_demo).
#  (a) gen_demo is deterministic and the committed copy is current;
#  (b) unmask scans the demo (exit 1: high findings exist; 2 is a failure);
#  (c) the results meet the ground truth (tools/eval_demo);
#  (d) a second scan into the same folder gives byte-identical subjects.
# Environment (set by ctest): UNMASK, UM_SRC_DIR, UM_BIN_DIR.
set -euo pipefail

: "${UNMASK:?path of the unmask binary}"
: "${UM_SRC_DIR:?repository root}"
: "${UM_BIN_DIR:?build directory}"
GEN="$UM_BIN_DIR/tools/gen_demo"
EVAL="$UM_BIN_DIR/tools/eval_demo"
DEMO="$UM_SRC_DIR/examples/demo"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

for b in "$UNMASK" "$GEN" "$EVAL"; do
    [ -x "$b" ] || fail "$b is not built"
done

# (a) determinism and freshness of the committed demo
"$GEN" --out "$tmp/gen1"
"$GEN" --seed 1 --out "$tmp/gen2"
diff -r -q "$tmp/gen1" "$tmp/gen2" || fail "gen_demo is not deterministic for one seed"
"$GEN" --seed 2 --out "$tmp/gen3"
if diff -r -q "$tmp/gen1" "$tmp/gen3" >/dev/null; then fail "--seed has no effect"; fi
for f in $(cd "$tmp/gen1" && find . -type f | sort); do
    cmp -s "$tmp/gen1/$f" "$DEMO/$f" ||
        fail "examples/demo/$f differs from gen_demo output: regenerate with '$GEN --out examples/demo'"
done

# (b) scan
rc=0
"$UNMASK" scan -q --out "$tmp/out" --approved-rmm ScreenConnect "$DEMO" || rc=$?
[ "$rc" -eq 1 ] || fail "unmask scan exited $rc (expected 1: the demo has high findings)"
[ -s "$tmp/out/subjects.jsonl" ] || fail "no subjects.jsonl"

# (c) ground truth: recall and precision at review, recall at high, no look-alike at review
"$EVAL" "$DEMO/truth.csv" "$tmp/out/subjects.jsonl" --threshold review \
    --min-recall 0.9 --min-precision 0.9 || fail "ground truth not met at review"
"$EVAL" "$DEMO/truth.csv" "$tmp/out/subjects.jsonl" --threshold high \
    --min-recall 0.6 --min-precision 0.9 >/dev/null || fail "ground truth not met at high"

# (d) idempotent re-run into the same folder
cp "$tmp/out/subjects.jsonl" "$tmp/subjects.first"
rc=0
"$UNMASK" scan -q --out "$tmp/out" --approved-rmm ScreenConnect "$DEMO" || rc=$?
[ "$rc" -eq 1 ] || fail "second scan exited $rc"
cmp "$tmp/subjects.first" "$tmp/out/subjects.jsonl" || fail "second scan changed subjects.jsonl"

echo "demo e2e: ok"
