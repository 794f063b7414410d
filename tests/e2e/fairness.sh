#!/usr/bin/env bash
# End-to-end: benign look-alikes stay below `review`; DPRK-shaped people with
# corroborated evidence reach review/high (issue 12 point 5). A small company
# in the real export formats (HR/applicant CSV, payroll CSV, laptop
# shipping CSV, Okta System Log JSON lines, git log TSV, Sysmon as NXLog
# JSON lines, the company software allowlist CSV):
#
# look-alikes (all clean)
#   bilingual      Korean IME on the laptop of someone whose HR record says
#                  "English, Korean": consistent with the claim, no finding
#   vpn_travel     US, home sign-ins; a trip to Paris with hotel Wi-Fi and
#                  NordVPN minutes apart (no impossible travel: VPN set aside)
#   korean_am      Korean-American in Los Angeles, Korean IME on the laptop
#   seoul_week     US, a week in Seoul (sign-ins, a few +0900 commits)
#   seoul_ime      a week in Seoul + Korean IME: locale signals never vouch
#                  for each other (EP-04 not counted)
#   approved_rmm   ScreenConnect, approved everywhere (--approved-rmm)
#   moved_tokyo    moved to Tokyo, HR record updated (JP, Asia/Tokyo): Tokyo
#                  sign-ins, daytime in Tokyo, +0900 commits
#   night_shift    Chicago night shift (21-06h local) for two weeks
#   it_admin       IT department with NinjaOne, approved for IT only
#   household      a couple on one family computer (one Okta dtHash, one home)
#
# positives
#   asia_day       claims Chicago; works 09-18h UTC+9, Astrill VPN, +0900
#                  commits, unapproved AnyDesk                       -> high
#   shared_browser two hires in two cities on one browser (dtHash); payout
#                  churn, a third-party payout holder, crypto         -> review+
#   travel         Chicago and Shenyang sign-ins an hour apart (log
#                  geolocation) + unapproved RustDesk                 -> review
#   many_authors   commits under five author identities, RustDesk,
#                  Korean IME: independently corroborated, EP-04 counts -> review
#   dev_ninja      a developer with NinjaOne (approved for IT only)   -> EP-02
#
# Environment (set by ctest): UNMASK.
set -euo pipefail
: "${UNMASK:?path of the unmask binary}"
command -v jq >/dev/null || { echo "jq is needed (scripts/install-deps.sh --test)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "$tmp" >&2
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [$CASE]: $*" >&2; fi; }

in="$tmp/in"
mkdir -p "$in/hr" "$in/payroll" "$in/it" "$in/logs" "$in/git"
E="$in/hr/employees.csv"
echo 'Employee ID,Full Name,Work Email,Okta Login,Username,Hostname,Hire Date,Job Title,Department,Country,Time Zone,Address,City,Languages' > "$E"
P="$in/payroll/payouts.csv"
echo 'Employee ID,Payee Name,Payout Method,Bank Account,Wallet Address,Account Holder,Change Date' > "$P"
S="$in/it/laptop_shipping.csv"
echo 'Employee ID,Full Name,Serial Number,Ship To Address,Ship Date' > "$S"
O="$in/logs/okta.jsonl"
: > "$O"
W="$in/logs/sysmon.jsonl"
: > "$W"
G="$in/git/commits.tsv"
: > "$G"
A="$in/company_software.csv"
printf 'product,approved,scope\nNinjaOne,yes,department:IT\n' > "$A"

n=0
# person KEY "First Last" COUNTRY TZ DEPT "street" city "ship-to" ["languages"]
person() {
    n=$((n + 1))
    local first=${2%% *} last=${2#* }
    local login user
    login="$(echo "$first.$last" | tr 'A-Z' 'a-z' | tr -d ' ')@corp.example"
    user="$(echo "${first:0:1}$last" | tr 'A-Z' 'a-z' | tr -d ' -')"
    eval "login_$1=$login user_$1=$user host_$1=CW-$((1000 + n)) eid_$1=E$((5000 + n))"
    echo "E$((5000 + n)),$2,$login,$login,$user,CW-$((1000 + n)),2026-06-01,Engineer,$5,$3,$4,$6,$7,\"${9:-}\"" >> "$E"
    echo "E$((5000 + n)),$2,SN$((777000 + n * 13)),\"$8\",2026-05-28" >> "$S"
    echo "E$((5000 + n)),$2,Direct Deposit,021000021-$(printf %010d $((n * 104729))),,$2,2026-06-01" >> "$P"
}

ts() { date -u -d "2026-10-05 00:00:00 UTC + $1 days + $2 hours + ${3:-0} minutes" +%Y-%m-%dT%H:%M:%S.000Z; }
utc_sysmon() { date -u -d "2026-10-05 00:00:00 UTC + $1 days + $2 hours + ${3:-0} minutes" '+%Y-%m-%d %H:%M:%S.000'; }

seq_id=0
# okta KEY DAY HOUR MIN IP COUNTRY CITY LAT LON ASN "ORG" PROXY DTHASH
okta() {
    seq_id=$((seq_id + 1))
    local login_var="login_$1" geo="" dbg=""
    [ -n "$8" ] && geo=",\"geolocation\":{\"lat\":$8,\"lon\":$9}"
    [ -n "${13:-}" ] && dbg=",\"debugContext\":{\"debugData\":{\"requestUri\":\"/idp/idx/identify\",\"dtHash\":\"${13}\"}}"
    echo "{\"uuid\":\"f0e1d2c3-0000-4000-8000-$(printf %012d $seq_id)\",\"published\":\"$(ts "$2" "$3" "$4")\",\"eventType\":\"user.session.start\",\"version\":\"0\",\"severity\":\"INFO\",\"displayMessage\":\"User login to Okta\",\"actor\":{\"id\":\"00u$seq_id\",\"type\":\"User\",\"alternateId\":\"${!login_var}\",\"displayName\":\"x\"},\"client\":{\"userAgent\":{\"rawUserAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36\",\"os\":\"Windows 10\",\"browser\":\"CHROME\"},\"device\":\"Computer\",\"ipAddress\":\"$5\",\"geographicalContext\":{\"city\":\"$7\",\"country\":\"$6\"$geo}},\"outcome\":{\"result\":\"SUCCESS\",\"reason\":null},\"securityContext\":{\"asNumber\":${10},\"asOrg\":\"${11}\",\"isp\":\"${11}\",\"domain\":null,\"isProxy\":${12}}$dbg}" >> "$O"
}
# days KEY FROM TO HOUR-UTC ... : one sign-in a day with the rest of the okta arguments
days() {
    local key=$1 from=$2 to=$3 hour=$4
    shift 4
    for ((d = from; d <= to; d++)); do okta "$key" "$d" "$hour" $((d % 50)) "$@"; done
}
# proc KEY DAY HOUR MIN IMAGE PRODUCT COMPANY
proc() {
    local h="host_$1" u="user_$1"
    echo "{\"EventTime\":\"x\",\"Hostname\":\"${!h}.corp.example\",\"EventType\":\"INFO\",\"EventID\":1,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"UtcTime\":\"$(utc_sysmon "$2" "$3" "$4")\",\"ProcessGuid\":\"{00000000-0000-0000-0000-000000000000}\",\"ProcessId\":\"4242\",\"Image\":\"$5\",\"Description\":\"$6\",\"Product\":\"$6\",\"Company\":\"$7\",\"OriginalFileName\":\"${5##*\\\\}\",\"CommandLine\":\"\\\"$5\\\"\",\"User\":\"CORP\\\\${!u}\",\"ParentImage\":\"C:\\\\Windows\\\\explorer.exe\"}" >> "$W"
}
# ime KEY DAY: Korean keyboard layout added (Sysmon 13)
ime() {
    local h="host_$1" u="user_$1"
    echo "{\"EventTime\":\"x\",\"Hostname\":\"${!h}.corp.example\",\"EventType\":\"INFO\",\"EventID\":13,\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"UtcTime\":\"$(utc_sysmon "$2" 17 5)\",\"ProcessGuid\":\"{00000000-0000-0000-0000-000000000001}\",\"ProcessId\":\"5100\",\"Image\":\"C:\\\\Windows\\\\System32\\\\SystemSettingsAdminFlows.exe\",\"TargetObject\":\"HKU\\\\S-1-5-21-1-2-3-1001\\\\Keyboard Layout\\\\Preload\\\\2\",\"Details\":\"00000412\",\"User\":\"CORP\\\\${!u}\"}" >> "$W"
}
# commit KEY DAY HOUR-UTC OFFSET-MINUTES [NAME EMAIL]
commit() {
    local l="login_$1" off=$4 sign=+ name=${5:-Dev} email=${6:-}
    [ -z "$email" ] && email=${!l}
    [ "$off" -lt 0 ] && sign=- && off=$((-off))
    local local_t
    local_t=$(date -u -d "2026-10-05 00:00:00 UTC + $2 days + $3 hours + $4 minutes + 17 minutes" +%Y-%m-%dT%H:%M:%S)
    local iso
    iso="$local_t$sign$(printf %02d:%02d $((off / 60)) $((off % 60)))"
    printf '%040x\t%s\t%s\t%s\t%s\t%s\n' $((RANDOM * 65536 + RANDOM + n * 7)) "$name" "$email" "$iso" "$iso" "Update module" >> "$G"
}

US_IP=(73.45.12.9 0 "Comcast Cable Communications, LLC")
# ---- look-alikes ----------------------------------------------------------
person vpn_travel "Laura Bennett" US America/Chicago Engineering "12 Oak St" Chicago "12 Oak St, Chicago, IL 60601, US"
days vpn_travel 0 11 15 73.45.12.9 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false
# flies to Paris (day 12 evening UTC); hotel Wi-Fi and NordVPN minutes apart
for d in 13 14 15; do
    okta vpn_travel $d 8 0 90.84.12.3 France Paris 48.86 2.35 3215 "Orange S.A." false
    okta vpn_travel $d 8 7 37.120.217.4 Netherlands Amsterdam 52.37 4.90 9009 "M247 Europe SRL" false
done

person korean_am "Ji-woo Park" US America/Los_Angeles Engineering "4 Elm St" "Los Angeles" "4 Elm St, Los Angeles, CA 90012, US"
days korean_am 0 13 18 98.148.3.7 "United States" "Los Angeles" 34.05 -118.24 20001 "Charter Communications Inc" false
ime korean_am 2
for d in 1 2 3 4 5 6 7 8; do proc korean_am $d 18 0 'C:\\Program Files\\Microsoft VS Code\\Code.exe' "Visual Studio Code" "Microsoft Corporation"; done

person bilingual "Chris Yoon" US America/Los_Angeles Engineering "7 Elm St" "Los Angeles" "7 Elm St, Los Angeles, CA 90012, US" "English, Korean"
days bilingual 0 9 18 98.148.3.8 "United States" "Los Angeles" 34.05 -118.24 20001 "Charter Communications Inc" false
ime bilingual 2

person seoul_week "Daniel Lee" US America/New_York Engineering "8 Pine St" "New York" "8 Pine St, New York, NY 10001, US"
days seoul_week 0 13 14 71.190.4.4 "United States" "New York" 40.71 -74.01 701 "Verizon Business" false
days seoul_week 15 21 1 121.134.5.6 "South Korea" Seoul 37.57 126.98 4766 "Korea Telecom" false
for d in 1 2 3 4 5 6 7 8 9 10; do commit seoul_week $d 15 -240; done
for d in 16 17 18 19; do commit seoul_week $d 2 540; done

person seoul_ime "Grace Kim" US America/New_York Engineering "9 Pine St" "New York" "9 Pine St, New York, NY 10001, US"
days seoul_ime 0 13 14 71.190.4.5 "United States" "New York" 40.71 -74.01 701 "Verizon Business" false
days seoul_ime 15 21 1 121.134.5.7 "South Korea" Seoul 37.57 126.98 4766 "Korea Telecom" false
ime seoul_ime 16

person approved_rmm "Maria Garcia" US America/Denver Support "3 Birch St" Denver "3 Birch St, Denver, CO 80202, US"
days approved_rmm 0 9 16 67.164.2.2 "United States" Denver 39.74 -104.99 7922 "Comcast Cable Communications, LLC" false
for d in 1 3 5; do proc approved_rmm $d 17 0 'C:\\Program Files (x86)\\ScreenConnect Client (4b6e0d9bd7ec0c1a)\\ScreenConnect.ClientService.exe' "ScreenConnect" "ConnectWise, LLC"; done

person moved_tokyo "Tom Becker" JP Asia/Tokyo Engineering "2-1 Shibuya" Tokyo "2-1 Shibuya, Shibuya-ku, Tokyo 150-0002, JP"
days moved_tokyo 0 13 1 153.135.7.7 Japan Tokyo 35.66 139.70 4713 "NTT Communications Corporation" false
for d in 1 2 3 4 5 6 7 8; do commit moved_tokyo $d 3 540; done

person night_shift "Sam Rivera" US America/Chicago Support "5 Cedar St" Chicago "5 Cedar St, Chicago, IL 60601, US"
for d in $(seq 0 13); do
    for h in 3 5 7 9 11; do okta night_shift $d $h 10 73.45.13.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false; done
done

person it_admin "Alex Chen" US America/Chicago IT "6 Maple St" Chicago "6 Maple St, Chicago, IL 60601, US"
days it_admin 0 9 15 73.45.14.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false
for d in 1 2 3; do proc it_admin $d 16 0 'C:\\Program Files (x86)\\NinjaRMMAgent\\NinjaRMMAgent.exe' "NinjaRMMAgent" "NinjaRMM LLC"; done

person household_a "Ann Smith" US America/Chicago Finance "77 Lake Rd" Evanston "77 Lake Rd, Evanston, IL 60201, US"
person household_b "Bob Smith" US America/Chicago Sales "77 Lake Rd" Evanston "77 Lake Rd, Evanston, IL 60201, US"
days household_a 0 6 15 73.45.15.1 "United States" Evanston 42.04 -87.69 7922 "Comcast Cable Communications, LLC" false 9c1f0e5b7a1d4c3e8f2a6b0d5e4c3b2a
days household_b 0 6 23 73.45.15.1 "United States" Evanston 42.04 -87.69 7922 "Comcast Cable Communications, LLC" false 9c1f0e5b7a1d4c3e8f2a6b0d5e4c3b2a

# a front-desk kiosk browser used by twelve people: generic, no NET-08
for i in $(seq 1 12); do
    person "kiosk$i" "Kiosk User$i" US America/Chicago Operations "$((200 + i)) Main St" Chicago "$((200 + i)) Main St, Chicago, IL 60601, US"
    days "kiosk$i" 0 1 $((14 + i % 4)) 73.45.20.$i "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f
done

# ---- positives ------------------------------------------------------------
person asia_day "Kevin Walker" US America/Chicago Engineering "10 Ash St" Chicago "10 Ash St, Chicago, IL 60601, US"
for d in $(seq 0 9); do
    for h in 0 2 4 6 8; do okta asia_day $d $h 5 45.12.34.$((10 + d)) "United States" Chicago "" "" 0 "Astrill VPN" false; done
    commit asia_day $d 3 540
    proc asia_day $d 1 30 'C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe' "AnyDesk" "AnyDesk Software GmbH"
done

person browser_a "Lisa Ward" US America/Chicago Engineering "20 Fir St" Chicago "20 Fir St, Chicago, IL 60601, US"
person browser_b "Ryan Hall" US America/New_York Engineering "30 Spruce St" Boston "30 Spruce St, Boston, MA 02108, US"
days browser_a 0 6 15 73.45.16.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false 5e8d2c1b0a9f8e7d6c5b4a3f2e1d0c9b
days browser_b 0 6 16 73.45.16.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false 5e8d2c1b0a9f8e7d6c5b4a3f2e1d0c9b
echo "$eid_browser_a,Lisa Ward,Wise,071000013-0000000001,,Lisa Ward,2026-07-01" >> "$P"
echo "$eid_browser_a,Lisa Ward,Payoneer,PAYONEER-55501234,,Lisa Ward,2026-07-20" >> "$P"
echo "$eid_browser_a,Lisa Ward,Bank Transfer,071000013-0000000002,,Lisa Ward,2026-08-10" >> "$P"
echo "$eid_browser_b,Ryan Hall,Crypto (USDT),,0x52908400098527886e0f7030069857d2e4169ee7,Marcus D. Whitfield,2026-07-15" >> "$P"

person travel "Omar Price" US America/Chicago Engineering "40 Walnut St" Chicago "40 Walnut St, Chicago, IL 60601, US"
days travel 0 9 15 73.45.17.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false
okta travel 10 1 0 73.45.17.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false
okta travel 10 1 40 37.120.217.9 Netherlands Amsterdam 52.37 4.90 9009 "M247 Europe SRL" false
okta travel 10 2 0 175.167.8.8 China Shenyang 41.80 123.43 4837 "CHINA UNICOM China169 Backbone" false
proc travel 10 2 10 'C:\\Users\\oprice\\Downloads\\rustdesk.exe' "RustDesk" "Purslane Ltd"

person many_authors "Nina Cole" US America/Chicago Engineering "50 Cherry St" Chicago "50 Cherry St, Chicago, IL 60601, US"
days many_authors 0 9 16 73.45.18.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false
for who in "Nina Cole" "nina" "Jin Ho" "Chol Min" "deploy bot"; do
    commit many_authors 3 16 -300 "$who" "$login_many_authors"
done
ime many_authors 4
proc many_authors 5 16 0 'C:\\Users\\ncole\\Downloads\\rustdesk.exe' "RustDesk" "Purslane Ltd"

person dev_ninja "Bea Quinn" US America/Chicago Engineering "60 Plum St" Chicago "60 Plum St, Chicago, IL 60601, US"
days dev_ninja 0 9 16 73.45.19.1 "United States" Chicago 41.88 -87.63 7922 "Comcast Cable Communications, LLC" false
proc dev_ninja 2 16 0 'C:\\Program Files (x86)\\NinjaRMMAgent\\NinjaRMMAgent.exe' "NinjaRMMAgent" "NinjaRMM LLC"

# ---- scan -----------------------------------------------------------------
rc=0
"$UNMASK" scan -q --out "$tmp/out" --approved-rmm ScreenConnect --allowlist "$A" "$in/hr" "$in/payroll" "$in/it" \
    "$in/logs" "$in/git" 2> "$tmp/err" || rc=$?
CASE=scan
ok [ "$rc" -eq 1 ]
[ "$rc" -le 1 ] || { cat "$tmp/err" >&2; exit 1; }
SJ="$tmp/out/subjects.jsonl"
FJ="$tmp/out/findings.jsonl"

sid() { local e="eid_$1"; jq -r --arg e "employee_id=$(echo "${!e}" | tr 'A-Z' 'a-z')" 'select(.sources | index($e)) | .id' "$SJ"; }
level() { jq -r --arg id "$(sid "$1")" 'select(.id == $id) | .level' "$SJ"; }
score() { jq -r --arg id "$(sid "$1")" 'select(.id == $id) | .score' "$SJ"; }
has() { # KEY INDICATOR
    [ -n "$(jq -r --arg id "$(sid "$1")" --arg i "$2" 'select(.subject_id == $id and .indicator == $i) | .id' "$FJ")" ]
}
lacks() { ! has "$@"; }
values() { jq -r --arg id "$(sid "$1")" --arg i "$2" 'select(.subject_id == $id and .indicator == $i) | .evidence[].values' "$FJ"; }
summary() { jq -r --arg id "$(sid "$1")" --arg i "$2" 'select(.subject_id == $id and .indicator == $i) | .summary' "$FJ"; }
below_review() { [ "$(level "$1")" = clean ] && [ "$(score "$1")" -lt 30 ]; }
at_least_review() { local l; l=$(level "$1"); [ "$l" = review ] || [ "$l" = high ]; }
contains() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }

for k in bilingual vpn_travel korean_am seoul_week seoul_ime approved_rmm moved_tokyo night_shift it_admin household_a household_b \
    asia_day browser_a browser_b travel many_authors dev_ninja; do
    CASE=$k
    ok [ -n "$(sid $k)" ]
done

# look-alikes
CASE=vpn_travel
ok below_review vpn_travel
ok has vpn_travel NET-01
ok has vpn_travel NET-06
ok lacks vpn_travel NET-02
ok [ "$(score vpn_travel)" -eq 20 ]

CASE=korean_am
ok below_review korean_am
ok has korean_am EP-04            # reported for the analyst ...
ok [ "$(score korean_am)" -eq 0 ] # ... but never counted alone

CASE=bilingual
ok below_review bilingual
ok lacks bilingual EP-04 # consistent with the person's own claim

CASE=seoul_week
ok below_review seoul_week
ok has seoul_week NET-06
ok [ "$(score seoul_week)" -le 10 ]
ok lacks seoul_week NET-02 # a possible trip
ok lacks seoul_week TM-01  # a week abroad is not a working pattern

CASE=seoul_ime
ok below_review seoul_ime
ok has seoul_ime EP-04
ok [ "$(score seoul_ime)" -eq 10 ] # NET-06 only: the trip does not corroborate the keyboard

CASE=approved_rmm
ok below_review approved_rmm
ok [ "$(score approved_rmm)" -eq 0 ]

CASE=moved_tokyo
ok below_review moved_tokyo
ok [ "$(score moved_tokyo)" -eq 0 ]

CASE=night_shift
ok below_review night_shift
ok has night_shift TM-01
ok [ "$(score night_shift)" -eq 20 ]
v=$(values night_shift TM-01)
ok contains "$v" "fitted_zone=UTC+6"
ok contains "$v" "asia_share=0.80"
ok contains "$v" "events=70"
ok contains "$v" "claimed=America/Chicago"

CASE=it_admin
ok below_review it_admin
ok [ "$(score it_admin)" -eq 0 ]

CASE=household
ok below_review household_a
ok below_review household_b
ok has household_a NET-08
ok contains "$(values household_a NET-08)" "household=yes"
ok [ "$(jq -s 'map(select(.subject_id == "'"$(sid household_a)"'" and .indicator == "NET-08")) | .[0].weight' "$FJ")" -eq 10 ]

CASE=kiosk
ok lacks kiosk1 NET-08
ok below_review kiosk1
ok [ "$(sqlite3 "$tmp/out/case.db" "select count(*) from rejects where reason like '%dtHash 0f0f0f0f%used by more than 10 people%'")" -eq 1 ]

# positives
CASE=asia_day
ok [ "$(level asia_day)" = high ]
for i in TM-01 TM-02 NET-01 EP-02; do ok has asia_day $i; done
v=$(values asia_day TM-01)
ok contains "$v" "fitted_zone=UTC+9"
ok contains "$v" "events=70"
ok contains "$(summary asia_day TM-01)" "claimed America/Chicago (UTC-6)"
ok contains "$(summary asia_day NET-01)" "Astrill VPN"

CASE=shared_browser
ok at_least_review browser_a
ok at_least_review browser_b
ok has browser_a NET-08
ok contains "$(values browser_a NET-08)" "household=no"
ok has browser_a PAY-02
ok contains "$(summary browser_a PAY-02)" "3 different payout destinations set up between 2026-06-01 and 2026-07-20"
ok has browser_b PAY-02
ok contains "$(summary browser_b PAY-02)" "Marcus D. Whitfield"
ok has browser_b PAY-01
ok [ "$(level browser_b)" = high ]

CASE=travel
ok at_least_review travel
ok has travel NET-02
v=$(values travel NET-02)
ok contains "$v" "anonymising_signins_ignored=1"
ok contains "$v" "to=CN 175.167.8.8"
ok contains "$(summary travel NET-02)" "1 VPN/hosting/proxy sign-in set aside"
ok has travel EP-02

CASE=many_authors
ok at_least_review many_authors
ok has many_authors CODE-05
ok contains "$(summary many_authors CODE-05)" "5 different author identities"
ok has many_authors EP-04
ok [ "$(score many_authors)" -eq 50 ] # CODE-05 20 + EP-02 25 + EP-04 5 (corroborated)

CASE=dev_ninja
ok has dev_ninja EP-02
ok contains "$(summary dev_ninja EP-02)" "approves it only for others"
ok below_review dev_ninja

# analysis partitioned by person (src/core/pmerge.c): the same files, byte
# for byte, with the people of one dtHash, one IP and one household in
# different partitions (K = 3 and 7); "7rt": K = 7 with every partition's
# state saved to bytes and loaded back before the merge (src/core/pstate.h),
# the world's impossible travel, shared browser and author identities
# through the analyzers' save and load
for k in 3 7 7rt; do
    CASE=partitions$k
    UNMASK_PARTITION_ROUNDTRIP=$([ "$k" = 7rt ] && echo 1 || echo 0) UNMASK_PARTITIONS=${k%rt} "$UNMASK" scan -q --out "$tmp/out-p$k" --approved-rmm ScreenConnect --allowlist "$A" \
        "$in/hr" "$in/payroll" "$in/it" "$in/logs" "$in/git" 2>/dev/null || true
    for f in subjects.jsonl findings.jsonl clusters.jsonl subjects.csv findings.csv; do
        ok cmp -s "$tmp/out/$f" "$tmp/out-p$k/$f"
    done
    ok cmp -s <(sqlite3 "$tmp/out/case.db" .dump) <(sqlite3 "$tmp/out-p$k/case.db" .dump)
done

# the same sign-ins newest first (as some exports write them): the same verdicts
tac "$O" > "$tmp/rev.jsonl" && mv "$tmp/rev.jsonl" "$O"
rc=0
"$UNMASK" scan -q --out "$tmp/out2" --approved-rmm ScreenConnect --allowlist "$A" "$in/hr" "$in/payroll" "$in/it" \
    "$in/logs" "$in/git" 2> "$tmp/err" || rc=$?
CASE=reversed
ok [ "$rc" -eq 1 ]
SJ="$tmp/out2/subjects.jsonl"
FJ="$tmp/out2/findings.jsonl"
ok has travel NET-02
ok lacks vpn_travel NET-02
ok lacks seoul_week NET-02
ok [ "$(level travel)" = review ]
ok cmp -s <(jq -r '[.id,.level,.score]|@tsv' "$tmp/out/subjects.jsonl" | sort) <(jq -r '[.id,.level,.score]|@tsv' "$SJ" | sort)

echo "fairness e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
