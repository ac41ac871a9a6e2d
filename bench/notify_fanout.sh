#!/usr/bin/env bash
# One incident update fanned out to many subscribers, end to end through the real server:
# outbox -> fan-out (subscribers streamed in batches) -> rendering -> transport -> recorded.
#
# 1. E-mail: EMAIL_SUBSCRIBERS (default 100,000) confirmed addresses, delivered to postfix's
#    smtp-sink (Debian) on 127.0.0.1 over SMTP_CONNECTIONS reused connections. Prints wall
#    time from the API call to the last recorded delivery, messages/s, sessions opened at
#    the sink, and tocsin's RSS before, at its peak during the send, and after.
#    Targets (issue 4): all delivered in under 60 s; RSS growth under 50 MB.
# 2. Webhooks: WEBHOOK_SUBSCRIBERS (default 10,000) tocsin webhooks (signed) to nginx on
#    127.0.0.1 answering 204, PER_HOST concurrent requests: deliveries/s.
#
# The peer in the same run is the receiver's own rate: smtp-sink's and nginx's request
# counters, which must equal tocsin's "sent" (nothing counted that was not accepted).
#
# Environment: EMAIL_SUBSCRIBERS, WEBHOOK_SUBSCRIBERS, SMTP_CONNECTIONS (4), PER_HOST (16),
# TOCSIN_BIN (default build/release/bin/tocsin).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

EMAIL_SUBSCRIBERS="${EMAIL_SUBSCRIBERS:-100000}"
WEBHOOK_SUBSCRIBERS="${WEBHOOK_SUBSCRIBERS:-10000}"
SMTP_CONNECTIONS="${SMTP_CONNECTIONS:-4}"
PER_HOST="${PER_HOST:-16}"
OUT_FILE="$BENCH_OUT/notify_fanout.txt"

bench_require curl nginx "$PY" /usr/sbin/smtp-sink
bench_init
exec > >(tee "$OUT_FILE") 2>&1
bench_binary_line

# ---- receivers --------------------------------------------------------------------------------
smtp_port="$(bench_free_port)"
# -c: running counters; 1024: listen backlog. Root must name a user to drop to.
/usr/sbin/smtp-sink -c -u nobody "127.0.0.1:$smtp_port" 1024 >"$BENCH_TMP/smtp-sink.out" 2>&1 &
bench_track $!
nginx_port="$(bench_free_port)"
mkdir -p "$BENCH_TMP/nginx-temp"
cat >"$BENCH_TMP/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $BENCH_TMP/nginx.pid;
error_log $BENCH_TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log $BENCH_TMP/nginx-access.log;
    client_body_temp_path $BENCH_TMP/nginx-temp/body;
    proxy_temp_path $BENCH_TMP/nginx-temp/proxy;
    fastcgi_temp_path $BENCH_TMP/nginx-temp/fastcgi;
    uwsgi_temp_path $BENCH_TMP/nginx-temp/uwsgi;
    scgi_temp_path $BENCH_TMP/nginx-temp/scgi;
    keepalive_requests 100000;
    server { listen 127.0.0.1:$nginx_port; location / { return 204; } }
}
EOF
nginx -p "$BENCH_TMP" -e "$BENCH_TMP/nginx-error.log" -c "$BENCH_TMP/nginx.conf" >"$BENCH_TMP/nginx.out" 2>&1 &
bench_track $!
for _ in $(seq 50); do curl -fsS -o /dev/null -X POST "http://127.0.0.1:$nginx_port/" 2>/dev/null && break; sleep 0.1; done
: >"$BENCH_TMP/nginx-access.log"

# ---- tocsin -----------------------------------------------------------------------------------
cat >"$BENCH_TMP/tocsin.yaml" <<EOF
notifications:
  from: "Bench Status <status@bench.test>"
  public_url: "http://status.bench.test"
  smtp:
    url: "smtp://127.0.0.1:$smtp_port"
    tls: none
    connections: $SMTP_CONNECTIONS
  http:
    per_host: $PER_HOST
    total: 64
EOF
# start_instance NAME: a fresh tocsin on its own data folder (each phase has only its own
# subscribers); sets TOCSIN_PID, TOCSIN_URL and auth.
start_instance() {
    [ -n "${TOCSIN_PID:-}" ] && kill "$TOCSIN_PID" 2>/dev/null && wait "$TOCSIN_PID" 2>/dev/null || true
    local data="$BENCH_TMP/tocsin-$1"
    bench_start_tocsin "$data" --config "$BENCH_TMP/tocsin.yaml"
    token="$("$TOCSIN_BIN" token create --role owner --name bench --data "$data" 2>/dev/null | tail -n1)"
    auth=(-H "Authorization: Bearer $token")
}

