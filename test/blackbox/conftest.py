"""Black-box harness: starts the real `tocsin` binary on 127.0.0.1:0 and talks HTTP to it.

Every wait here is bounded. The binary comes from `--tocsin-bin` or $TOCSIN_BIN.
Timeouts are generous so that the suite also passes against an ASan+UBSan build.
"""

import datetime as dt
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

START_TIMEOUT = 30.0  # seconds until "tocsin listening on ..." appears
STOP_TIMEOUT = 15.0  # seconds between SIGTERM and SIGKILL
CLI_TIMEOUT = 30.0  # seconds for one short CLI command (token create, migrate, version)
HTTP_TIMEOUT = 15.0  # seconds for one HTTP request
POLL_DEADLINE = 20.0  # seconds for anything that happens "by itself" (engines)

ROLES = ("owner", "responder", "stakeholder")


def pytest_addoption(parser):
    parser.addoption(
        "--tocsin-bin",
        action="store",
        default=os.environ.get("TOCSIN_BIN"),
        help="path of the tocsin binary under test (default: $TOCSIN_BIN)",
    )


@pytest.fixture(scope="session")
def tocsin_bin(request):
    path = request.config.getoption("--tocsin-bin")
    if not path:
        pytest.exit("give the binary with --tocsin-bin PATH or TOCSIN_BIN=PATH", returncode=4)
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        pytest.exit(f"{path} is not an executable tocsin binary", returncode=4)
    return path


# ---------------------------------------------------------------------------------------------
# small helpers usable from every test module


