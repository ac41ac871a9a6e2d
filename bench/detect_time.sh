#!/usr/bin/env bash
# How long an outage takes to reach the public status page, and a recovery to clear it.
#
# One tocsin, one local HTTP target (in detect_time.py, so the moment it starts failing is
# known exactly), and per value of RETRIES a component plus an HTTP monitor linked to it:
# interval_s INTERVAL, that many retries, recovery_period_s 0, automatic incidents. Each round
# the targets start answering 503 at a random point of the check schedule; the script polls
# /api/v2/components.json and /api/v2/incidents/unresolved.json every POLL seconds until every
# component shows the outage and has an unresolved incident; after another random part of
# an interval the targets answer 200 again and it polls until the page is back to normal.
#
# The bound: interval x (retries + 1) + check time + the automation round (1 s), plus up to
# 2 % jitter per run and the poll period. With retries 0 the wait for the next scheduled
# check is uniform over one interval, so the median is about half the bound.
#
# Environment: ROUNDS (default 3), INTERVAL (interval_s, default 10), RETRIES (default "0 2"),
# POLL (seconds, default 0.1), TOCSIN_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-3}"
INTERVAL="${INTERVAL:-10}"
RETRIES="${RETRIES:-0 2}"
POLL="${POLL:-0.1}"
OUT_FILE="$BENCH_OUT/detect_time.txt"

bench_require curl "$PY"
bench_init

data="$BENCH_TMP/tocsin-data"
bench_start_tocsin "$data"
token="$("$TOCSIN_BIN" token create --role owner --name bench --data "$data" 2>/dev/null | tail -n1)"
[ -n "$token" ] || bench_die "token create printed nothing"
echo "tocsin: $TOCSIN_URL (pid $TOCSIN_PID)"

started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows="$BENCH_TMP/rounds.jsonl"
echo "rounds (times from the target's switch; 'confirming check' is the start of the check that decided):"
"$PY" "$BENCH_DIR/detect_time.py" --url "$TOCSIN_URL" --token "$token" --rounds "$ROUNDS" \
    --interval "$INTERVAL" --retries "$RETRIES" --poll "$POLL" --out "$rows" | tee "$BENCH_TMP/rounds.txt"

{
    echo "detect time: target down -> public page, target up -> page normal; $started, $(nproc) cores, load $load_before (start) / $(cut -d' ' -f1-3 /proc/loadavg) (end)"
    bench_binary_line
    echo "HTTP monitor, interval_s $INTERVAL, recovery_period_s 0, linked component, automatic incident; target answers 503 (down) or 200;"
    echo "page polled every ${POLL}s (/api/v2/components.json and /api/v2/incidents/unresolved.json); $ROUNDS rounds, each at a random phase"
    echo
    "$PY" - "$rows" "$INTERVAL" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
interval = float(sys.argv[2])
def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None
def f(v):
    return f"{v:6.2f} s" if v is not None else "   never"
print(f"{'phase':9} {'retries':>7} | {'page shows it (each round)':<34} | {'median':>8} | {'bound':>8} | {'confirming check (median)':>25} | {'page after it (median)':>22}")
print("-" * 124)
for phase in ("down", "recovery"):
    for r in sorted({x["retries"] for x in rows}):
        sel = [x for x in rows if x["phase"] == phase and x["retries"] == r]
        each = ", ".join(f"{x['page_s']:.2f}" if x["page_s"] is not None else "never" for x in sel)
        checks = [x["check_duration_s"] for x in sel if x["check_duration_s"] is not None]
        check = max(checks) if checks else 0.0
        # The change needs retries + 1 failures (down) or one good check (recovery).
        n = r + 1 if phase == "down" else 1
        bound = interval * n + check + 1.0
        after = med([x["page_s"] - x["confirming_check_s"] for x in sel
                     if x["page_s"] is not None and x["confirming_check_s"] is not None])
        print(f"{phase:9} {r:>7} | {each + ' s':<34} | {f(med([x['page_s'] for x in sel]))} | {f(bound)} |"
              f" {f(med([x['confirming_check_s'] for x in sel])):>25} | {f(after):>22}")
print()
print("'page shows it' is the later of: component status changed, unresolved incident listed (down) or gone (recovery).")
print("bound = interval x (retries + 1) + check time + the automation round (1 s), plus up to 2 % jitter per run")
print("and the poll period. Recovery needs one good check (recovery_period_s 0): interval + check time + 1 s, whatever")
print("the retries. The fault falls at a random point of the schedule, so the first failing check comes after a wait")
print("uniform over one interval: with retries 0 the median is about half the bound. 'page after it': from the start")
print("of the deciding check to the page showing the change (check time, wait for the automation round, commit,")
print("snapshot rebuild, poll period).")
EOF
    echo
    echo "every round:"
    sed 's/^/  /' "$BENCH_TMP/rounds.txt"
} | tee "$OUT_FILE"
echo "written to ${OUT_FILE#"$REPO_DIR"/}"
