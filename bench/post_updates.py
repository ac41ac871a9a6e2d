"""Sequential incident updates through the admin API, one at a time, each timed.

Usage: post_updates.py BASE_URL TOKEN INCIDENT_ID COUNT
Prints one line: "count updates_per_s p50_ms p90_ms p99_ms max_ms mean_ms failures
first_tenth_p50_ms last_tenth_p50_ms". All updates go to one incident, whose timeline
(and so the snapshot and the reply) grows with each; the two tenths show that trend.
One keep-alive connection, like an operator's script; each request returns only after
tocsin committed durably and rebuilt the public snapshot.
"""
import statistics
import sys
import time

import requests


def main() -> int:
    base, token, incident_id, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    url = f"{base}/api/v1/incidents/{incident_id}/updates"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    latencies = []
    failures = 0
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        r = session.post(url, json={"body": f"sequential update {i}", "status": "identified"})
        latencies.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 201:
            failures += 1
            if failures == 1:
                print(f"post_updates: HTTP {r.status_code}: {r.text[:200]}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    tenth = max(1, count // 10)
    first, last = statistics.median(latencies[:tenth]), statistics.median(latencies[-tenth:])
    print(f"{count} {count / elapsed:.1f} {q[49]:.2f} {q[89]:.2f} {q[98]:.2f} {max(latencies):.2f} "
          f"{statistics.fmean(latencies):.2f} {failures} {first:.2f} {last:.2f}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
