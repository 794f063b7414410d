#!/usr/bin/env bash
# End-to-end batch screening benchmark (issue 11 point 4): `unmask screen
# --batch` of N names (default 50,000) drawn from common Korean, Chinese,
# Russian, Spanish and English given names and surnames, timed as a whole
# process (start, index file open or build, every query, JSON output) on
# one pinned core, median of RUNS runs, as wall time and as CPU time (user
# + sys: on a shared machine the CPU time is the figure that does not move
# with other people's load). In the same run, bench/screen_bench --pool
# times the engine alone on the same names (queries/s/core, the index
# file's map + check time) and brute-force Jaro-Winkler on a sample of
# them.
#
#   bench/screen_batch.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000}
RUNS=${2:-5}
DIR=${BENCH_DIR:-/tmp/unmask-screen-bench}
CORE=${BENCH_CORE:-1}
mkdir -p "$DIR"
cmake --preset release >/dev/null
cmake --build --preset release --target unmask screen_bench >/dev/null
U=build/release/unmask
awk -v n="$N" 'BEGIN {
  srand(42);
  ks = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Jeon Hong";
  kg = "Min-jun Seo-yeon Ji-hoon Ha-eun Do-yun Seo-jun Ji-woo Ye-jin Hyun-woo Su-bin Jun-seo Min-seo Ji-ho Eun-ji Sung-min Young-ho Jae-won Hye-jin Dong-hyun Jin-woo";
  cs = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo";
  cg = "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiu Hui Hua Ping";
  rs = "Ivanov Smirnov Kuznetsov Popov Vasilyev Petrov Sokolov Mikhaylov Novikov Fedorov Morozov Volkov Alekseyev Lebedev Semenov";
  rg = "Aleksandr Sergey Dmitriy Andrey Aleksey Maksim Ivan Mikhail Olga Tatyana Yelena Natalya Irina Anna Pavel";
  ss = "Garcia Rodriguez Gonzalez Fernandez Lopez Martinez Sanchez Perez Gomez Martin Jimenez Ruiz Hernandez Diaz Moreno";
  sg = "Jose Juan Maria Carmen Antonio Francisco Manuel Ana Laura Lucia David Javier Daniel Carlos Miguel";
  es = "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin White";
  eg = "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph";
  nks = split(ks, KS, " "); nkg = split(kg, KG, " "); ncs = split(cs, CS, " "); ncg = split(cg, CG, " ");
  nrs = split(rs, RUS, " "); nrg = split(rg, RUG, " "); nss = split(ss, SS, " "); nsg = split(sg, SG, " ");
  nes = split(es, ES, " "); neg = split(eg, EG, " ");
  print "name";
  for (i = 0; i < n; i++) {
    r = int(rand() * 5);
    if (r == 0) print KS[1 + int(rand() * nks)] " " KG[1 + int(rand() * nkg)];
    else if (r == 1) print CS[1 + int(rand() * ncs)] " " CG[1 + int(rand() * ncg)];
    else if (r == 2) print RUG[1 + int(rand() * nrg)] " " RUS[1 + int(rand() * nrs)];
    else if (r == 3) print SG[1 + int(rand() * nsg)] " " SS[1 + int(rand() * nss)];
    else print EG[1 + int(rand() * neg)] " " ES[1 + int(rand() * nes)];
  }
}' >"$DIR/batch.csv"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# a first run writes the index file when it is missing or stale (not timed)
taskset -c "$CORE" "$U" screen --batch "$DIR/batch.csv" >"$DIR/out.jsonl" 2>/dev/null || true
walls=() cpus=()
TIMEFORMAT='%R %U %S'
for ((i = 0; i < RUNS; i++)); do
  t=$({ time taskset -c "$CORE" "$U" screen --batch "$DIR/batch.csv" >"$DIR/out.jsonl" 2>/dev/null || true; } 2>&1)
  read -r w u s <<<"$t"
  walls+=("$w")
  cpus+=("$(echo "$u + $s" | bc)")
done
w=$(printf '%s\n' "${walls[@]}" | median)
c=$(printf '%s\n' "${cpus[@]}" | median)
lines=$(wc -l <"$DIR/out.jsonl")
matched=$(grep -c '"matches":\[{' "$DIR/out.jsonl" || true)
echo "unmask screen --batch: $N names, $lines output lines, $matched with a match; median of $RUNS runs on core $CORE:"
echo "  wall ${w}s ($(echo "$N / $w" | bc) names/s end to end); CPU ${c}s ($(echo "$N / $c" | bc) names/s per CPU second)"
echo "  walls: ${walls[*]}; CPU: ${cpus[*]}"
taskset -c "$CORE" build/release/bench/screen_bench . --pool "$DIR/batch.csv" --runs "$RUNS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
