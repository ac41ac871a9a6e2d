#!/usr/bin/env bash
# One command from a fresh Debian bookworm machine to a running demo page:
# installs what is missing, builds a release binary and serves http://127.0.0.1:8080
# with an embedded SQLite file under ./data and a demo page (seeded once).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The admin web app (served at /admin) is built by CMake from web/admin.
npm ci --prefix web/admin --no-audit --no-fund --loglevel=error
cmake --preset release >/dev/null
cmake --build --preset release --target tocsin

mkdir -p data
if [ ! -s data/owner-token ]; then
    build/release/bin/tocsin token create --role owner --name readme --data data 2>/dev/null | tail -n 1 > data/owner-token
    chmod 600 data/owner-token
fi
echo "Owner API token (also in data/owner-token): $(cat data/owner-token)"
echo "Admin app: http://${TOCSIN_LISTEN:-127.0.0.1:8080}/admin (the first visitor creates the owner account)"
exec build/release/bin/tocsin serve --listen "${TOCSIN_LISTEN:-127.0.0.1:8080}" --data data --demo
