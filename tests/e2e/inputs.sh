#!/usr/bin/env bash
# Every input accounted for (issue 13, point 2): pipes, /dev/stdin and '-'
# read as streams with format detection (or -f); a FIFO without a writer
# times out with a clear error; symbolic links followed once (loops and
# files met twice detected by device and inode, and reported); folder depth
# limited with a warning; the summary and case.db count files read, skipped
# (with the reason) and rejected.
set -uo pipefail
U=${UNMASK:?UNMASK not set}
SRC=${UM_SRC_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
scan() { "$U" scan -q --fail-on never "$@"; }
q() { sqlite3 "$1/case.db" "$2"; }
E=$SRC/examples/demo/hr/employees.csv
D=$SRC/examples/demo

scan -o "$T/ref" "$E"
ref=$(q "$T/ref" 'select count(*) from subjects')
ok test "$ref" -gt 100

# pipes: process substitution, /dev/stdin, '-'; same result as the file
scan -o "$T/p1" <(cat "$E")
ok test "$(q "$T/p1" 'select count(*) from subjects')" = "$ref"
cat "$E" | scan -o "$T/p2" /dev/stdin
ok test "$(q "$T/p2" 'select count(*) from subjects')" = "$ref"
cat "$E" | scan -o "$T/p3" -
ok test "$(q "$T/p3" 'select count(*) from subjects')" = "$ref"
nofile() { sed 's/"file":"[^"]*"//g' "$1"; } # the evidence names "-" for a stream
ok cmp -s <(nofile "$T/ref/findings.jsonl") <(nofile "$T/p3/findings.jsonl")
# a log through a pipe (the sign-in reader sniffs and rewinds)
cat "$D/logs/okta.jsonl" | scan -o "$T/p4" "$E" -
ok test "$(q "$T/p4" "select value from events_summary where key='events'")" -gt 0
scan -o "$T/p4f" "$E" "$D/logs/okta.jsonl"
ok cmp -s <(nofile "$T/p4f/findings.jsonl") <(nofile "$T/p4/findings.jsonl")
# UTF-16 through a pipe, and -f forcing the format
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE <"$E"; } | scan -o "$T/p5" -
ok test "$(q "$T/p5" 'select count(*) from subjects')" = "$ref"
tail -n +1 "$E" | scan -f person-csv -o "$T/p6" -
ok test "$(q "$T/p6" 'select count(*) from subjects')" = "$ref"
# an empty pipe is a skipped input, said so
: | "$U" scan --fail-on never -o "$T/p7" - >/dev/null 2>"$T/p7.err"
ok grep -q 'skipped -: empty stream' "$T/p7.err"
ok test "$(q "$T/p7" "select status || ':' || reason from inputs")" = "skipped:skipped: empty stream"

# a FIFO with no writer: a clear error after the timeout, exit 2
mkfifo "$T/fifo"
t0=$(date +%s)
"$U" scan --stream-timeout 1 -o "$T/f1" "$T/fifo" >/dev/null 2>"$T/f1.err"
ok test $? = 2
ok grep -q 'nothing to read after 1 s' "$T/f1.err"
ok test $(($(date +%s) - t0)) -lt 10
# a FIFO with a writer is read
(cat "$E" >"$T/fifo") &
scan -o "$T/f2" "$T/fifo"
ok test "$(q "$T/f2" 'select count(*) from subjects')" = "$ref"
wait
# a FIFO inside a folder is skipped with a word, never waited on
mkdir -p "$T/withfifo" && cp "$E" "$T/withfifo/" && mkfifo "$T/withfifo/pipe"
"$U" scan --fail-on never -o "$T/f3" "$T/withfifo" >/dev/null 2>"$T/f3.err"
ok test $? = 0
ok grep -q 'skipped .*pipe: a FIFO' "$T/f3.err"
ok test "$(q "$T/f3" "select count(*) from inputs where status='skipped' and reason like '%FIFO%'")" = 1

# symbolic-link loops: finish, read each file once, say so
mkdir -p "$T/loop" && cp "$E" "$T/loop/" && ln -s . "$T/loop/x" && ln -s . "$T/loop/y" && ln -s .. "$T/loop/sub_up"
mkdir -p "$T/loop2/a" && cp "$E" "$T/loop2/a/" && ln -s .. "$T/loop2/a/up"
timeout 60 "$U" scan --fail-on never -o "$T/l1" "$T/loop2" >/dev/null 2>"$T/l1.err"
ok test $? = 0
ok test "$(q "$T/l1" 'select count(*) from subjects')" = "$ref"
ok grep -q 'folder already read as' "$T/l1.err"
mkdir -p "$T/loop3" && cp "$E" "$T/loop3/" && ln -s . "$T/loop3/x" && ln -s . "$T/loop3/y"
timeout 60 "$U" scan --fail-on never -o "$T/l2" "$T/loop3" >/dev/null 2>"$T/l2.err"
ok test $? = 0
ok test "$(q "$T/l2" "select value from events_summary where key='files_read'")" = 1
ok test "$(q "$T/l2" "select value from events_summary where key='files_skipped'")" = 2
# overlapping inputs and a hard link: each file read once
scan -o "$T/o1" "$D" "$D/logs"
scan -o "$T/o2" "$D"
ok cmp -s "$T/o2/findings.jsonl" "$T/o1/findings.jsonl"
ok test "$(q "$T/o1" "select count(*) from inputs where reason like 'skipped: folder already read as%'")" = 1
mkdir -p "$T/hl" && cp "$E" "$T/hl/a.csv" && ln "$T/hl/a.csv" "$T/hl/b.csv"
scan -o "$T/h1" "$T/hl"
ok test "$(q "$T/h1" "select count(*) from inputs where reason like 'skipped: same file as%a.csv (read once)'")" = 1

# depth: a limit that warns; configurable
p="$T/deep"; for i in $(seq 1 40); do p="$p/d$i"; done
mkdir -p "$p" && cp "$E" "$p/"
"$U" scan --fail-on never -o "$T/d1" "$T/deep" >/dev/null 2>"$T/d1.err"
ok grep -q 'folder deeper than the depth limit (32; --max-depth)' "$T/d1.err"
ok test "$(q "$T/d1" 'select count(*) from subjects')" = 0
scan --max-depth 64 -o "$T/d2" "$T/deep"
ok test "$(q "$T/d2" 'select count(*) from subjects')" = "$ref"

# the summary line counts files read, skipped and rejected
printf 'not,a,known\nformat,at,all\n' >"$T/unknown.txt"
"$U" scan --fail-on never -o "$T/s1" "$E" "$T/unknown.txt" "$T/withfifo" >/dev/null 2>"$T/s1.err"
ok grep -q 'files (2 read, 1 skipped, 1 rejected)' "$T/s1.err"
ok test "$(q "$T/s1" "select group_concat(status, ',') from (select status from inputs order by seq)")" = "read,rejected,read,skipped"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
