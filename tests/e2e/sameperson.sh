#!/usr/bin/env bash
# End-to-end: the same person without a shared key (issue 7 point 8). An
# applicant export (Candidate ID) and a payroll export (Payee ID) share no
# key; ten people appear in both with typos, transliteration variants,
# abbreviated streets or a day/month swap in the date of birth. Expected:
#   - each of the ten pairs is joined by a same_person edge (clusters.jsonl,
#     case.db cluster_edges) naming the fields that agreed and p=...;
#   - the records stay two subjects (an edge, not a merge) and nobody is
#     raised by it (no finding comes from a same-person match);
#   - fairness: two different Kim Min-juns in Los Angeles (one in each
#     export, different birth dates, streets and emails), two Lee Ji-eun in
#     one city with no date of birth, a payee known only as "Kim" with a
#     third birth date, a couple sharing a home, and twins (one surname,
#     birth date and home) are NOT linked as the same person; a payee known
#     only by surname with the birth date and street of an applicant is.
# Environment (set by ctest): UNMASK.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
tmp=$(mktemp -d)
trap "rm -rf \"$tmp\"" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "$tmp" >&2
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }

mkdir -p "$tmp/in"
A="$tmp/in/applicants.csv"
P="$tmp/in/payroll.csv"
echo 'Candidate ID,First Name,Last Name,Email,Date of Birth,Address,City,State,Postal Code,Country' > "$A"
echo 'Payee ID,Payee Name,Date of Birth,Address,City,State,Postal Code,Payout Method,Bank Account' > "$P"

firsts=(Olivia Liam Emma Noah Ava Elijah Sophia James Mia Lucas Amelia Mason Harper Ethan Evelyn Logan Abigail Jacob
    Emily Michael Ella Daniel Scarlett Henry Grace Jackson Chloe Sebastian Victoria Aiden)
lasts=(Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson
    Martin Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres)
cities=(Denver Phoenix Seattle Boston Atlanta Portland Chicago Austin Miami Dallas)
# background applicants: distinct people, no payroll record
for i in $(seq 0 29); do
    f=${firsts[$i]} l=${lasts[$(((i * 7) % 30))]} c=${cities[$((i % 10))]}
    printf 'C%04d,%s,%s,%s.%s%d@example.net,19%02d-%02d-%02d,%d Pine Street,%s,CO,8%04d,US\n' "$i" "$f" "$l" \
        "${f,,}" "${l,,}" "$i" $((70 + i % 25)) $((1 + i % 12)) $((1 + i % 28)) $((100 + i)) "$c" "$i" >> "$A"
done
# payroll-only people
for i in $(seq 0 9); do
    printf 'P9%03d,%s %s,19%02d-%02d-%02d,%d Birch Road,%s,WA,9%04d,Direct Deposit,021000021-%010d\n' "$i" \
        "${firsts[$((29 - i))]}" "${lasts[$(((i * 11 + 3) % 30))]}" $((60 + i)) $((12 - i)) $((28 - i)) $((700 + i)) \
        "${cities[$(((i + 3) % 10))]}" "$i" $((i * 104729 + 7)) >> "$P"
done
# the same ten people in both exports, written differently
pair() { # cid first last dob street city zip | pid payee-name dob street
    echo "$1,$2,$3,${2,,}.${3,,}@mailbox.org,$4,$5,$6,XX,$7,US" | tr -d "'" >> "$A"
    echo "$8,$9,${10},${11},$6,XX,$7,Direct Deposit,021000021-000000$((RANDOM % 9000 + 1000))" >> "$P"
}
pair C1001 Jonathan Whitaker 1988-04-12 "41 Maple Avenue" Denver 80203 P1001 "Jonathon Whitaker" 1988-04-12 "41 Maple Ave"
pair C1002 Ji-hoon Park 1991-09-03 "9 Lake Drive" Seattle 98101 P1002 "Jihun Park" 1991-09-03 "9 Lake Dr"
pair C1003 Katherine O\'Neill 1979-11-30 "300 River Road" Boston 02110 P1003 "Catherine ONeill" 1979-11-30 "300 River Rd"
pair C1004 Mohammed Al-Rashid 1985-02-07 "12 Cedar Court" Phoenix 85004 P1004 "Muhammad Al-Rashid" 1985-07-02 "12 Cedar Ct"
pair C1005 Aleksandr Petrov 1993-06-21 "77 Hill Street" Chicago 60601 P1005 "Alexander Petrov" 1993-06-21 "77 Hill St"
pair C1006 Siobhan Kelly 1990-01-15 "5 Bay View" Miami 33101 P1006 "Siobhan Kelley" 1990-01-15 "5 Bay View"
pair C1007 Nguyen Thi 1987-08-08 "18 Lotus Lane" Dallas 75201 P1007 "Thi Nguyen" 1987-08-08 "18 Lotus Ln"
pair C1008 Christopher Baumann 1982-12-01 "620 Oak Boulevard" Austin 78701 P1008 "Cristopher Bauman" 1982-12-01 "620 Oak Blvd"
pair C1009 Yoon-seo Choi 1996-03-19 "2 Garden Place" Atlanta 30303 P1009 "Yunseo Choi" 1996-03-19 "2 Garden Pl"
pair C1010 Frederick Lindqvist 1975-05-25 "90 Fjord Way" Portland 97201 P1010 "Fredrick Lindquist" 1975-05-25 "90 Fjord Way"
# fairness: a common Korean name, one city, different people
echo 'C2001,Min-jun,Kim,minjun.kim.la@gmail.com,1990-03-14,1200 Wilshire Boulevard,Los Angeles,CA,90017,US' >> "$A"
echo 'P2001,Minjun Kim,1987-11-02,455 Vermont Avenue,Los Angeles,CA,90020,Direct Deposit,021000021-0000002001' >> "$P"
echo 'C2002,Ji-eun,Lee,jieun.lee@naver.com,,10 Olympic Boulevard,Los Angeles,CA,90006,US' >> "$A"
echo 'C2003,Ji-eun,Lee,lee.jieun@gmail.com,,3800 Wilshire Boulevard,Los Angeles,CA,90010,US' >> "$A"
# a surname alone (one name part) with another birth date than either Kim
echo 'P2004,Kim,1985-06-30,77 Western Avenue,Los Angeles,CA,90004,Direct Deposit,021000021-0000002004' >> "$P"
# a couple sharing a home (one surname, no birth dates) and twins (one
# surname, one birth date, one home): never the same person
echo 'C2005,Ji-woo,Park,jiwoo.park@gmail.com,,88 Normandie Avenue,Los Angeles,CA,90005,US' >> "$A"
echo 'C2006,Seo-yeon,Park,seoyeon.p@naver.com,,88 Normandie Avenue,Los Angeles,CA,90005,US' >> "$A"
echo 'C2007,Min-seo,Choi,minseo.choi@gmail.com,1999-05-05,12 Serrano Avenue,Los Angeles,CA,90004,US' >> "$A"
echo 'C2008,Ha-eun,Choi,haeun.choi@gmail.com,1999-05-05,12 Serrano Avenue,Los Angeles,CA,90004,US' >> "$A"
# one name part is enough when identifying fields agree: payroll knows only
# the surname, with the birth date and the street
echo 'C1011,Daniela,Moreau,daniela.moreau@mailbox.org,1984-07-19,15 Ivy Court,Denver,XX,80205,US' >> "$A"
echo 'P1011,Moreau,1984-07-19,15 Ivy Ct,Denver,XX,80205,Direct Deposit,021000021-0000001011' >> "$P"

