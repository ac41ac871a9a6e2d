#!/usr/bin/env bash
# Installs every Debian package tocsin needs to build, run and test. Idempotent:
# packages already present are skipped, so a second run costs one dpkg query.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config git
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
    libcurl4-openssl-dev libc-ares-dev libsqlite3-dev sqlite3 libpq-dev
    libyaml-cpp-dev libkainjow-mustache-dev libmd4c-html0-dev libmd4c-dev libcctz-dev
    libsodium-dev libspdlog-dev libfmt-dev libcli11-dev zlib1g-dev libssl-dev
    libgtest-dev libgmock-dev googletest libbenchmark-dev
    python3 python3-pytest python3-requests python3-aiosmtpd postfix
    postgresql wrk nginx-light prometheus-blackbox-exporter prometheus-alertmanager procps curl openssl tzdata
    chromium
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# Node and npm often come from outside Debian (the machine image ships Node 20 and npm 11);
# Debian's npm package conflicts with those, so ask apt only when the commands are missing.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
