"""Public embeds (status JSON, banner script and iframe, SVG badges) and the admin live stream.

Checks exactly the headers other sites depend on: CORS only on what scripts of other origins
read, framing only for the iframe banner, nosniff everywhere, 304 on revalidation.
"""

import datetime as dt
import signal
import socket
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import POLL_DEADLINE, poll

SVG = "{http://www.w3.org/2000/svg}svg"
CORS_PATHS = ("/embed/status.json", "/embed/banner.js", "/badge.svg", "/api/v2/summary.json")
NO_CORS_PATHS = ("/", "/history", "/embed/banner", "/healthz", "/assets/page.css", "/uptime", "/nope")
LIVE_WAIT = 10.0  # seconds for a live event to arrive


def embed(srv, lang=None):
    return srv.json("/embed/status.json" + (f"?lang={lang}" if lang else ""))


# ---- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORS_PATHS)
def test_embeds_allow_every_origin(shared_server, path):
    r = shared_server.get(path, headers={"Origin": "https://other.example"})
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", NO_CORS_PATHS)
def test_nothing_else_gets_cors(shared_server, path):
    r = shared_server.get(path, headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in r.headers, path
    assert r.headers["X-Content-Type-Options"] == "nosniff", path


def test_admin_api_gets_no_cors_but_nosniff(shared_server):
    r = shared_server.api("GET", "/api/v1/components", headers={"Origin": "https://other.example"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = shared_server.get("/api/v1/components")
    assert r.status_code == 401
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_preflight_is_answered_for_embeds_only(shared_server):
    r = shared_server.request("OPTIONS", "/embed/status.json", headers={
        "Origin": "https://other.example", "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    r = shared_server.request("OPTIONS", "/", headers={"Origin": "https://other.example"})
    assert r.status_code == 405
    assert "Access-Control-Allow-Origin" not in r.headers


def test_only_the_iframe_banner_may_be_framed(shared_server):
    banner = shared_server.get("/embed/banner")
    assert banner.status_code == 200
    assert banner.headers["Content-Type"].startswith("text/html")
    csp = banner.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "X-Frame-Options" not in banner.headers
    assert "<script" not in banner.text
    for path in ("/", "/history", "/nope"):
        r = shared_server.get(path)
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path
        assert r.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize("path", ("/embed/status.json", "/embed/banner.js", "/badge.svg", "/embed/banner"))
def test_revalidation_gets_304(shared_server, path):
    first = shared_server.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    again = shared_server.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    if path != "/embed/banner":
        assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_banner_script_is_small_and_self_contained(shared_server):
    r = shared_server.get("/embed/banner.js")
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    js = r.text
    assert len(r.content) < 8192
    for forbidden in ("eval(", "innerHTML", "document.write", "http://", "https://cdn"):
        assert forbidden not in js.replace("https://status.example.com", ""), forbidden
    assert "textContent" in js and "currentScript" in js and "/embed/status.json" in js


# ---- content ---------------------------------------------------------------------------------


def test_status_json_follows_incidents_and_maintenance(server):
    api = server.create_component("API")
    quiet = embed(server)
    assert quiet["status"]["indicator"] == "none"
    assert quiet["incidents"] == [] and quiet["maintenances"] == []
    assert set(quiet["page"]) >= {"name", "url"}

    inc = server.create_incident("Login <fails>", status="investigating", body="Looking.",
                                 components={api["id"]: "major_outage"})
    soon = server.create_maintenance("DB upgrade", dt.timedelta(days=2), dt.timedelta(hours=1))
    server.create_maintenance("Far away", dt.timedelta(days=12), dt.timedelta(hours=1))
    doc = embed(server)
    assert doc["status"]["indicator"] in ("major", "critical")
    [item] = doc["incidents"]
    assert item["id"] == inc["id"] and item["name"] == "Login <fails>"
    assert item["status"] == "investigating" and item["latest_update"] == "Looking."
    assert item["url"].endswith(f"/incidents/{inc['id']}?lang=en")
    assert [m["id"] for m in doc["maintenances"]] == [soon["id"]]
    assert doc["maintenances"][0]["scheduled_for"]

    de = embed(server, "de")
    assert de["lang"] == "de"
    assert de["incidents"][0]["status_label"] != doc["incidents"][0]["status_label"]
    assert de["status"]["description"] != doc["status"]["description"]

    server.post_update(inc["id"], status="resolved", body="Fixed.", components={api["id"]: "operational"})
    after = embed(server)
    assert after["incidents"] == []
    assert [m["id"] for m in after["maintenances"]] == [soon["id"]]
    banner = server.get("/embed/banner").text
    assert inc["id"] not in banner and soon["id"] in banner


def badge(srv, path):
    r = srv.get(path)
    assert r.status_code == 200, f"{path}: {r.status_code}"
    assert r.headers["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(r.content)
    assert root.tag == SVG
    assert int(root.get("width")) > 40
    return root, " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_badges_are_svg_and_follow_status(server):
    c = server.create_component("Edge & <CDN>")
    root, text = badge(server, "/badge.svg")
    assert "operational" in text
    _, text = badge(server, f"/badge/components/{c['id']}.svg")
    assert "Edge & <CDN>" in text and "Operational" in text
    server.ok("PATCH", f"/api/v1/components/{c['id']}", json={"status": "major_outage"})
    _, text = badge(server, f"/badge/components/{c['id']}.svg")
    assert "Major Outage" in text
    _, page_text = badge(server, "/badge.svg")
    assert "operational" not in page_text
    _, german = badge(server, f"/badge/components/{c['id']}.svg?lang=de")
    assert german != text
    assert server.get("/badge/components/nosuchthing.svg").status_code == 404
    assert server.get("/badge/monitors/nosuchthing/uptime.svg?days=30").status_code == 404
    assert server.get("/badge/monitors/nosuchthing/uptime.svg?days=5").status_code == 404


def test_monitor_uptime_badges_only_for_public_monitors(server, target):
    comp = server.create_component("Storefront")
    public = server.ok("POST", "/api/v1/monitors", expect=201, json={
        "name": "Storefront probe", "type": "http", "url": target.url, "interval_s": 60,
        "components": [{"component_id": comp["id"]}]})
    private = server.ok("POST", "/api/v1/monitors", expect=201, json={
        "name": "Private probe", "type": "http", "url": target.url, "interval_s": 60})
    for m in (public, private):
        r = server.api("POST", f"/api/v1/monitors/{m['id']}/check")
        assert r.status_code == 200, r.text
    path = f"/badge/monitors/{public['id']}/uptime.svg"
    poll(lambda: server.get(path).status_code == 200, "the uptime badge after a check", interval=0.2)
    poll(lambda: "%" in badge(server, path)[1], "a percentage on the uptime badge", interval=0.2)
    _, text = badge(server, path)
    assert "uptime 30d" in text and "100%" in text
    for days, label in ((1, "uptime 24h"), (7, "uptime 7d"), (30, "uptime 30d"), (90, "uptime 90d")):
        _, text = badge(server, f"{path}?days={days}")
        assert label in text
    _, german = badge(server, f"{path}?days=7&lang=de")
    assert "Verfügbarkeit 7 T" in german
    assert server.get(f"{path}?days=5").status_code == 404
    assert server.get(path).headers["Access-Control-Allow-Origin"] == "*"
    assert server.get(f"/badge/monitors/{private['id']}/uptime.svg").status_code == 404


# ---- live stream -----------------------------------------------------------------------------


class LiveClient:
    """An event stream read over a raw socket, every read bounded."""

    def __init__(self, srv, token):
        self.sock = socket.create_connection(("127.0.0.1", srv.port), timeout=LIVE_WAIT)
        self.sock.sendall((f"GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                           f"Authorization: Bearer {token}\r\n\r\n").encode())
        self.data = b""

    def wait_for(self, needle, deadline=LIVE_WAIT):
        end = time.monotonic() + deadline
        while needle.encode() not in self.data:
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                return False
            if not chunk:
                return False
            self.data += chunk
        return True

    def close(self):
        self.sock.close()


def test_live_needs_a_token(shared_server):
    r = shared_server.get("/api/v1/live")
    assert r.status_code == 401
    r = shared_server.get("/api/v1/live", headers={"Authorization": "Bearer tcs_bogus_0123456789"})
    assert r.status_code == 401


def test_live_announces_a_page_change(server):
    c = server.create_component("API")
    live = LiveClient(server, server.token("stakeholder"))
    try:
        assert live.wait_for('event: hello\ndata: {"seq":'), live.data
        head = live.data.split(b"\r\n\r\n", 1)[0].decode()
        assert head.startswith("HTTP/1.1 200")
        assert "text/event-stream" in head and "no-store" in head
        began = time.monotonic()
        server.ok("PATCH", f"/api/v1/components/{c['id']}", json={"status": "partial_outage"})
        assert live.wait_for('"topics":["page"]'), live.data
        assert time.monotonic() - began < LIVE_WAIT
        assert b"event: change" in live.data
    finally:
        live.close()


def test_live_announces_subscriber_changes(server):
    live = LiveClient(server, server.token("stakeholder"))
    try:
        assert live.wait_for("event: hello")
        server.ok("POST", "/api/v1/subscribers", expect=201,
                  json={"channel": "email", "target": "someone@example.com", "skip_confirmation": True})
        assert live.wait_for('"subscribers"'), live.data
    finally:
        live.close()


def test_live_announces_monitor_changes(server):
    live = LiveClient(server, server.token("stakeholder"))
    try:
        assert live.wait_for("event: hello")
        server.ok("POST", "/api/v1/monitors", expect=201, json={
            "name": "Heartbeat", "type": "heartbeat", "interval_s": 60})
        assert live.wait_for('"monitors"'), live.data
    finally:
        live.close()


def test_live_events_are_rate_limited(server):
    c = server.create_component("API")
    live = LiveClient(server, server.token("stakeholder"))
    try:
        assert live.wait_for("event: hello")
        began = time.monotonic()
        for status in ("degraded_performance", "partial_outage", "major_outage", "operational") * 2:
            server.ok("PATCH", f"/api/v1/components/{c['id']}", json={"status": status})
        elapsed = time.monotonic() - began
        assert live.wait_for('"topics":["page"]')
        time.sleep(0.6)  # lets a last coalesced event arrive
        live.wait_for("never", deadline=0.1)
        events = live.data.count(b"event: change")
        # Eight writes; at most one event per 250 ms, plus the one at the start.
        assert 1 <= events <= 2 + int(elapsed / 0.25), (events, elapsed)
    finally:
        live.close()


def test_sigterm_with_an_open_live_stream_exits_promptly(server):
    live = LiveClient(server, server.token("stakeholder"))
    try:
        assert live.wait_for("event: hello")
        began = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=POLL_DEADLINE)
        assert code == 0
        assert time.monotonic() - began < 5.0
    finally:
        live.close()
