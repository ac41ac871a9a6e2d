"""HTTP/1.1 serving: keep-alive, size limits, read timeouts against slow clients."""

import http.client
import socket
import time

import pytest

from conftest import raw_http


def status_of(answer):
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else None


def connect(port, timeout=15):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def wait_closed(sock, limit):
    """Seconds until the server closes `sock` (recv gives b'' or a reset); fails after `limit`."""
    sock.settimeout(limit)
    started = time.monotonic()
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                break
    except ConnectionResetError:
        pass
    except socket.timeout:
        pytest.fail(f"the server kept the connection open for more than {limit}s")
    return time.monotonic() - started


def test_keep_alive_serves_several_requests_on_one_connection(shared_server):
    conn = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=15)
    try:
        for path in ("/healthz", "/api/v2/status.json", "/"):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, path
        assert conn.sock is not None  # still the same connection
    finally:
        conn.close()


def test_connection_close_is_honoured(shared_server):
    answer = raw_http(shared_server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 200
    assert answer.endswith(b"ok\n")


def test_http_1_0_without_host(shared_server):
    answer = raw_http(shared_server.port, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 200


def test_pipelined_requests_are_answered_in_order(shared_server):
    req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /api/v2/status.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = raw_http(shared_server.port, req + req + last)
    assert answer.count(b"HTTP/1.1 200") == 3
    assert answer.rindex(b"ok\n") < answer.index(b'"indicator"')


def test_malformed_request_line_is_400(shared_server):
    answer = raw_http(shared_server.port, b"THIS IS NOT HTTP\r\n\r\n")
    assert status_of(answer) == 400
    assert b"application/problem+json" in answer


def test_header_too_large_is_431(shared_server):
    big = b"X-Filler: " + b"a" * (32 * 1024) + b"\r\n"
    answer = raw_http(shared_server.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
    assert status_of(answer) == 431
    assert b"application/problem+json" in answer


def test_many_headers_over_limit_is_431(tocsin_factory):
    srv = tocsin_factory(server={"header_limit": 2048})
    headers = b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 40) for n in range(100))
    answer = raw_http(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status_of(answer) == 431
    assert srv.get("/healthz").status_code == 200


def test_headers_within_limit_are_fine(shared_server):
    r = shared_server.get("/healthz", headers={"X-Filler": "a" * 4000})
    assert r.status_code == 200


def test_unknown_method_is_rejected(shared_server):
    answer = raw_http(shared_server.port, b"BREW /pot HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(answer) in (400, 405, 501)


# ---- slow clients ---------------------------------------------------------------------------

@pytest.fixture
def impatient(tocsin_factory):
    """read_timeout 500 ms; the keep-alive idle timeout stays long (30 s)."""
    return tocsin_factory(server={"read_timeout_ms": 500, "idle_timeout_ms": 30000})


def test_half_sent_head_is_dropped_after_read_timeout(impatient):
    """Regression: the head of a fresh connection was read under idle_timeout (server.cpp Session())."""
    s = connect(impatient.port)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        took = wait_closed(s, limit=8)
        assert took < 5
    finally:
        s.close()


def test_half_sent_head_is_dropped_after_idle_timeout(tocsin_factory):
    srv = tocsin_factory(server={"read_timeout_ms": 500, "idle_timeout_ms": 500})
    s = connect(srv.port)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        took = wait_closed(s, limit=10)
        assert took < 8
    finally:
        s.close()


def test_half_sent_body_is_dropped_after_read_timeout(impatient):
    s = connect(impatient.port)
    try:
        s.sendall(b"POST /api/v1/components HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"name\":")
        took = wait_closed(s, limit=10)
        assert took < 5
    finally:
        s.close()


def test_trickling_client_cannot_stretch_the_read_timeout(impatient):
    """A byte every 200 ms keeps the socket busy but must not keep the request alive."""
    s = connect(impatient.port)
    try:
        s.sendall(b"POST /api/v1/components HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 8:
            try:
                s.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            s.settimeout(0.2)
            try:
                if s.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed = True
                break
        assert closed, "the trickling client was never disconnected"
        assert time.monotonic() - started < 5
    finally:
        s.close()


def test_idle_keep_alive_connection_is_closed_after_idle_timeout(tocsin_factory):
    srv = tocsin_factory(server={"idle_timeout_ms": 300})
    s = connect(srv.port)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        first = s.recv(4096)
        assert status_of(first) == 200
        took = wait_closed(s, limit=10)
        assert took < 8
    finally:
        s.close()


def test_slow_clients_do_not_block_others(impatient):
    slow = [connect(impatient.port) for _ in range(30)]
    try:
        for s in slow:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        for _ in range(10):
            assert impatient.get("/healthz").status_code == 200
            assert impatient.get("/api/v2/summary.json").status_code == 200
        assert time.monotonic() - started < 10
    finally:
        for s in slow:
            s.close()


def test_slow_writer_does_not_block_admin_api(impatient):
    s = connect(impatient.port)
    try:
        s.sendall(b"POST /api/v1/components HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        r = impatient.api("POST", "/api/v1/components", json={"name": "still works"})
        assert r.status_code == 201
    finally:
        s.close()


def test_second_request_stalling_mid_head_is_dropped_after_read_timeout(impatient):
    s = connect(impatient.port)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        assert status_of(s.recv(4096)) == 200
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # keep-alive: the next head never ends
        took = wait_closed(s, limit=8)
        assert took < 5
    finally:
        s.close()
