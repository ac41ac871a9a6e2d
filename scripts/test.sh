#!/usr/bin/env bash
# One command that installs, builds and runs every test: unit tests (GoogleTest),
# black-box tests (pytest against the real binary) and browser tests (Playwright with
# Debian's Chromium), all under CTest, in one AddressSanitizer + UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The admin web app is built by CMake from web/admin (its node_modules come from the lock file).
npm ci --prefix web/admin --no-audit --no-fund --loglevel=error
if [ -f test/browser/package-lock.json ]; then
    npm ci --prefix test/browser --no-audit --no-fund --loglevel=error
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$PWD"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# CTest prints its summary last; its exit code is the script's.
ctest --test-dir build/asan-ubsan --output-on-failure --timeout 1200 -j2