def iso(t):
    """ISO-8601 UTC with milliseconds, the way tocsin writes times."""
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def parse_iso(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def poll(fn, what, deadline=POLL_DEADLINE, interval=0.05):
    """Calls fn() until it returns a truthy value; fails after `deadline` seconds."""
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {deadline:.0f}s waiting for {what}; last value: {last!r}")


def run_cli(tocsin_bin, *args, env=None, timeout=CLI_TIMEOUT, stdin=None):
    """Runs `tocsin ARGS`; returns the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    for k in ("TOCSIN_LISTEN", "TOCSIN_DATA", "TOCSIN_CONFIG", "TOCSIN_LOG_LEVEL"):
        full_env.pop(k, None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [tocsin_bin, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        input=stdin,
    )


def write_config(path, **sections):
    """Writes a YAML config from {section: {key: value}}; values are ints, bools or strings."""
    lines = []
    for section, values in sections.items():
        lines.append(f"{section}:")
        for key, value in values.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, (int, float)):
                text = str(value)
            else:
                text = json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar
            lines.append(f"  {key}: {text}")
    Path(path).write_text("\n".join(lines) + "\n")
    return str(path)


class _TimeoutSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, **kwargs)


class Tocsin:
    """One tocsin server process on a data folder; can be stopped, killed and started again."""

    def __init__(self, binary, data_dir, config=None, demo=False, extra_args=(), env=None):
        self.binary = binary
        self.data_dir = str(data_dir)
        self.config = config
        self.demo = demo
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc = None
        self.port = None
        self.base_url = None
        self.log_path = Path(self.data_dir).parent / (Path(self.data_dir).name + "-server.log")
        self._log_file = None
        self._tokens = {}
        self.http = _TimeoutSession()
        self.starts = 0

    # ---- process control --------------------------------------------------------------------

    def command(self):
        cmd = [self.binary, "serve", "--listen", "127.0.0.1:0", "--data", self.data_dir]
        if self.config:
            cmd += ["--config", str(self.config)]
        if self.demo:
            cmd.append("--demo")
        return cmd + self.extra_args

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        env = dict(os.environ)
        for k in ("TOCSIN_LISTEN", "TOCSIN_DATA", "TOCSIN_CONFIG", "TOCSIN_LOG_LEVEL"):
            env.pop(k, None)
        env.update(self.env)
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        self.starts += 1
        lines = queue.Queue()

        def pump(stream):
            # Keeps draining stdout so the server can never block on a full pipe.
            for raw in iter(stream.readline, b""):
                lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, args=(self.proc.stdout,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._hard_kill()
                raise RuntimeError(f"tocsin did not print its listening line in {START_TIMEOUT}s; stdout: {seen}; "
                                   f"log: {self.log_tail()}")
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                code = self.proc.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError(f"tocsin exited with {code} before listening; stdout: {seen}; log: {self.log_tail()}")
            seen.append(line)
            if line.startswith("tocsin listening on http://"):
                self.base_url = line.split(" on ", 1)[1].strip()
                self.port = int(self.base_url.rsplit(":", 1)[1])
                return self

    def log_tail(self, n=4000):
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout=STOP_TIMEOUT):
        """SIGTERM, then SIGKILL if it has not exited after `timeout`. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._hard_kill()
        self._close()
        return self.proc.returncode

    def kill9(self):
        """SIGKILL, as a power cut for the process: no shutdown code runs."""
        self._hard_kill()
        self._close()

    def restart(self):
        """Graceful stop (SIGTERM) and a fresh start on the same data folder."""
        self.terminate()
        return self.start()

    def kill9_and_restart(self):
        self.kill9()
        return self.start()

    def _hard_kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass

    def _close(self):
        self.http.close()
        self.http = _TimeoutSession()
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    # ---- tokens -----------------------------------------------------------------------------

    def create_token(self, role, name="test"):
        """A fresh token from `tocsin token create` (works while the server runs)."""
        r = run_cli(self.binary, "token", "create", "--role", role, "--name", name, "--data", self.data_dir)
        assert r.returncode == 0, f"token create failed ({r.returncode}): {r.stderr}"
        token = r.stdout.strip().splitlines()[-1].strip()
        assert token, "token create printed nothing"
        return token

    def token(self, role="owner"):
        """One cached token per role for this data folder."""
        if role not in self._tokens:
            self._tokens[role] = self.create_token(role)
        return self._tokens[role]

    # ---- HTTP -------------------------------------------------------------------------------

    def url(self, path):
        return self.base_url + path

    def get(self, path, **kwargs):
        return self.http.get(self.url(path), **kwargs)

    def request(self, method, path, **kwargs):
        return self.http.request(method, self.url(path), **kwargs)

    def api(self, method, path, role="owner", token=None, **kwargs):
        """An admin API call with the cached token of `role` (or an explicit `token`)."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is None and role is not None:
            token = self.token(role)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.url(path), headers=headers, **kwargs)

    def ok(self, method, path, expect=(200, 201, 204), **kwargs):
        r = self.api(method, path, **kwargs)
        assert r.status_code in (expect if isinstance(expect, tuple) else (expect,)), \
            f"{method} {path} -> {r.status_code}: {r.text}"
        return r.json() if r.content and "json" in r.headers.get("Content-Type", "") else None

    def json(self, path, **kwargs):
        r = self.get(path, **kwargs)
        assert r.status_code == 200, f"GET {path} -> {r.status_code}: {r.text[:300]}"
        return r.json()

    def html(self, path="/", **kwargs):
        r = self.get(path, **kwargs)
        assert r.status_code == 200, f"GET {path} -> {r.status_code}"
        assert r.headers["Content-Type"].startswith("text/html")
        return r.text

    # ---- domain shortcuts -------------------------------------------------------------------

    def create_component(self, name, **fields):
        return self.ok("POST", "/api/v1/components", json={"name": name, **fields}, expect=201)

    def create_group(self, name, **fields):
        return self.ok("POST", "/api/v1/components", json={"name": name, "group": True, **fields}, expect=201)

    def create_incident(self, name, **fields):
        return self.ok("POST", "/api/v1/incidents", json={"name": name, **fields}, expect=201)

    def post_update(self, incident_id, **fields):
        return self.ok("POST", f"/api/v1/incidents/{incident_id}/updates", json=fields, expect=201)

    def create_maintenance(self, name, starts_in, lasts, **fields):
        """A maintenance whose window starts `starts_in` from now and lasts `lasts` (timedeltas)."""
        start = utcnow() + starts_in
        body = {"name": name, "scheduled_for": iso(start), "scheduled_until": iso(start + lasts), **fields}
        return self.ok("POST", "/api/v1/maintenances", json=body, expect=201)

    def component(self, component_id):
        for c in self.json("/api/v2/components.json")["components"]:
            if c["id"] == component_id:
                return c
        return None

    def component_status(self, component_id):
        c = self.component(component_id)
        return c and c["status"]


def _raw_http(port, request_bytes, timeout=HTTP_TIMEOUT):
    """Sends raw bytes and returns everything the server answers until it closes (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request_bytes)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)


