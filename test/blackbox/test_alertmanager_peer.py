"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager) sends to tocsin through its three
receivers that can point at us: webhook (Bearer key), pagerduty (routing_key + url) and opsgenie
(api_key + api_url). Alerts posted to Alertmanager's /api/v2/alerts arrive, group and resolve."""

import datetime as dt
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import STOP_TIMEOUT, iso, utcnow
from intake_support import alerts, create_key, create_service, wait_for

AM_CANDIDATES = ("prometheus-alertmanager", "alertmanager")
AM_START_TIMEOUT = 30.0
DELIVERY_DEADLINE = 45.0  # group_wait/group_interval of 1 s plus retries on a loaded machine


def am_binary():
    for name in AM_CANDIDATES:
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
        if path:
            return path
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """\
global:
  resolve_timeout: 1m
route:
  receiver: webhook
  group_by: ['alertname', 'path']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['path="webhook"']
      receiver: webhook
    - matchers: ['path="pagerduty"']
      receiver: pagerduty
    - matchers: ['path="opsgenie"']
      receiver: opsgenie
receivers:
  - name: webhook
    webhook_configs:
      - url: '{base}/integrations/alertmanager'
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: '{webhook_key}'
  - name: pagerduty
    pagerduty_configs:
      - routing_key: '{pd_key}'
        url: '{base}/v2/enqueue'
        send_resolved: true
  - name: opsgenie
    opsgenie_configs:
      - api_key: '{og_key}'
        api_url: '{base}/'
        send_resolved: true
        message: '{{{{ .CommonLabels.alertname }}}}'
"""


class Alertmanager:
    def __init__(self, binary, workdir, config_text):
        self.binary = binary
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "alertmanager.yml").write_text(config_text)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.dir / "alertmanager.log"
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary,
             f"--config.file={self.dir / 'alertmanager.yml'}",
             f"--storage.path={self.dir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             "--cluster.listen-address=",
             "--log.level=debug"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        end = time.monotonic() + AM_START_TIMEOUT
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"alertmanager exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                if requests.get(self.url + "/-/ready", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"alertmanager not ready in {AM_START_TIMEOUT}s: {self.log_tail()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)

    def log_tail(self, n=3000):
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def post_alerts(self, alerts_):
        r = requests.post(self.url + "/api/v2/alerts", json=alerts_, timeout=10)
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def peer(tocsin_bin, tmp_path_factory):
    binary = am_binary()
    if not binary:
        pytest.skip("prometheus-alertmanager is not installed (scripts/install-deps.sh installs it)")
    from conftest import Tocsin

    d = tmp_path_factory.mktemp("am-peer")
    srv = Tocsin(tocsin_bin, d / "tocsin").start()
    services, keys = {}, {}
    for path, dialect in (("webhook", "alertmanager"), ("pagerduty", "pagerduty"), ("opsgenie", "opsgenie")):
        services[path] = create_service(srv, f"via {path}")
        keys[path] = create_key(srv, services[path]["id"], dialect)
    am = Alertmanager(binary, d / "am", CONFIG.format(base=srv.base_url, webhook_key=keys["webhook"],
                                                      pd_key=keys["pagerduty"], og_key=keys["opsgenie"]))
    am.start()
    yield srv, am, services
    am.stop()
    srv.terminate()


def fire(am, path, alertname, instances, ends=None):
    body = []
    for inst in instances:
        a = {"labels": {"alertname": alertname, "instance": inst, "severity": "critical", "path": path},
             "annotations": {"summary": f"{alertname} on {inst}"},
             "startsAt": iso(utcnow() - dt.timedelta(seconds=30))}
        if ends is not None:
            a["endsAt"] = iso(ends)
        body.append(a)
    am.post_alerts(body)


def resolve(am, path, alertname, instances):
    fire(am, path, alertname, instances, ends=utcnow() - dt.timedelta(seconds=1))


def service_alerts(srv, service_id):
    return alerts(srv, service_id)


def test_webhook_receiver_alerts_arrive_group_and_resolve(peer):
    srv, am, services = peer
    sid = services["webhook"]["id"]
    fire(am, "webhook", "HighErrorRate", ["api-1", "api-2", "api-3"])

    got = wait_for(lambda: (lambda a: a if len(a) == 3 else None)(service_alerts(srv, sid)),
                   f"three alerts via the webhook receiver; alertmanager log: {am.log_tail(800)}",
                   deadline=DELIVERY_DEADLINE)
    assert {a["state"] for a in got} == {"triggered"}
    assert len({a["incident_id"] for a in got}) == 1, "one Alertmanager group is one tocsin incident"
    assert sorted(a["summary"] for a in got) == [f"HighErrorRate on api-{i}" for i in (1, 2, 3)]

    # One alert of the group resolves on its own; the others stay open.
    resolve(am, "webhook", "HighErrorRate", ["api-2"])
    wait_for(lambda: {a["summary"]: a["state"] for a in service_alerts(srv, sid)} == {
        "HighErrorRate on api-1": "triggered", "HighErrorRate on api-2": "resolved",
        "HighErrorRate on api-3": "triggered"}, "api-2 resolved alone", deadline=DELIVERY_DEADLINE)
    resolve(am, "webhook", "HighErrorRate", ["api-1", "api-3"])
    wait_for(lambda: {a["state"] for a in service_alerts(srv, sid)} == {"resolved"}, "all resolved",
             deadline=DELIVERY_DEADLINE)
    assert len(service_alerts(srv, sid)) == 3, "repeated notifications must not add alerts"


def test_pagerduty_receiver_alerts_arrive_group_and_resolve(peer):
    srv, am, services = peer
    sid = services["pagerduty"]["id"]
    fire(am, "pagerduty", "DiskFull", ["db-1", "db-2"])
    # Alertmanager's PagerDuty notifier sends one event per group, keyed sha256(groupKey).
    got = wait_for(lambda: service_alerts(srv, sid), "an alert via the pagerduty receiver; alertmanager log: "
                   + am.log_tail(800), deadline=DELIVERY_DEADLINE)
    assert len(got) == 1, got
    assert got[0]["state"] == "triggered"
    assert len(got[0]["dedup_key"]) == 64
    resolve(am, "pagerduty", "DiskFull", ["db-1", "db-2"])
    wait_for(lambda: [a["state"] for a in service_alerts(srv, sid)] == ["resolved"], "the group resolved",
             deadline=DELIVERY_DEADLINE)


def test_opsgenie_receiver_alerts_arrive_group_and_resolve(peer):
    srv, am, services = peer
    probe = srv.request("POST", "/v2/alerts", json={"message": "probe"}, headers={"Authorization": "GenieKey x"})
    if probe.status_code in (404, 405):
        pytest.xfail("the Opsgenie dialect (POST /v2/alerts, helper 'opsgenie') is not in this build")
    sid = services["opsgenie"]["id"]
    fire(am, "opsgenie", "QueueBacklog", ["mq-1", "mq-2"])
    got = wait_for(lambda: service_alerts(srv, sid), "an alert via the opsgenie receiver; alertmanager log: "
                   + am.log_tail(800), deadline=DELIVERY_DEADLINE)
    assert len(got) == 1, got  # one Opsgenie alert per group, alias sha256(groupKey)
    assert got[0]["state"] == "triggered"
    resolve(am, "opsgenie", "QueueBacklog", ["mq-1", "mq-2"])
    wait_for(lambda: [a["state"] for a in service_alerts(srv, sid)] == ["resolved"], "the group closed",
             deadline=DELIVERY_DEADLINE)
