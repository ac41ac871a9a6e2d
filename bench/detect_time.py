#!/usr/bin/python3
"""Time from a target going down to tocsin's public page showing it, and from recovery to
the page showing it resolved. Run by detect_time.sh, which starts tocsin and makes a token.

Python 3.11 stdlib only. The HTTP target runs in this process (a thread), so the moment it
starts failing is known exactly: one path per monitor, answering 200 or 503. For each value
in --retries a component and an HTTP monitor (interval --interval, that many retries,
recovery_period_s 0, linked to the component, automatic incidents on) are created through
the API. Each round waits a random part of an interval (so the fault falls at a different
point of the check schedule each time), switches every path to 503 and polls
/api/v2/components.json and /api/v2/incidents/unresolved.json every --poll seconds until
each component shows an outage and has an unresolved incident, then, after another random
part of an interval, switches the paths back to 200 and polls until both are back to normal. The monitor's stored check results give
the moment of the check that confirmed the change, which splits each time into waiting
for the schedule and the rest (check, automation round, page rebuild, poll).

Writes every round to --out (JSON lines) and prints one line per round and monitor.
"""
import argparse
import datetime as dt
import http.client
import http.server
import json
import random
import socketserver
import threading
import time
import urllib.parse


class Target:
    """A local HTTP target: GET /<name> answers 200, or 503 while `name` is down."""

    def __init__(self):
        self.down = set()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                bad = self.path.lstrip("/") in target.down
                body = b"down\n" if bad else b"ok\n"
                self.send_response(503 if bad else 200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def set_down(self, names, down):
        if down:
            self.down |= set(names)
        else:
            self.down -= set(names)


class Api:
    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = None

    def call(self, method, path, body=None, auth=True):
        headers = {"Accept-Encoding": "identity"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if r.status >= 300:
            raise RuntimeError(f"{method} {path} -> {r.status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def page_view(api, component_ids):
    """{component_id: (status, has_unresolved_incident)} as the public page shows it now."""
    comps = api.call("GET", "/api/v2/components.json", auth=False)["components"]
    incs = api.call("GET", "/api/v2/incidents/unresolved.json", auth=False)["incidents"]
    status = {}

    def walk(list_):
        for c in list_:
            status[c["id"]] = c["status"]
            walk(c.get("components") or [])

    walk(comps)
    with_incident = set()
    for inc in incs:
        for c in inc.get("components") or []:
            with_incident.add(c["id"] if isinstance(c, dict) else c)
    return {cid: (status.get(cid), cid in with_incident) for cid in component_ids}


def confirming_check(api, monitor_id, since, outcome, needed):
    """Wall time of the `needed`-th result in a row with `outcome` at or after `since`."""
    results = api.call("GET", f"/api/v1/monitors/{monitor_id}/results?since={urllib.parse.quote(iso(since - 1))}&limit=200")
    results.sort(key=lambda r: r["at"])
    run = 0
    for r in results:
        at = parse_iso(r["at"])
        if at < since:
            continue
        run = run + 1 if r["outcome"] == outcome else 0
        if run == needed:
            return at, r["total_us"] / 1e6
    return None, None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--interval", type=int, default=10)
    p.add_argument("--retries", default="0 2")
    p.add_argument("--poll", type=float, default=0.1)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    api = Api(a.url, a.token)
    target = Target()
    monitors = []  # (retries, name, component_id, monitor_id)
    for r in [int(x) for x in a.retries.split()]:
        name = f"r{r}"
        comp = api.call("POST", "/api/v1/components", {"name": f"Detect retries {r}"})
        mon = api.call("POST", "/api/v1/monitors", {
            "name": f"detect retries {r}", "type": "http", "url": f"http://127.0.0.1:{target.port}/{name}",
            "interval_s": a.interval, "retries": r, "recovery_period_s": 0, "timeout_ms": 5000,
            "components": [{"component_id": comp["id"]}], "create_incidents": True})
        monitors.append((r, name, comp["id"], mon["id"]))
    cids = [m[2] for m in monitors]
    names = [m[1] for m in monitors]

    # Every monitor has checked at least once (each runs within one interval of its creation).
    deadline = time.monotonic() + a.interval * 3 + 10
    while time.monotonic() < deadline:
        if all(api.call("GET", f"/api/v1/monitors/{m[3]}/results?limit=1") for m in monitors):
            break
        time.sleep(0.5)
    else:
        raise SystemExit("detect_time.py: the monitors did not check within three intervals")

    out = open(a.out, "w")
    rng = random.Random()
    for rnd in range(1, a.rounds + 1):
        # Start from a clean page, then a random phase against the check grid.
        settle = time.monotonic() + 60
        while any(s != "operational" or inc for s, inc in page_view(api, cids).values()):
            if time.monotonic() > settle:
                raise SystemExit("detect_time.py: the page did not return to normal between rounds")
            time.sleep(a.poll)
        time.sleep(rng.uniform(0, a.interval))

        for phase, down in (("down", True), ("recovery", False)):
            if not down:
                # The down phase ended right after the slowest monitor's deciding check, so
                # switching back now would always fall at the same point of its schedule
                # (and of the others', whose offsets are fixed relative to it).
                time.sleep(rng.uniform(0, a.interval))
            seen = {cid: {} for cid in cids}
            wall0 = time.time()
            t0 = time.monotonic()
            target.set_down(names, down)
            limit = t0 + max(m[0] + 1 for m in monitors) * a.interval + a.interval + 30
            while time.monotonic() < limit:
                now = time.monotonic()
                view = page_view(api, cids)
                for cid, (status, has_inc) in view.items():
                    s = seen[cid]
                    if down:
                        if status != "operational" and "component" not in s:
                            s["component"] = now - t0
                        if has_inc and "incident" not in s:
                            s["incident"] = now - t0
                    else:
                        if status == "operational" and "component" not in s:
                            s["component"] = now - t0
                        if not has_inc and "incident" not in s:
                            s["incident"] = now - t0
                if all(len(s) == 2 for s in seen.values()):
                    break
                time.sleep(max(0.0, a.poll - (time.monotonic() - now)))
            for retries, name, cid, mid in monitors:
                needed = retries + 1 if down else 1
                at, check_s = confirming_check(api, mid, wall0, "down" if down else "up", needed)
                row = {
                    "round": rnd, "phase": phase, "retries": retries, "interval_s": a.interval,
                    "component_s": seen[cid].get("component"), "incident_s": seen[cid].get("incident"),
                    "confirming_check_s": (at - wall0) if at is not None else None,
                    "check_duration_s": check_s,
                }
                shown = [v for v in (row["component_s"], row["incident_s"]) if v is not None]
                row["page_s"] = max(shown) if len(shown) == 2 else None
                out.write(json.dumps(row) + "\n")
                out.flush()

                def f(v):
                    return f"{v:6.2f}s" if v is not None else "  never"

                after = (row["page_s"] - row["confirming_check_s"]) if row["page_s"] is not None and at is not None else None
                print(f"  round {rnd} {phase:8} retries {retries}: component {f(row['component_s'])}, "
                      f"incident {f(row['incident_s'])}; confirming check started at {f(row['confirming_check_s'])}, "
                      f"page {f(after)} after it", flush=True)
    out.close()


if __name__ == "__main__":
    main()
