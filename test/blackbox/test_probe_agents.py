"""Two real `tocsin probe` agents on 127.0.0.1 report for two locations of one monitor.

The target answers by who asks: each probe sends its location in its User-Agent, so the test can
make one location see the target down while the other sees it up. That is how the retry and
quorum rules are confirmed end to end (issue 3, "Tests"), and how buffering while the server is
away is checked. Every wait is bounded.
"""

import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import parse_iso, poll

PROBE_DEADLINE = 60.0  # seconds: interval 10 s, retries 1, plus assignment fetch and batching


class LocationTarget:
    """Answers 503 to the locations in `down_for` (matched in the User-Agent), 200 to others."""

    def __init__(self):
        self.down_for = set()
        self.seen = {}
        self._lock = threading.Lock()
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                agent = self.headers.get("User-Agent", "")
                with target._lock:
                    location = next((l for l in ("berlin", "frankfurt") if l in agent), "other")
                    target.seen[location] = target.seen.get(location, 0) + 1
                    down = location in target.down_for
                body = b"down" if down else b"ok"
                self.send_response(503 if down else 200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/health"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def set_down(self, *locations):
        with self._lock:
            self.down_for = set(locations)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Probe:
    def __init__(self, binary, server, token, location, log_dir):
        self.log = open(log_dir / f"probe-{location}.log", "wb")
        self.proc = subprocess.Popen(
            [binary, "probe", "--server", server, "--token", token, "--location", location],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def setup(tocsin_factory, tocsin_bin, tmp_path):
    # The server's own location is switched off: only the two agents check.
    srv = tocsin_factory(demo=False, monitoring={"location": ""})
    target = LocationTarget()
    component = srv.create_component("Checkout")
    monitor = srv.ok("POST", "/api/v1/monitors", json={
        "name": "Checkout", "type": "http", "url": target.url, "interval_s": 10, "timeout_ms": 3000,
        "retries": 1, "recovery_period_s": 0, "locations": ["berlin", "frankfurt"], "quorum": 2,
        "components": [component["id"]]})
    token = srv.create_token("probe", "agents")
    probes = [Probe(tocsin_bin, srv.base_url, token, loc, tmp_path) for loc in ("berlin", "frankfurt")]
    yield srv, target, component, monitor, probes
    for p in probes:
        p.stop()
    target.close()


def locations_state(srv, monitor_id):
    return srv.ok("GET", f"/api/v1/monitors/{monitor_id}")["state"]


def test_one_location_down_is_not_an_outage_both_are(setup):
    srv, target, component, monitor, probes = setup
    mid = monitor["id"]
    target.set_down("frankfurt")

    # frankfurt confirms its failure (retries 1: two checks in a row), berlin stays up.
    state = poll(lambda: (s := locations_state(srv, mid))["locations"].get("frankfurt", {}).get("status") == "down" and s,
                 "frankfurt confirmed down", deadline=PROBE_DEADLINE)
    assert state["locations"]["berlin"]["status"] == "up"
    assert state["status"] == "up", "one location of a quorum of two must not take the monitor down"
    assert srv.component_status(component["id"]) == "operational"
    assert srv.json("/api/v2/incidents/unresolved.json")["incidents"] == []
    assert target.seen.get("berlin", 0) >= 1 and target.seen.get("frankfurt", 0) >= 2

    # Both see it down: the quorum holds, the component breaks, one automatic incident opens.
    target.set_down("berlin", "frankfurt")
    poll(lambda: srv.component_status(component["id"]) == "major_outage", "component in major outage",
         deadline=PROBE_DEADLINE)
    incidents = srv.json("/api/v2/incidents/unresolved.json")["incidents"]
    assert len(incidents) == 1
    assert incidents[0]["name"] == "Outage: Checkout"
    assert sorted(locations_state(srv, mid)["locations"]) == ["berlin", "frankfurt"]

    # Recovery (recovery period 0): resolved as soon as the quorum breaks.
    target.set_down()
    poll(lambda: srv.json("/api/v2/incidents/unresolved.json")["incidents"] == [], "incident resolved",
         deadline=PROBE_DEADLINE)
    assert srv.component_status(component["id"]) == "operational"
    for p in probes:
        assert p.proc.poll() is None, "a probe agent died"


def test_probes_buffer_while_the_server_is_away(setup):
    srv, target, component, monitor, probes = setup
    mid = monitor["id"]
    poll(lambda: len(srv.ok("GET", f"/api/v1/monitors/{mid}/results?location=berlin")) >= 1,
         "a first result from berlin", deadline=PROBE_DEADLINE)
    # The agents know the server by its URL: come back on the same port.
    port, command = srv.port, srv.command
    srv.command = lambda: [f"127.0.0.1:{port}" if a == "127.0.0.1:0" else a for a in command()]
    srv.terminate()
    away_from = time.time()
    time.sleep(22)  # two intervals without a server: the agents keep checking and buffering
    away_until = time.time()
    srv.start()

    def delivered():
        results = srv.ok("GET", f"/api/v1/monitors/{mid}/results?location=berlin&limit=100")
        during = [r for r in results if away_from + 1 < parse_iso(r["at"]).timestamp() < away_until - 1]
        return len(during) >= 1 and during

    during = poll(delivered, "results checked while the server was down arrive later", deadline=PROBE_DEADLINE)
    assert all(r["location"] == "berlin" for r in during)
    for p in probes:
        assert p.proc.poll() is None, "a probe agent died while the server was away"
