# Shared helpers for the benchmark scripts; sourced, not run.
#
# Every script gets a private temp dir (BENCH_TMP), starts its servers there and
# registers them with bench_track so that the EXIT trap stops them whatever happens.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
BENCH_OUT="$BENCH_DIR/out"
TOCSIN_BIN="${TOCSIN_BIN:-$REPO_DIR/build/release/bin/tocsin}"
PY="${PY:-/usr/bin/python3}"

BENCH_PIDS=()
BENCH_TMP=""

bench_die() { echo "bench: $*" >&2; exit 1; }

bench_require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || bench_die "$tool is missing (scripts/install-deps.sh installs it)"
    done
    [ -x "$TOCSIN_BIN" ] || bench_die "no release binary at $TOCSIN_BIN; build it with:
    cmake --preset release && cmake --build build/release --target tocsin"
}

bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        # Give each a few seconds for a graceful exit, then force it.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    BENCH_PIDS=()
    if [ -n "$BENCH_TMP" ] && [ -z "${BENCH_KEEP_TMP:-}" ]; then rm -rf "$BENCH_TMP"; fi
}

bench_init() {
    BENCH_TMP="$(mktemp -d "${TMPDIR:-/tmp}/tocsin-bench.XXXXXX")"
    mkdir -p "$BENCH_OUT"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_track() { BENCH_PIDS+=("$1"); }

# A port nobody listens on right now (the kernel picks it).
bench_free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_start_tocsin DATA_DIR [extra serve args...]
# Starts tocsin on a kernel-chosen port; sets TOCSIN_PID and TOCSIN_URL. Waits up to
# BENCH_START_TIMEOUT seconds (default 10) for it to report its port.
bench_start_tocsin() {
    local data="$1"; shift
    local log="$data.log"
    mkdir -p "$data"
    "$TOCSIN_BIN" serve --listen 127.0.0.1:0 --data "$data" --log-level warn "$@" >"$log" 2>&1 &
    TOCSIN_PID=$!
    bench_track "$TOCSIN_PID"
    local line=""
    for _ in $(seq $((${BENCH_START_TIMEOUT:-10} * 10))); do
        line="$(grep -m1 -o 'tocsin listening on http://[0-9.]*:[0-9]*' "$log" || true)"
        [ -n "$line" ] && break
        kill -0 "$TOCSIN_PID" 2>/dev/null || { cat "$log" >&2; bench_die "tocsin exited during start-up"; }
        sleep 0.1
    done
    [ -n "$line" ] || { cat "$log" >&2; bench_die "tocsin did not report its port within ${BENCH_START_TIMEOUT:-10} s"; }
    TOCSIN_URL="${line#tocsin listening on }"
}

# bench_ticks PID... → user + system CPU time of the processes (all threads), in clock ticks
bench_ticks() {
    local t=0 pid
    for pid in "$@"; do
        t=$((t + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
bench_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# wrk_field FILE → prints "rps p50_ms p99_ms requests non2xx socket_errors"
# wrk prints latencies with a unit (us, ms, s); everything is converted to ms.
wrk_fields() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        /^Requests\/sec:/                { rps = $2 }
        /^ +50%/                          { p50 = ms($2) }
        /^ +99%/                          { p99 = ms($2) }
        / requests in /                   { reqs = $1 }
        /Non-2xx or 3xx responses:/       { non2xx = $NF }
        /Socket errors:/                  { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
        END { printf "%s %.3f %.3f %s %d %d\n", rps, p50, p99, reqs, non2xx, errs }
    ' "$1"
}

# One line naming the binary measured: version, build time, and the checkout it sits in
# (the binary may be older than HEAD; rebuild before a run you want to quote).
bench_binary_line() {
    local notes="" head_time
    git -C "$REPO_DIR" diff --quiet -- src 2>/dev/null || notes+=" (src has uncommitted changes)"
    head_time=$(git -C "$REPO_DIR" log -1 --format=%ct 2>/dev/null || echo 0)
    if [ "$(date -r "$TOCSIN_BIN" +%s)" -lt "$head_time" ]; then notes+=" (binary older than HEAD: rebuild to measure HEAD)"; fi
    echo "binary: $("$TOCSIN_BIN" version 2>/dev/null | tr -d '\n'), built $(date -u -r "$TOCSIN_BIN" '+%Y-%m-%d %H:%M UTC'), checkout $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$notes"
}
