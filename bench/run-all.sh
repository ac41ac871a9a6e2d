#!/usr/bin/env bash
# Runs every benchmark in turn (about 3 to 5 minutes with the defaults). The figures go
# to the terminal and to bench/out/*.txt. Environment variables of each script apply.
#
# BENCH_MONITORING=1 adds the monitoring benchmarks of issue 3 (monitors_vs_blackbox.sh,
# about 3.5 minutes, and detect_time.sh, about 3 minutes); they need
# prometheus-blackbox-exporter and are left out by default. BENCH_NOTIFY=1 adds
# notify_fanout.sh (issue 4: 100,000 e-mails to smtp-sink, 10,000 webhooks; about a minute).
set -euo pipefail
cd "$(dirname "$0")"
benches=(http_vs_nginx.sh write_path.sh rss.sh)
if [ -n "${BENCH_MONITORING:-}" ]; then benches+=(monitors_vs_blackbox.sh detect_time.sh); fi
if [ -n "${BENCH_NOTIFY:-}" ]; then benches+=(notify_fanout.sh); fi
status=0
for b in "${benches[@]}"; do
    echo "==== $b"
    ./"$b" || { echo "==== $b failed" >&2; status=1; }
    echo
done
exit "$status"
