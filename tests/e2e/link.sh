#!/usr/bin/env bash
# End-to-end: households and colleagues are not persona networks; laptop
# farms are (issue 7 point 5). A small company in the real export formats:
#   couple       Ann and Bob Smith: one home, one family phone, one home IP,
#                Bob referred by Ann                          -> clean
#   office NAT   five engineers in Austin behind 198.51.100.7  -> clean
#   vendor       four contractors of one staffing vendor: the vendor's street
#                address and switchboard as theirs            -> clean
#   farm         four hires with homes in four cities, laptops to one
#                address in Hillsboro                         -> review or more
#   reshipper    one hire whose laptop goes to a Shipito suite -> review or more
#   residential  three hires in three cities signing in from one
#                residential IP                               -> review or more
# Also: a payout IBAN with a bad checksum gives PAY-12; generic values are
# named with their counts.
# Environment (set by ctest): UNMASK.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
tmp=$(mktemp -d)
trap "rm -rf \"$tmp\"" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "$tmp" >&2
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }

mkdir -p "$tmp/in"
H="$tmp/in/applicants.csv"
echo 'Candidate ID,First Name,Last Name,Email,Phone,Address,City,State,Postal Code,Country,Time Zone,LinkedIn,GitHub,Referred By,Resume' > "$H"
E="$tmp/in/employees.csv"
echo 'Employee ID,Candidate ID,Full Name,Work Email,Okta Login,Username,Hostname,Hire Date,Job Title,Country,Time Zone' > "$E"
S="$tmp/in/laptop_shipping.csv"
echo 'Employee ID,Full Name,Serial Number,Ship To Address,Ship Date' > "$S"
P="$tmp/in/payouts.csv"
echo 'Employee ID,Payee Name,Payout Method,Bank Account,Wallet Address,Account Holder,Change Date' > "$P"
O="$tmp/in/okta.jsonl"
: > "$O"

n=0
person() { # id first last phone street city state zip ship ip referred
    n=$((n + 1))
    local cid="C3$(printf %04d $n)" eid="E3$(printf %04d $n)" login
    login="$(echo "$2.$3" | tr 'A-Z' 'a-z')@corp.example"
    echo "$cid,$2,$3,$(echo "$2.$3.$n" | tr 'A-Z' 'a-z')@gmail.com,$4,$5,$6,$7,$8,US,America/Chicago,,${12:-},${11},I build web services and data pipelines; person $n with a distinct story number $RANDOM about $1." >> "$H"
    echo "$eid,$cid,$2 $3,$login,$login,$(echo "$2$3" | tr 'A-Z' 'a-z'),LK-W$n,2026-01-05,Engineer,US,America/Chicago" >> "$E"
    echo "$eid,$2 $3,SN$(printf %08d $((n * 7919))),\"$9\",2026-01-02" >> "$S"
    echo "$eid,$2 $3,Direct Deposit,021000021-$(printf %010d $((n * 104729))),,$2 $3,2026-01-05" >> "$P"
    for d in 10 11 12 13 14 15; do
        echo "{\"uuid\":\"u-$n-$d\",\"published\":\"2026-02-${d}T15:0$((n % 10)):00.000Z\",\"eventType\":\"user.session.start\",\"version\":\"0\",\"severity\":\"INFO\",\"displayMessage\":\"User login to Okta\",\"actor\":{\"id\":\"00u$n\",\"type\":\"User\",\"alternateId\":\"$login\",\"displayName\":\"$2 $3\"},\"client\":{\"device\":\"Computer\",\"ipAddress\":\"${10}\",\"geographicalContext\":{\"city\":\"$6\",\"country\":\"United States\"}},\"outcome\":{\"result\":\"SUCCESS\"},\"securityContext\":{\"isProxy\":false}}" >> "$O"
    done
    ids+=("$eid")
}
ids=()
# couple
person couple Ann Smith "+1 512-555-0100" "12 Oak Street" Austin TX 78701 "12 Oak St, Austin, TX 78701" 73.12.4.5 "" https://github.com/bbshark99
person couple Bob Smith "(512) 555-0100" "12 Oak St." Austin TX 78701 "12 Oak Street, Austin TX 78701" 73.12.4.5 "Ann Smith"
# office NAT team
for i in 1 2 3 4 5; do
    person nat Dev$i Team$i "+1 512-555-01$((10 + i))" "$((100 + i)) Elm Street" Austin TX 7870$i "$((100 + i)) Elm St, Austin, TX 7870$i" 198.51.100.7 ""
done
# staffing vendor contractors
for i in 1 2 3 4; do
    person vendor Con$i Tractor$i "+1 214-555-0199" "500 Commerce Street Suite 400" Dallas TX 75202 "500 Commerce St Ste 400, Dallas, TX 75202" "99.1.2.$i" ""
done
# laptop farm
cities=("Denver CO 80202" "Miami FL 33101" "Boston MA 02108" "Seattle WA 98101")
for i in 0 1 2 3; do
    set -- ${cities[$i]}
    person farm Farm$i Hire$i "+1 303-555-02$((10 + i))" "$((20 + i)) Main Street" "$1" "$2" "$3" "1870 Sandpiper Ct, Hillsboro, OR 97124" "24.20.9.$i" ""
