#!/usr/bin/env bash
# Installs the dependencies, builds and runs every test: the dev build
# (warnings as errors) and the ASan + UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -LE slow
