#!/bin/bash
# ab_onecore.sh N DATASET BIN_A BIN_B - two unmask binaries scanning the same
# bench case on one core (or CPUS/THREADS), runs interleaved (A B A B ...), a fresh output
# folder for each run. Prints every run's CPU ms (perf stat task-clock) and
# wall seconds, then the medians and the median of the pairwise B/A CPU
# ratios. DATASET is a gen_bench case folder holding hr/ and logs/ (as
# bench/run.sh writes them, e.g. $BENCH_DIR/quarter). Needs perf and taskset.
# CPUS=0,1 THREADS=2 times the two-core scan instead (then wall is the figure:
# CPU ms is both threads' sum).
set -euo pipefail
if [ $# -ne 4 ]; then
    echo "usage: $0 N DATASET BIN_A BIN_B" >&2
    exit 2
fi
N=$1 D=$2 A=$3 B=$4
CPUS=${CPUS:-0} THREADS=${THREADS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "$N"); do
    for tag in A B; do
        bin=$A
        [ "$tag" = B ] && bin=$B
        rm -rf "$work/out"
        /usr/bin/time -f "%e" -o "$work/wall" \
            perf stat -x, -e task-clock -o "$work/stat" \
            taskset -c "$CPUS" "$bin" scan -q --fail-on never --threads "$THREADS" -o "$work/out" "$D/hr" "$D/logs" \
            >/dev/null 2>&1 || true
        echo "$tag $(grep task-clock "$work/stat" | cut -d, -f1) $(cat "$work/wall")" | tee -a "$work/raw"
    done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/raw" <<'PY'
import statistics as st, sys
d = {}
for line in open(sys.argv[1]):
    t, cpu, wall = line.split()[:3]
    d.setdefault(t, []).append((float(cpu), float(wall)))
for t in sorted(d):
    print("median %s: cpu %.0f ms, wall %.2f s" % (t, st.median(x[0] for x in d[t]), st.median(x[1] for x in d[t])))
pairs = [b[0] / a[0] for a, b in zip(d["A"], d["B"])]
print("pairwise B/A cpu: median %.3f (%s)" % (st.median(pairs), " ".join("%.3f" % x for x in pairs)))
pairs = [b[1] / a[1] for a, b in zip(d["A"], d["B"])]
print("pairwise B/A wall: median %.3f (%s)" % (st.median(pairs), " ".join("%.3f" % x for x in pairs)))
PY