CASE=scan
rc=0
"$UNMASK" scan --out "$tmp/out" "$A" "$P" > "$tmp/stdout" 2> "$tmp/stderr" || rc=$?
ok test "$rc" -le 1
C="$tmp/out/clusters.jsonl"
ok test -s "$C"
# the ids of a record's subject, from subjects.jsonl
sid() { jq -r --arg k "$1=$2" 'select(.sources | index($k | ascii_downcase)) | .id' "$tmp/out/subjects.jsonl" | head -1; }
edge() { # a b -> the identifiers kinds on the edge between them
    jq -r --arg a "$1" --arg b "$2" '.edges[]? | select((.a == $a and .b == $b) or (.a == $b and .b == $a))
        | .identifiers[].kind' "$C" | sort -u | tr '\n' ' '; }
for k in 1001 1002 1003 1004 1005 1006 1007 1008 1009 1010 1011; do
    CASE="pair $k"
    a=$(sid candidate_id "C$k") b=$(sid employee_id "P$k")
    ok test -n "$a" -a -n "$b" -a "$a" != "$b"
    e=$(edge "$a" "$b")
    ok grep -q same_person <<< "$e"
done
CASE="explained"
ok jq -e -s '[.[] | .edges[]? | .identifiers[] | select(.kind | startswith("same_person"))
    | select(.value | test("p=[01]\\.[0-9]+; score=[+][0-9.]+;.*date_of_birth=(exact|close)"))] | length >= 10' "$C" > /dev/null
ok jq -e -s '[.[] | .edges[]? | .identifiers[] | select(.kind | startswith("same_person"))
    | select(.source_a + " " + .source_b | test("applicants.csv:[0-9]+") and test("payroll.csv:[0-9]+"))] | length >= 10' \
    "$C" > /dev/null
ok test "$(sqlite3 "$tmp/out/case.db" "SELECT count(*) FROM cluster_edges WHERE kind LIKE 'same_person%'")" -ge 10
CASE="not merged, nobody raised"
ok test "$(jq -s length "$tmp/out/subjects.jsonl")" -eq 71
ok test "$(jq -s '[.[] | select(.level != "clean")] | length' "$tmp/out/subjects.jsonl")" -eq 0
CASE="fairness: Kim Min-jun x2, Lee Ji-eun x2"
a=$(sid candidate_id C2001) b=$(sid employee_id P2001)
ok test -z "$(edge "$a" "$b")"
a=$(sid candidate_id C2002) b=$(sid candidate_id C2003)
ok test -z "$(edge "$a" "$b")"
ok test "$(jq -s --arg a "$a" '[.[] | .members | select(index($a))] | length' "$C")" -eq 0
CASE="fairness: a surname alone, a couple, twins"
k=$(sid employee_id P2004)
for o in "candidate_id C2001" "employee_id P2001"; do
    b=$(sid $o)
    ok test -n "$k" -a -n "$b" -a -z "$(edge "$k" "$b" | grep same_person)"
done
a=$(sid candidate_id C2005) b=$(sid candidate_id C2006)
ok test -n "$a" -a -n "$b" -a -z "$(edge "$a" "$b" | grep same_person)"
a=$(sid candidate_id C2007) b=$(sid candidate_id C2008)
ok test -n "$a" -a -n "$b" -a -z "$(edge "$a" "$b" | grep same_person)"

echo "$pass passed, $fail failed"
test "$fail" -eq 0
