#!/usr/bin/env bash
# Incident updates per second through the admin API, each a durable SQLite commit
# (WAL, synchronous=FULL) followed by a rebuild of the public snapshot before the reply.
#
# The peer, run side by side in the same temp dir (same disk, same moment), is the
# sqlite3 CLI doing the equivalent transaction (INSERT the update, UPDATE the incident,
# COMMIT) with the same pragmas: the floor of what a durable commit costs on this disk.
# It runs before and after tocsin; the mean of both is the reference.
#
# Phases:
#   1. sqlite3 peer, PEER_COMMITS transactions
#   2. tocsin sequential: SEQ_UPDATES updates from one client, each timed (p50/p99)
#   3. tocsin concurrent: wrk with WRITE_CONNECTIONS connections for WRITE_DURATION
#   4. sqlite3 peer again
#
# Environment: SEQ_UPDATES (default 300), PEER_COMMITS (default 300), WRITE_DURATION
# (default 10s), WRITE_CONNECTIONS (default 4), TOCSIN_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SEQ_UPDATES="${SEQ_UPDATES:-300}"
PEER_COMMITS="${PEER_COMMITS:-300}"
WRITE_DURATION="${WRITE_DURATION:-10s}"
WRITE_CONNECTIONS="${WRITE_CONNECTIONS:-4}"
OUT_FILE="$BENCH_OUT/write_path.txt"

bench_require wrk curl sqlite3 "$PY"
bench_init

# ---- tocsin, a token and two incidents ------------------------------------------------------
data="$BENCH_TMP/tocsin-data"
bench_start_tocsin "$data" --demo
token="$("$TOCSIN_BIN" token create --role owner --name bench --data "$data" 2>/dev/null | tail -n1)"
[ -n "$token" ] || bench_die "token create printed nothing"

create_incident() {
    curl -fsS -X POST "$TOCSIN_URL/api/v1/incidents" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"name\": \"$1\", \"body\": \"Benchmark incident.\"}" |
        "$PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
seq_incident="$(create_incident 'Write benchmark (sequential)')"
wrk_incident="$(create_incident 'Write benchmark (wrk)')"
echo "tocsin: $TOCSIN_URL (pid $TOCSIN_PID), incidents $seq_incident $wrk_incident"

# metric NAME → its value (sum of all label sets) from /metrics
metric() {
    curl -fsS "$TOCSIN_URL/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.6f\n", s }'
}
snapshot_mark() { echo "$(metric tocsin_snapshot_build_duration_seconds_sum) $(metric tocsin_snapshot_build_duration_seconds_count)"; }
snapshot_mean_ms() {  # "sum0 count0" "sum1 count1" → mean build time in ms over the interval
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); n = y[2] - x[2];
        if (n > 0) printf "%.2f %d\n", (y[1] - x[1]) / n * 1000, n; else print "n/a 0" }'
}

# ---- the sqlite3 peer -------------------------------------------------------------------------
# sqlite_peer RUN → "commits commits_per_s p50_ms p99_ms"
sqlite_peer() {
    local db="$BENCH_TMP/peer-$1.db" script="$BENCH_TMP/peer-$1.sql" timings="$BENCH_TMP/peer-$1.timings"
    sqlite3 "$db" >/dev/null <<'EOF'
PRAGMA journal_mode=WAL;
CREATE TABLE incidents (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    status TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    display_at INTEGER NOT NULL, deliver_notifications INTEGER NOT NULL DEFAULT 1,
    affected_components TEXT NOT NULL DEFAULT '[]');
CREATE INDEX incident_updates_incident ON incident_updates(incident_id, display_at DESC);
INSERT INTO incidents VALUES ('inc1', 'investigating', 0);
EOF
    {
        echo "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        echo ".timer on"
        awk -v n="$PEER_COMMITS" 'BEGIN { for (i = 1; i <= n; i++) {
            print "BEGIN;"
            printf "INSERT INTO incident_updates (id, incident_id, status, body, created_at, updated_at, display_at) VALUES (%c%08d%c, %cinc1%c, %cidentified%c, %cpeer update %d%c, %d, %d, %d);\n", 39, i, 39, 39, 39, 39, 39, 39, i, 39, i, i, i
            printf "UPDATE incidents SET status = %cidentified%c, updated_at = %d WHERE id = %cinc1%c;\n", 39, 39, i, 39, 39
            print "COMMIT;"
        } }'
    } >"$script"
    local t0 t1
    t0=$(date +%s.%N)
    sqlite3 "$db" <"$script" >"$timings"
    t1=$(date +%s.%N)
    # .timer prints one "Run Time: real S ..." line per statement, 4 per transaction.
    awk '/^Run Time: real/ { k++; acc += $4; if (k % 4 == 0) { print acc * 1000; acc = 0 } }' "$timings" |
        sort -g |
        awk -v n="$PEER_COMMITS" -v t0="$t0" -v t1="$t1" '
            { lat[NR] = $1 }
            END {
                i50 = int(NR * 0.50 + 0.5); i99 = int(NR * 0.99 + 0.5); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
                printf "%d %.1f %.2f %.2f\n", n, n / (t1 - t0), lat[i50], lat[i99]
            }'
}

