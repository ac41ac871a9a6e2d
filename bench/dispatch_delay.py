#!/usr/bin/python3
"""Delay from the check engine starting a check to the request arriving at the target.

tocsin stamps each stored result with the wall time at which the engine launched the check
(check_results.at, milliseconds since the epoch); nginx logs when each request arrived ($msec minus
$request_time, millisecond resolution) and the monitor id from the URL (?m=<id>). Matching
each result with the first request for the same monitor at or after its start gives the
part of a check's start that the engine's own lateness metric does not see: curl starting
the transfer on a later loop turn, connect and send. Both clocks are the same machine's
CLOCK_REALTIME.

Usage: dispatch_delay.py DB ACCESS_LOG FROM_MS TO_MS  (results with FROM_MS <= at < TO_MS)
Prints: "matched unmatched p50_ms p99_ms max_ms".
"""
import bisect
import collections
import sqlite3
import sys


def main():
    db, log, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    arrivals = collections.defaultdict(list)
    with open(log) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3 or parts[2] == "-":
                continue
            arrivals[parts[2]].append(int(round((float(parts[0]) - float(parts[1])) * 1e3)))
    for v in arrivals.values():
        v.sort()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    delays, unmatched = [], 0
    for mid, at in con.execute("SELECT monitor_id, at FROM check_results WHERE at >= ? AND at < ?", (lo, hi)):
        v = arrivals.get(mid, [])
        # Both sides have millisecond resolution: allow an arrival 2 ms "before" the start.
        i = bisect.bisect_left(v, at - 2)
        if i < len(v) and v[i] - at < 10_000:
            delays.append(max(0, v[i] - at))
        else:
            unmatched += 1
    delays.sort()
    if not delays:
        print(f"0 {unmatched} 0 0 0")
        return

    def pct(p):
        return delays[min(len(delays) - 1, int(p / 100 * len(delays)))]

    print(f"{len(delays)} {unmatched} {pct(50)} {pct(99)} {delays[-1]}")


if __name__ == "__main__":
    main()
