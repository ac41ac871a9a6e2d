#!/usr/bin/env bash
# Resident memory of tocsin (VmRSS from /proc/PID/status): idle after start, after
# 1,000,000 requests of / and /api/v2/summary.json (alternating), and after another
# 1,000,000. Growth from 1M to 2M is the leak signal; growth from idle to 1M also
# contains one-off costs (thread stacks touched, per-thread malloc arenas, buffers of
# the peak number of connections).
#
# Targets (issue 2): idle under 30 MB, growth under 2 MB.
#
# Each phase stops by itself: wrk's Lua script stops each thread at its share of the
# count, and RSS_MAX_DURATION bounds the phase in time if the server is slow.
#
# Environment: REQUESTS (per phase, default 1000000), RSS_CONNECTIONS (default 64),
# RSS_MAX_DURATION (default 300s), IDLE_WAIT (seconds before the idle reading, default 3),
# TOCSIN_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

REQUESTS="${REQUESTS:-1000000}"
RSS_CONNECTIONS="${RSS_CONNECTIONS:-64}"
RSS_MAX_DURATION="${RSS_MAX_DURATION:-300s}"
IDLE_WAIT="${IDLE_WAIT:-3}"
THREADS=2
OUT_FILE="$BENCH_OUT/rss.txt"

bench_require wrk curl
bench_init

bench_start_tocsin "$BENCH_TMP/tocsin-data" --demo
echo "tocsin: $TOCSIN_URL (pid $TOCSIN_PID)"
sleep "$IDLE_WAIT"
idle_kb=$(bench_rss_kb "$TOCSIN_PID")

phase() {  # N → "requests seconds rps non2xx errors"
    local f="$BENCH_TMP/wrk-rss-$1.txt" done_dir="$BENCH_TMP/done-$1"
    mkdir -p "$done_dir"
    echo "  phase $1: wrk -t$THREADS -c$RSS_CONNECTIONS -d$RSS_MAX_DURATION -s count_requests.lua -- $REQUESTS $THREADS" >&2
    wrk -t"$THREADS" -c"$RSS_CONNECTIONS" -d"$RSS_MAX_DURATION" -s "$BENCH_DIR/count_requests.lua" "$TOCSIN_URL" \
        -- "$REQUESTS" "$THREADS" "$done_dir" >"$f" &
    local wrk_pid=$!
    bench_track "$wrk_pid"
    # Every thread reached its share, or -d ran out (wrk exits by itself then).
    while kill -0 "$wrk_pid" 2>/dev/null; do
        if [ "$(find "$done_dir" -type f -name 'done-*' | wc -l)" -ge "$THREADS" ]; then
            kill -INT "$wrk_pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    wait "$wrk_pid" || true
    local secs
    secs=$(awk '/ requests in / { sub(/,$/, "", $4); print $4 }' "$f")
    read -r rps _ _ reqs non2xx errs < <(wrk_fields "$f")
    echo "$reqs $secs $rps $non2xx $errs"
}

read -r n1 t1 r1 bad1 err1 < <(phase 1)
sleep 1
rss1_kb=$(bench_rss_kb "$TOCSIN_PID")
read -r n2 t2 r2 bad2 err2 < <(phase 2)
sleep 1
rss2_kb=$(bench_rss_kb "$TOCSIN_PID")
hwm_kb=$(bench_hwm_kb "$TOCSIN_PID")
metric_bytes=$(curl -fsS "$TOCSIN_URL/metrics" | awk '$1 == "tocsin_resident_memory_bytes" { printf "%.0f", $2 }')
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$TOCSIN_PID/status")

{
    echo "tocsin RSS: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $threads threads"
    bench_binary_line
    echo
    awk -v idle="$idle_kb" -v a="$rss1_kb" -v b="$rss2_kb" -v hwm="$hwm_kb" -v m="$metric_bytes" \
        -v n1="$n1" -v n2="$n2" -v t1="$t1" -v t2="$t2" -v r1="$r1" -v r2="$r2" \
        -v bad="$((bad1 + bad2))" -v err="$((err1 + err2))" 'BEGIN {
        mb = 1024
        printf "idle after start:            %7.2f MB   target < 30 MB: %s\n", idle / mb, (idle / mb < 30 ? "ok" : "MISS")
        printf "after phase 1 (%s req, %s, %.0f req/s): %7.2f MB   growth vs idle %+6.2f MB   target < 2 MB: %s\n",
            n1, t1, r1, a / mb, (a - idle) / mb, ((a - idle) / mb < 2 ? "ok" : "MISS")
        printf "after phase 2 (%s req, %s, %.0f req/s): %7.2f MB   growth vs idle %+6.2f MB   target < 2 MB: %s\n",
            n2, t2, r2, b / mb, (b - idle) / mb, ((b - idle) / mb < 2 ? "ok" : "MISS")
        printf "growth phase 1 -> phase 2:   %+7.2f MB   (leak signal)\n", (b - a) / mb
        printf "peak (VmHWM):                %7.2f MB;  /metrics tocsin_resident_memory_bytes: %.2f MB\n", hwm / mb, m / 1048576
        printf "non-2xx responses: %d, socket errors: %d\n", bad, err
    }'
} | tee "$OUT_FILE"
echo "written to ${OUT_FILE#"$REPO_DIR"/}"