# import_csv FILE → number imported. The body limit is 1 MiB: import in chunks of 20,000
# lines, each with the header, as an admin would.
import_csv() {
    local total=0 n chunk
    tail -n +2 "$1" | split -l 20000 - "$BENCH_TMP/chunk."
    for chunk in "$BENCH_TMP"/chunk.*; do
        { head -n1 "$1"; cat "$chunk"; } >"$chunk.csv"
        n="$(curl -fsS -X POST "$TOCSIN_URL/api/v1/subscribers/import" "${auth[@]}" -H 'Content-Type: text/csv' \
            --data-binary "@$chunk.csv" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["imported"])')"
        total=$((total + n))
        rm -f "$chunk" "$chunk.csv"
    done
    echo "$total"
}

# progress_of SEQ → "sent pending dead"
progress_of() {
    curl -fsS "$TOCSIN_URL/api/v1/notifications/$1" "${auth[@]}" |
        "$PY" -c 'import json, sys; p = json.load(sys.stdin)["progress"]; print(p["sent"], p["pending"], p["dead"])'
}

latest_seq() {
    curl -fsS "$TOCSIN_URL/api/v1/notifications?limit=10" "${auth[@]}" |
        "$PY" -c 'import json, sys; print(next(n["seq"] for n in json.load(sys.stdin) if n["topic"] == "incident.update"))'
}

# fan_out LABEL COUNT → runs one incident and prints a result line
fan_out() {
    local label="$1" count="$2" rss0 peak=0 rss t0 t1 seq sent pending dead
    rss0="$(bench_rss_kb "$TOCSIN_PID")"
    t0="$(date +%s.%N)"
    curl -fsS -o /dev/null -X POST "$TOCSIN_URL/api/v1/incidents" "${auth[@]}" -H 'Content-Type: application/json' \
        -d "{\"name\": \"Fan-out benchmark ($label)\", \"body\": \"Everyone hears about this.\"}"
    sleep 0.3
    seq="$(latest_seq)"
    local deadline=$(( $(date +%s) + 600 ))
    while :; do
        rss="$(bench_rss_kb "$TOCSIN_PID")"; [ "$rss" -gt "$peak" ] && peak="$rss"
        read -r sent pending dead < <(progress_of "$seq")
        if [ "$sent" -ge "$count" ] || { [ "$pending" -eq 0 ] && [ $((sent + dead)) -ge "$count" ]; }; then break; fi
        [ "$(date +%s)" -lt "$deadline" ] || bench_die "$label: only $sent of $count sent after 600 s"
        sleep 0.2
    done
    t1="$(date +%s.%N)"
    sleep 2
    rss="$(bench_rss_kb "$TOCSIN_PID")"
    awk -v l="$label" -v n="$count" -v s="$sent" -v d="$dead" -v a="$t0" -v b="$t1" -v r0="$rss0" -v p="$peak" -v r1="$rss" \
        'BEGIN { w = b - a; printf "%s: %d of %d sent (%d dead) in %.1f s = %.0f msg/s; RSS %.1f MB before, peak %.1f MB (+%.1f), %.1f MB after\n",
                 l, s, n, d, w, s / w, r0 / 1024, p / 1024, (p - r0) / 1024, r1 / 1024 }'
}

echo "== e-mail: $EMAIL_SUBSCRIBERS subscribers -> smtp-sink, $SMTP_CONNECTIONS connections"
start_instance email
"$PY" - "$EMAIL_SUBSCRIBERS" >"$BENCH_TMP/email.csv" <<'EOF'
import sys
n = int(sys.argv[1])
print("channel,target,language,components,confirmed")
for i in range(n):
    print(f"email,user{i:06d}@bench.test,{'de' if i % 3 == 0 else 'en'},,true")
EOF
t_import0="$(date +%s.%N)"
imported="$(import_csv "$BENCH_TMP/email.csv")"
t_import1="$(date +%s.%N)"
awk -v n="$imported" -v a="$t_import0" -v b="$t_import1" 'BEGIN { printf "import: %d subscribers in %.1f s\n", n, b - a }'
fan_out "e-mail" "$EMAIL_SUBSCRIBERS"
# smtp-sink -c prints "<sessions> <quit> <messages>" style counters with carriage returns.
echo "smtp-sink counters (last line): $(tr '\r' '\n' <"$BENCH_TMP/smtp-sink.out" | grep -E '[0-9]' | tail -n1)"

echo "== webhooks: $WEBHOOK_SUBSCRIBERS subscribers -> nginx (204), per_host $PER_HOST"
start_instance webhooks
"$PY" - "$WEBHOOK_SUBSCRIBERS" "$nginx_port" >"$BENCH_TMP/hooks.csv" <<'EOF'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
print("channel,target,language,components,confirmed")
for i in range(n):
    print(f"webhook,http://127.0.0.1:{port}/hook/{i},en,,true")
EOF
imported="$(import_csv "$BENCH_TMP/hooks.csv")"
echo "import: $imported webhook subscribers"
: >"$BENCH_TMP/nginx-access.log"
fan_out "webhooks" "$WEBHOOK_SUBSCRIBERS"
echo "nginx requests seen: $(grep -c 'POST /hook/' "$BENCH_TMP/nginx-access.log" || true)"