done
# reshipper
person reship Res Hipper "+1 305-555-0300" "9 Bay Road" Miami FL 33101 "Shipito Suite 48213, 1 Main St, Torrance, CA 90501" 24.30.1.1 ""
# one residential IP behind hires in three cities
person resip Ip1 One "+1 303-555-0401" "1 Pine Street" Denver CO 80202 "1 Pine St, Denver, CO 80202" 67.189.4.20 ""
person resip Ip2 Two "+1 617-555-0402" "2 Pine Street" Boston MA 02108 "2 Pine St, Boston, MA 02108" 67.189.4.20 ""
person resip Ip3 Three "+1 206-555-0403" "3 Pine Street" Seattle WA 98101 "3 Pine St, Seattle, WA 98101" 67.189.4.20 ""
# propagation: P1 has a published persona's GitHub (IOC-02) and shares a
# mobile phone with P2, who inherits part of P1's score (LINK-07)
person prop Pro Pagate "+1 702-555-0500" "5 Lake Road" Reno NV 89501 "5 Lake Rd, Reno, NV 89501" 24.40.1.1 "" https://github.com/bbshark99
person prop Inh Eritor "+1 702-555-0500" "6 Hill Road" Tucson AZ 85701 "6 Hill Rd, Tucson, AZ 85701" 24.40.1.2 ""
# twelve applicants giving one bank's toll-free line: over the phone cap
# (10), a generic value named with its count, no LINK-06
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    person generic Gen$i Eric$i "+1 800-555-0000" "$((300 + i)) Oak Avenue" Omaha NE 68102 "$((300 + i)) Oak Ave, Omaha, NE 68102" "99.9.9.$i" ""
done
# a bad IBAN for the reshipper
sed -i "s/^${ids[15]},Res Hipper,Direct Deposit,[^,]*/${ids[15]},Res Hipper,Bank Transfer,GB82WEST12345698765433/" "$P"

rc=0
"$UNMASK" scan -q --fail-on never -o "$tmp/out" "$tmp/in" || rc=$?
CASE=scan; ok test "$rc" = 0
level() { jq -r --arg e "employee_id=$(echo "$1" | tr 'A-Z' 'a-z')" 'select(.sources | index($e)) | .level' "$tmp/out/subjects.jsonl"; }
inds() { jq -r --arg e "employee_id=$(echo "$1" | tr 'A-Z' 'a-z')" 'select(.sources | index($e)) | .id' "$tmp/out/subjects.jsonl" |
    while read -r sid; do jq -r --arg s "$sid" 'select(.subject_id == $s) | .indicator' "$tmp/out/findings.jsonl"; done | sort -u | tr '\n' ' '; }
CASE=couple-1; ok test "$(level "${ids[1]}")" = clean # Ann has a published persona's GitHub (propagation test)
CASE=couple-phone-weak; ok bash -c "[[ '$(inds "${ids[0]}")' != *LINK-06* ]]"
for k in 2 3 4 5 6; do CASE=nat-$k; ok test "$(level "${ids[$k]}")" = clean; done
for k in 7 8 9 10; do CASE=vendor-$k; ok test "$(level "${ids[$k]}")" = clean; done
for k in 11 12 13 14; do CASE=farm-$k; ok bash -c "[[ '$(level "${ids[$k]}")' =~ ^(review|high)$ ]]"; done
CASE=farm-ob02; ok bash -c "[[ '$(inds "${ids[11]}")' == *OB-02* ]]"
CASE=reshipper; ok bash -c "[[ '$(level "${ids[15]}")' =~ ^(review|high)$ ]]"
CASE=pay-12; ok bash -c "[[ '$(inds "${ids[15]}")' == *PAY-12* ]]"
for k in 16 17 18; do CASE=resip-$k; ok bash -c "[[ '$(level "${ids[$k]}")' =~ ^(review|high)$ ]]"; done
CASE=resip-net03; ok bash -c "[[ '$(inds "${ids[16]}")' == *NET-03* ]]"
CASE=generic-no-link06; ok bash -c "[[ '$(inds "${ids[21]}")' != *LINK-06* ]]"
CASE=generic-warning; ok bash -c "sqlite3 '$tmp/out/case.db' \"select reason from rejects where kind = 'warning'\" | grep -q 'phone +18005550000 is shared by 12 people, more than the cap of 10'"
CASE=propagates; ok bash -c "[[ '$(inds "${ids[20]}")' == *LINK-07* ]]"
CASE=ioc-source; ok bash -c "[[ '$(inds "${ids[19]}")' == *IOC-02* ]]"
CASE=not-over-household; ok bash -c "[[ '$(inds "${ids[1]}")' != *LINK-07* ]]"
CASE=couple-bob-clean; ok test "$(level "${ids[1]}")" = clean
echo "$pass passed, $fail failed"
exit $((fail > 0))
