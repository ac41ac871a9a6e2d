"""Operating the server: /healthz, /metrics, graceful shutdown."""

import re
import signal
import socket
import subprocess
import time

import pytest

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? '
                    r'[-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN)$')


def metric_value(text, name, labels=""):
    for line in text.splitlines():
        if line.startswith(f"{name}{labels} "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_healthz(shared_server):
    r = shared_server.get("/healthz")
    assert r.status_code == 200
    assert r.text == "ok\n"
    assert r.headers["Cache-Control"] == "no-store"


def test_metrics_is_prometheus_text(shared_server):
    r = shared_server.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    for line in r.text.splitlines():
        if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        assert SAMPLE.match(line), f"not a Prometheus sample line: {line!r}"
    assert "# TYPE tocsin_http_requests_total counter" in r.text


def test_metrics_count_requests(shared_server):
    before = metric_value(shared_server.get("/metrics").text, "tocsin_http_requests_total", '{code="2xx"}')
    for _ in range(5):
        shared_server.get("/healthz")
    after = metric_value(shared_server.get("/metrics").text, "tocsin_http_requests_total", '{code="2xx"}')
    assert after >= before + 5


def test_metrics_count_client_errors(shared_server):
    before = metric_value(shared_server.get("/metrics").text, "tocsin_http_requests_total", '{code="4xx"}')
    shared_server.get("/api/v1/components")  # 401
    after = metric_value(shared_server.get("/metrics").text, "tocsin_http_requests_total", '{code="4xx"}')
    assert after >= before + 1


def test_metrics_have_latency_histogram_and_snapshot_rebuilds(server):
    text = server.get("/metrics").text
    assert "# TYPE tocsin_http_request_duration_seconds histogram" in text
    assert 'tocsin_http_request_duration_seconds_bucket{le="+Inf"}' in text
    before = metric_value(text, "tocsin_snapshot_rebuilds_total")
    server.create_component("API")
    after = metric_value(server.get("/metrics").text, "tocsin_snapshot_rebuilds_total")
    assert after > before


def test_sigterm_exits_zero_promptly(server):
    server.get("/healthz")
    server.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = server.proc.wait(timeout=15)
    assert code == 0
    assert time.monotonic() - started < 5


def test_sigterm_with_idle_keep_alive_connection_exits_promptly(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        server.proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert server.proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 5
    finally:
        s.close()


def test_sigterm_with_half_sent_request_exits_promptly(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.1)  # bounded: lets the server start reading the head
        server.proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert server.proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 5
    finally:
        s.close()


def test_sigint_exits_zero(server):
    server.get("/healthz")  # serving: the signal handlers are in place (see the race test below)
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(timeout=15) == 0


def test_port_is_closed_after_shutdown(server):
    port = server.port
    server.get("/healthz")
    assert server.terminate() == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_restart_keeps_serving(server):
    server.create_component("API")
    server.restart()
    assert server.get("/healthz").status_code == 200
    assert len(server.json("/api/v2/components.json")["components"]) == 1


def test_sigterm_right_after_the_listening_line_exits_zero(tocsin_factory):
    for attempt in range(50):
        srv = tocsin_factory()
        srv.proc.send_signal(signal.SIGTERM)  # no request first: only the readiness line
        code = srv.proc.wait(timeout=15)
        assert code == 0, f"attempt {attempt}: exit {code}"