def raw_http(port, request_bytes, timeout=HTTP_TIMEOUT):
    return _raw_http(port, request_bytes, timeout)


def raw_get(port, path, headers=None):
    """GET without any client-side decoding; returns (status, headers dict lowercased, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture
def tocsin_factory(tocsin_bin, tmp_path):
    """Starts servers with custom config; all of them are terminated at teardown."""
    started = []
    counter = [0]

    def make(config=None, demo=False, data_dir=None, start=True, extra_args=(), env=None, **config_sections):
        counter[0] += 1
        if data_dir is None:
            data_dir = tmp_path / f"data{counter[0]}"
        if config is None and config_sections:
            config = write_config(tmp_path / f"config{counter[0]}.yaml", **config_sections)
        srv = Tocsin(tocsin_bin, data_dir, config=config, demo=demo, extra_args=extra_args, env=env)
        started.append(srv)
        if start:
            srv.start()
        return srv

    yield make
    for srv in started:
        srv.terminate()


@pytest.fixture
def server(tocsin_factory):
    """A fresh server on an empty data folder."""
    return tocsin_factory()


@pytest.fixture(scope="module")
def shared_server(tocsin_bin, tmp_path_factory):
    """One server per test module for tests that only read or that do not depend on state."""
    d = tmp_path_factory.mktemp("shared")
    srv = Tocsin(tocsin_bin, d / "data").start()
    yield srv
    srv.terminate()


# ---------------------------------------------------------------------------------------------
# reading the public HTML


def page_component_status(html, name):
    """The data-status shown next to the component called `name` on a page, or None."""
    import re

    m = re.search(r'<span class="name">' + re.escape(name) + r'</span>.*?data-status="([a-z_]+)"', html, re.S)
    return m.group(1) if m else None


def page_indicator(html):
    import re

    m = re.search(r'<section class="overall indicator-([a-z]+)"', html)
    return m.group(1) if m else None


def page_section(html, css_class):
    """The inner HTML of the first <section class="css_class ..."> or '' when absent."""
    import re

    m = re.search(r'<section class="' + re.escape(css_class) + r'[" ].*?</section>', html, re.S)
    return m.group(0) if m else ""


# ---------------------------------------------------------------------------------------------
# monitoring: a local HTTP target whose answers the test sets


class Target:
    """An HTTP server on 127.0.0.1 (ThreadingHTTPServer in a daemon thread) that answers every
    request with the status, body, headers and delay the test sets; it counts requests."""

    MAX_DELAY = 10.0  # a handler never sleeps longer than this, whatever the test asked

    def __init__(self, status=200, body='{"status": "UP"}', content_type="application/json"):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.status = status
        self.body = body
        self.content_type = content_type
        self.delay = 0.0
        self.hits = 0
        self.last_path = None
        self._lock = threading.Lock()
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, with_body=True):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(min(length, 1 << 20))
                with target._lock:
                    target.hits += 1
                    target.last_path = self.path
                    status, body, ctype, delay = target.status, target.body, target.content_type, target.delay
                if delay:
                    time.sleep(min(delay, Target.MAX_DELAY))
                data = body.encode() if isinstance(body, str) else body
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if with_body:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the checker gave up (timeout): nothing to tell it
                self.close_connection = True

            def do_GET(self):
                self._answer()

            def do_POST(self):
                self._answer()

            def do_HEAD(self):
                self._answer(with_body=False)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/health"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def set(self, status=None, body=None, delay=None, content_type=None):
        with self._lock:
            if status is not None:
                self.status = status
            if body is not None:
                self.body = body
            if delay is not None:
                self.delay = delay
            if content_type is not None:
                self.content_type = content_type

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def target():
    t = Target()
    yield t
    t.close()


@pytest.fixture
def refused_url():
    """An http:// URL on 127.0.0.1 whose port refuses connections: the socket is bound (so no
    one else gets the port) but never listens, so a connect gets RST at once."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{s.getsockname()[1]}/health"
    s.close()