# ---- runs ---------------------------------------------------------------------------------------
echo "  sqlite3 peer: $PEER_COMMITS commits" >&2
read -r p1_n p1_rate p1_p50 p1_p99 < <(sqlite_peer 1)

echo "  tocsin sequential: $SEQ_UPDATES updates" >&2
m0="$(snapshot_mark)"
read -r s_n s_rate s_p50 s_p90 s_p99 s_max s_mean s_fail s_first s_last < <("$PY" "$BENCH_DIR/post_updates.py" "$TOCSIN_URL" "$token" "$seq_incident" "$SEQ_UPDATES")
m1="$(snapshot_mark)"
read -r s_build s_builds < <(snapshot_mean_ms "$m0" "$m1")

echo "  tocsin wrk: -t1 -c$WRITE_CONNECTIONS -d$WRITE_DURATION" >&2
wrk_out="$BENCH_TMP/wrk-write.txt"
wrk -t1 -c"$WRITE_CONNECTIONS" -d"$WRITE_DURATION" --latency -s "$BENCH_DIR/post_update.lua" "$TOCSIN_URL" \
    -- "/api/v1/incidents/$wrk_incident/updates" "$token" >"$wrk_out"
m2="$(snapshot_mark)"
read -r w_rate w_p50 w_p99 w_n w_non2xx w_errs < <(wrk_fields "$wrk_out")
read -r w_build w_builds < <(snapshot_mean_ms "$m1" "$m2")

echo "  sqlite3 peer again" >&2
read -r p2_n p2_rate p2_p50 p2_p99 < <(sqlite_peer 2)

# The snapshot renders every active incident with its whole timeline, so its cost grows
# with the updates posted above; one more build now shows where it ended up.
curl -fsS -o /dev/null -X POST "$TOCSIN_URL/api/v1/incidents/$wrk_incident/updates" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"body": "last", "status": "identified"}'
m3="$(snapshot_mark)"
read -r last_build last_builds < <(snapshot_mean_ms "$m2" "$m3")
home_bytes=$(curl -fsS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: identity' "$TOCSIN_URL/")
inc_bytes=$(curl -fsS -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $token" "$TOCSIN_URL/api/v1/incidents/$wrk_incident")

# ---- report ---------------------------------------------------------------------------------------
{
    echo "write path: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), disk $(df -T "$BENCH_TMP" | awk 'NR == 2 { print $2 }')"
    bench_binary_line
    echo
    printf '%-44s %10s %9s %9s %s\n' run "per second" p50 p99 notes
    printf '%s\n' "$(printf '%.0s-' $(seq 100))"
    printf '%-44s %10.1f %7.2fms %7.2fms %s\n' "sqlite3 CLI peer, before ($p1_n commits)" "$p1_rate" "$p1_p50" "$p1_p99" "(.timer: 1 ms resolution; mean $(awk -v r="$p1_rate" 'BEGIN { printf "%.2f", 1000 / r }')ms)"
    printf '%-44s %10.1f %7.2fms %7.2fms %s\n' "tocsin sequential ($s_n updates, 1 client)" "$s_rate" "$s_p50" "$s_p99" \
        "max ${s_max}ms, failures $s_fail; p50 first/last tenth ${s_first}/${s_last}ms"
    printf '%-44s %10.1f %7.2fms %7.2fms %s\n' "tocsin wrk -c$WRITE_CONNECTIONS ($w_n updates in $WRITE_DURATION)" "$w_rate" "$w_p50" "$w_p99" \
        "non-2xx $w_non2xx, socket errors $w_errs"
    printf '%-44s %10.1f %7.2fms %7.2fms %s\n' "sqlite3 CLI peer, after ($p2_n commits)" "$p2_rate" "$p2_p50" "$p2_p99" \
        "(mean $(awk -v r="$p2_rate" 'BEGIN { printf "%.2f", 1000 / r }')ms)"
    echo
    awk -v a="$p1_rate" -v b="$p2_rate" -v s="$s_rate" -v w="$w_rate" 'BEGIN {
        peer = (a + b) / 2
        printf "peer mean: %.1f commits/s\n", peer
        printf "ratio tocsin sequential / peer: %.2fx\n", s / peer
        printf "ratio tocsin wrk -c'"$WRITE_CONNECTIONS"' / peer:   %.2fx\n", w / peer
    }'
    echo
    echo "snapshot rebuild (tocsin_snapshot_build_duration_seconds, mean per build):"
    echo "  during sequential phase: ${s_build} ms over $s_builds builds"
    echo "  during wrk phase:        ${w_build} ms over $w_builds builds (concurrent writes may share one build)"
    echo "  after the wrk phase (one final update): ${last_build} ms over $last_builds builds"
    echo "sizes at the end: / = $home_bytes B, GET incident (wrk) = $inc_bytes B (every POST .../updates answers with the whole incident)"
} | tee "$OUT_FILE"
echo "written to ${OUT_FILE#"$REPO_DIR"/}"
