#!/usr/bin/env bash
# SigmaHQ rules over their own regression events (tests/data/sigma/sigmahq):
# each rule, unchanged, must give at least the documented match_count on each
# of its event files; nothing may be refused.
set -u
UNMASK=${1:-${UNMASK:?unmask binary}}; DIR=${2:-${UM_SRC_DIR:?}/tests/data/sigma/sigmahq}
pass=0; fail=0
while IFS= read -r info; do
  d=$(dirname "$info")
  rule=$(find "$d" -maxdepth 1 -name '*.yml' ! -name info.yml | head -1)
  rid=$(grep -m1 '^id: ' "$rule" | cut -c5- | tr -d '\r')
  want=$(grep -m1 'match_count' "$info" | grep -o '[0-9]*'); want=${want:-1}
  for j in "$d"/*.json; do
    out=$("$UNMASK" rules match --json -r "$rule" "$j" 2>&1)
    got=$(grep -c "\"rule_id\":\"$rid\"" <<<"$out")
    if [[ $got -ge $want ]]; then pass=$((pass+1)); else
      fail=$((fail+1)); echo "FAIL ${d#$DIR/}: $got hits, want >= $want"; head -3 <<<"$out"; fi
  done
done < <(find "$DIR" -name info.yml | sort)
echo "$pass passed, $fail failed"
[[ $fail -eq 0 && $pass -ge 200 ]]
