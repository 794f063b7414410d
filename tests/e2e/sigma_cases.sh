#!/usr/bin/env bash
# Data-file Sigma rule tests (tests/data/sigma/cases): rules + events +
# expected hits and refusals, run by `unmask rules test`.
set -u
UNMASK=${UNMASK:?unmask binary}; SRC=${UM_SRC_DIR:?}
out=$("$UNMASK" rules test "$SRC/tests/data/sigma/cases"); rc=$?
echo "$out"
[[ $rc -eq 0 ]] && grep -q '^[1-9][0-9]* passed, 0 failed$' <<<"$out"
