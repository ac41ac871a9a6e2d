"""Real receivers on 127.0.0.1 for notification tests: an SMTP server (aiosmtpd) and HTTP
endpoints (webhooks, chat hooks, a Mastodon and a Telegram stand-in) that record what they get.

Both run in threads of the test process and stop at teardown. Every wait is bounded.
"""

import email
import email.policy
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _MailHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.reject_rcpt and address in self.sink.reject_rcpt:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.sink.lock:
            for rcpt in envelope.rcpt_tos:
                self.sink.messages.append({"rcpt": rcpt, "from": envelope.mail_from, "raw": raw, "msg": msg})
        return "250 Message accepted"


class MailSink:
    """An SMTP server that keeps every message: .messages is a list of
    {"rcpt", "from", "raw" (bytes), "msg" (email.message.EmailMessage)}."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.reject_rcpt = set()
        self.port = free_port()
        self.controller = Controller(_MailHandler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def to(self, rcpt):
        with self.lock:
            return [m for m in self.messages if m["rcpt"].lower() == rcpt.lower()]

    def count(self):
        with self.lock:
            return len(self.messages)

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def wait_for(self, rcpt, n=1, deadline=30.0, predicate=None):
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            got = [m for m in self.to(rcpt) if predicate is None or predicate(m)]
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{rcpt} got {len(self.to(rcpt))} messages, wanted {n} within {deadline}s")


def body_text(msg, subtype="plain"):
    part = msg.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""


class HttpReceiver:
    """An HTTP server that records requests and answers with `behave(request)` ->
    (status, headers dict, body bytes or str). request is a dict with method, path, headers
    (lower-case names), body (bytes) and json (parsed or None)."""

    def __init__(self, behave=None):
        self.lock = threading.Lock()
        self.requests = []
        self.behave = behave or (lambda req: (200, {}, b"ok"))
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    parsed = json.loads(body) if body else None
                except ValueError:
                    parsed = None
                req = {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                    "json": parsed,
                    "at": time.monotonic(),
                }
                status, headers, out = receiver.behave(req)
                req["status"] = status
                with receiver.lock:
                    receiver.requests.append(req)
                out = out.encode() if isinstance(out, str) else out
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = _serve
            do_GET = _serve
            do_PUT = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def all(self):
        with self.lock:
            return list(self.requests)

    def wait_for(self, n=1, deadline=30.0, predicate=None):
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            got = [r for r in self.all() if predicate is None or predicate(r)]
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError(f"got {len(self.all())} requests, wanted {n} matching within {deadline}s")
