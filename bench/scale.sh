#!/usr/bin/env bash
# Identity-scale benchmark (issue 13, point 5): `unmask scan` of generated
# applicant exports (bench/gen_people: ~10 identifiers a person, rings of
# shared identifiers, 20% with one of five very common phones/addresses) at
# several sizes; wall time, CPU time, peak RSS and the time per phase
# (scan -v), and the memory slope per person between the sizes.
#
#   bench/scale.sh [PEOPLE...]     (default 250000 500000 1000000)
# A size given twice is run twice (medians: 1000000 1000000 1000000); the
# slope is printed between consecutive different sizes. The scan uses its
# default threads (one per core: case.db is built beside the text files).
# Same-run baseline: just before each scan, the sqlite3 shell imports the
# same CSV into a table (`.import --csv`, no journal): "base s" is its wall
# time and "scan/base" the ratio, which moves less with the machine's load
# than either wall time does.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/unmask-scale}
cmake --preset release >/dev/null
cmake --build --preset release --target unmask gen_people >/dev/null
U=build/release/unmask
G=build/release/bench/gen_people
mkdir -p "$DIR"
sizes=("$@"); [[ ${#sizes[@]} -gt 0 ]] || sizes=(250000 500000 1000000)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "| people | CSV MB | wall s | CPU s | peak RSS MiB | read s | analyze s | write s | case.db MB | base s | scan/base | load |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
prev_n=0 prev_kb=0
for n in "${sizes[@]}"; do
  f="$DIR/people-$n.csv"
  [[ -s $f ]] || "$G" --people "$n" --out "$f" 2>/dev/null
  rm -rf "$DIR/out" "$DIR/base.db"
  /usr/bin/time -f "%e" -o "$DIR/btime" sqlite3 -cmd "PRAGMA journal_mode=OFF" -cmd "PRAGMA synchronous=OFF" \
    "$DIR/base.db" ".import --csv $f people" >/dev/null
  rm -f "$DIR/base.db"
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" "$U" scan -v --fail-on never -o "$DIR/out" "$f" >/dev/null 2>"$DIR/err" || true
  read -r wall u s kb <"$DIR/time"
  read -r r a w < <(sed -n 's/.*timings: read \([0-9.]*\) s, analyze \([0-9.]*\) s, write \([0-9.]*\) s.*/\1 \2 \3/p' "$DIR/err")
  awk -v n="$n" -v mb="$(stat -c %s "$f")" -v wall="$wall" -v u="$u" -v s="$s" -v kb="$kb" -v r="$r" -v a="$a" \
      -v w="$w" -v db="$(stat -c %s "$DIR/out/case.db")" -v b="$(cat "$DIR/btime")" -v load="$load" \
      'BEGIN{printf "| %d | %.0f | %.1f | %.1f | %.0f | %.1f | %.1f | %.1f | %.0f | %.1f | %.2f | %s |\n", n, mb/1e6, wall, u+s, kb/1024, r, a, w, db/1e6, b, wall/b, load}'
  if ((prev_n && prev_n != n)); then
    awk -v a="$prev_n" -v b="$n" -v ka="$prev_kb" -v kb="$kb" \
      'BEGIN{printf "  slope %d -> %d people: %.0f bytes of peak RSS per person\n", a, b, (kb-ka)*1024/(b-a)}'
  fi
  prev_n=$n prev_kb=$kb
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
