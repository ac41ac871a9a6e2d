#!/usr/bin/env bash
# Runs every benchmark in turn (about 3 to 5 minutes with the defaults). The figures go
# to the terminal and to bench/out/*.txt. Environment variables of each script apply.
set -euo pipefail
cd "$(dirname "$0")"
status=0
for b in http_vs_nginx.sh write_path.sh rss.sh; do
    echo "==== $b"
    ./"$b" || { echo "==== $b failed" >&2; status=1; }
    echo
done
exit "$status"
