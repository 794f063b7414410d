#!/usr/bin/env bash
# fetch-ipdb.sh - set-up step: fetch the IP databases unmask uses into
# data/ipdb/ (country.mmdb, asn.mmdb) and record their provenance in
# data/ipdb/SOURCES.md.
#
#   scripts/fetch-ipdb.sh [DATA_DIR]      (default: <repo>/data)
#
# Sources (npm registry, fetched with `npm pack`):
#   @ip-location-db/geo-whois-asn-country-mmdb  CC0-1.0   -> country.mmdb
#   @ip-location-db/asn (CSV only)              CC-BY-4.0 -> asn.mmdb, built
#       with scripts/csv2mmdb.pl (Debian: libmaxmind-db-writer-perl)
#
# Idempotent: a package whose version is already recorded in SOURCES.md and
# whose .mmdb exists is not fetched again (FORCE=1 to refetch). Offline or
# failing steps print a warning and exit 0; unmask then runs without IP
# databases (and says so).
set -u

here=$(cd "$(dirname "$0")" && pwd)
data=${1:-"$here/../data"}
out="$data/ipdb"
mkdir -p "$out" || { echo "fetch-ipdb: cannot create $out" >&2; exit 0; }
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/unmask-ipdb.XXXXXX") || exit 0
trap 'rm -rf "$work"' EXIT

warn() { echo "fetch-ipdb: warning: $*" >&2; }
today=$(date -u +%Y-%m-%d)
status=ok

if ! command -v npm >/dev/null 2>&1; then
    warn "npm not found; IP databases not fetched (unmask works without them)"
    exit 0
fi

# Recorded version of a package in SOURCES.md ("" when none).
recorded_version() {
    [ -f "$out/SOURCES.md" ] || return 0
    awk -F'|' -v p="$1" '$2 ~ "^ *" p " *$" { gsub(/ /, "", $3); print $3 }' "$out/SOURCES.md"
}

# pack NAME -> prints the tarball path, or nothing on failure.
pack() {
    (cd "$work" && timeout 600 npm pack --silent "$1" 2>/dev/null | tail -n 1) | {
        read -r f && [ -n "$f" ] && [ -f "$work/$f" ] && echo "$work/$f"
    }
}

pkg_field() { # tarball field
    tar -xzf "$1" -O package/package.json 2>/dev/null |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=JSON.parse(s);console.log(j[process.argv[1]]||"")}catch(e){console.log("")}})' "$2"
}

# A country database must answer KP for 175.45.176.1 and US for 8.8.8.8
# (skipped when mmdblookup is not installed).
sane_country() {
    command -v mmdblookup >/dev/null 2>&1 || return 0
    mmdblookup -f "$1" -i 175.45.176.1 country_code 2>/dev/null | grep -q '"KP"' &&
        mmdblookup -f "$1" -i 8.8.8.8 country_code 2>/dev/null | grep -q '"US"'
}

declare -A ver lic
check_latest() { # name -> latest version on the registry ("" offline)
    timeout 60 npm view "$1" version 2>/dev/null | tail -n 1
}

# ---- country ----
cpkg=@ip-location-db/geo-whois-asn-country-mmdb
latest=$(check_latest "$cpkg")
have=$(recorded_version "$cpkg")
if [ -z "$latest" ]; then
    warn "npm registry unreachable; keeping what is in $out"
    exit 0
fi
if [ "${FORCE:-0}" != 1 ] && [ "$have" = "$latest" ] && [ -s "$out/country.mmdb" ]; then
    echo "fetch-ipdb: $cpkg $have already present"
    ver[$cpkg]=$have
else
    tgz=$(pack "$cpkg")
    if [ -z "$tgz" ]; then
        warn "npm pack $cpkg failed"; status=fail
    elif tar -xzf "$tgz" -C "$work" package/geo-whois-asn-country.mmdb && sane_country "$work/package/geo-whois-asn-country.mmdb"; then
        mv -f "$work/package/geo-whois-asn-country.mmdb" "$out/country.mmdb"
        ver[$cpkg]=$(pkg_field "$tgz" version)
        lic[$cpkg]=$(pkg_field "$tgz" license)
        echo "fetch-ipdb: $cpkg ${ver[$cpkg]} -> $out/country.mmdb"
    else
        warn "$cpkg: tarball without a usable geo-whois-asn-country.mmdb"; status=fail
    fi
    rm -rf "$work/package"
fi

# ---- ASN ----
apkg=@ip-location-db/asn
latest=$(check_latest "$apkg")
have=$(recorded_version "$apkg")
if [ "${FORCE:-0}" != 1 ] && [ -n "$latest" ] && [ "$have" = "$latest" ] && [ -s "$out/asn.mmdb" ]; then
    echo "fetch-ipdb: $apkg $have already present"
    ver[$apkg]=$have
elif ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
    warn "Perl MaxMind::DB::Writer missing (apt-get install libmaxmind-db-writer-perl); no asn.mmdb"
    status=fail
else
    tgz=$(pack "$apkg")
    if [ -z "$tgz" ]; then
        warn "npm pack $apkg failed"; status=fail
    elif tar -xzf "$tgz" -C "$work" package/asn-ipv4.csv package/asn-ipv6.csv &&
        perl "$here/csv2mmdb.pl" "$work/asn.mmdb" "$work/package/asn-ipv4.csv" "$work/package/asn-ipv6.csv"; then
        mv -f "$work/asn.mmdb" "$out/asn.mmdb"
        ver[$apkg]=$(pkg_field "$tgz" version)
        lic[$apkg]=$(pkg_field "$tgz" license)
        echo "fetch-ipdb: $apkg ${ver[$apkg]} -> $out/asn.mmdb"
    else
        warn "$apkg: could not build asn.mmdb from the CSV files"; status=fail
    fi
    rm -rf "$work/package"
fi

# ---- SOURCES.md: rewrite rows for what changed, keep the others ----
row() { # name file version licence
    printf '| %s | %s | %s | %s | %s |\n' "$1" "$3" "$4" "$2" "$today"
}
keep_row() { # name -> existing row or ""
    [ -f "$out/SOURCES.md" ] && grep -F "| $1 |" "$out/SOURCES.md" | head -n 1
}
{
    echo "# IP databases in this folder"
    echo
    echo "Written by scripts/fetch-ipdb.sh. The .mmdb files are not committed (see docs/ipdata.md)."
    echo
    echo "| package | version | licence | file | fetched |"
    echo "|---|---|---|---|---|"
    for p in "$cpkg" "$apkg"; do
        f=country.mmdb; [ "$p" = "$apkg" ] && f="asn.mmdb (built from asn-ipv4.csv + asn-ipv6.csv by scripts/csv2mmdb.pl)"
        if [ -n "${lic[$p]:-}" ]; then row "$p" "$f" "${ver[$p]}" "${lic[$p]}"
        else r=$(keep_row "$p"); [ -n "$r" ] && echo "$r"; fi
    done
    echo
    echo "Licences: geo-whois-asn-country is CC0-1.0 (public domain dedication). The asn data is"
    echo "RouteViews + RIR delegation data + DB-IP \"IP to ASN Lite\" (CC-BY-4.0): attribution"
    echo "\"IP to ASN data by DB-IP (https://db-ip.com)\" must accompany copies of asn.mmdb."
} >"$work/SOURCES.md" && mv -f "$work/SOURCES.md" "$out/SOURCES.md"

[ "$status" = ok ] || warn "some databases were not fetched; unmask runs without them"
exit 0
