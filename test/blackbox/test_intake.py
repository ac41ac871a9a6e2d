"""Contract tests of the intake dialects: PagerDuty Events v2, Alertmanager webhook v4, Grafana
webhook and the generic JSON webhook, from their documented examples and edge cases."""

import base64
import concurrent.futures
import hashlib
import hmac
import json
import time
import uuid

import pytest

from intake_support import (alerts, create_key, create_service, incidents, one_alert, service_with_key,
                            wait_for)


def pd_trigger(routing_key, dedup_key="payments/api/5xx", **payload):
    p = {
        "summary": "5xx rate 7% on payments-api",
        "source": "payments-api.prod.example.com",
        "severity": "critical",
        "timestamp": "2026-01-10T08:42:58.315+0000",
        "component": "nginx",
        "group": "payments",
        "class": "http-errors",
        "custom_details": {"rate": 0.07, "window": "5m"},
    }
    p.update(payload)
    body = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "payload": p,
        "images": [{"src": "https://grafana.example.com/render/x.png", "href": "https://grafana.example.com/d/x",
                    "alt": "graph"}],
        "links": [{"href": "https://runbooks.example.com/payments-5xx", "text": "Runbook"}],
        "client": "Prometheus Alertmanager",
        "client_url": "https://alertmanager.example.com",
    }
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    return body


def pd(srv, body, path="/v2/enqueue", **kwargs):
    if isinstance(body, (dict, list)):
        return srv.request("POST", path, json=body, **kwargs)
    return srv.request("POST", path, data=body, headers={"Content-Type": "application/json"}, **kwargs)


def assert_pd_invalid(r, *needles):
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["status"] == "invalid event", body
    assert body["message"] == "Event object is invalid"
    text = " ".join(body["errors"])
    for n in needles:
        assert n in text, f"{n!r} not in {body['errors']}"


@pytest.fixture(scope="module")
def srv(shared_server):
    return shared_server


@pytest.fixture
def pd_service(srv):
    return service_with_key(srv, "pagerduty", name=f"pd-{uuid.uuid4().hex[:6]}")


# ---- PagerDuty Events API v2 -------------------------------------------------------------------


def test_pd_trigger_acknowledge_resolve_documented_example(srv, pd_service):
    svc, key = pd_service
    assert len(key) == 32, "PagerDuty clients check for a 32-character routing key"
    r = pd(srv, pd_trigger(key))
    assert r.status_code == 202, r.text
    assert r.json() == {"status": "success", "message": "Event processed", "dedup_key": "payments/api/5xx"}
    a = one_alert(srv, svc["id"], "payments/api/5xx")
    assert a["state"] == "triggered"
    assert a["summary"] == "5xx rate 7% on payments-api"
    assert a["severity"] == "critical"
    assert a["source"] == "payments-api.prod.example.com"
    assert a["details"] == {"rate": 0.07, "window": "5m"}
    assert a["links"] == [{"href": "https://runbooks.example.com/payments-5xx", "text": "Runbook"}]
    assert a["images"][0]["src"] == "https://grafana.example.com/render/x.png"
    assert {k: a["labels"].get(k) for k in ("component", "group", "class")} == \
        {"component": "nginx", "group": "payments", "class": "http-errors"}
    assert a["dialect"] == "pagerduty"

    r = pd(srv, {"routing_key": key, "dedup_key": "payments/api/5xx", "event_action": "acknowledge"})
    assert r.status_code == 202, r.text
    assert r.json()["dedup_key"] == "payments/api/5xx"
    assert one_alert(srv, svc["id"], "payments/api/5xx")["state"] == "acknowledged"

    r = pd(srv, {"routing_key": key, "dedup_key": "payments/api/5xx", "event_action": "resolve"})
    assert r.status_code == 202, r.text
    assert one_alert(srv, svc["id"], "payments/api/5xx")["state"] == "resolved"


@pytest.mark.parametrize("ts", ["2026-01-10T08:42:58.315Z", "2026-01-10T08:42:58.315+00:00",
                                "2026-01-10T08:42:58.315+0000", "2026-01-10T09:42:58+01:00"])
def test_pd_timestamps_with_z_colon_and_no_colon(srv, pd_service, ts):
    svc, key = pd_service
    r = pd(srv, pd_trigger(key, dedup_key=f"ts-{ts}", timestamp=ts))
    assert r.status_code == 202, r.text


def test_pd_trigger_without_dedup_key_gets_one_back(srv, pd_service):
    svc, key = pd_service
    r1 = pd(srv, pd_trigger(key, dedup_key=None))
    r2 = pd(srv, pd_trigger(key, dedup_key=None))
    assert r1.status_code == 202 and r2.status_code == 202, (r1.text, r2.text)
    k1, k2 = r1.json()["dedup_key"], r2.json()["dedup_key"]
    assert k1 and k2 and k1 != k2
    one_alert(srv, svc["id"], k1)
    # The returned key then acknowledges that alert.
    r = pd(srv, {"routing_key": key, "dedup_key": k1, "event_action": "acknowledge"})
    assert r.status_code == 202
    assert one_alert(srv, svc["id"], k1)["state"] == "acknowledged"


def test_pd_repeats_while_open_count_on_one_alert(srv, pd_service):
    svc, key = pd_service
    for _ in range(3):
        assert pd(srv, pd_trigger(key, dedup_key="disk/db-1")).status_code == 202
    a = one_alert(srv, svc["id"], "disk/db-1")
    assert a["count"] == 3


def test_pd_resolve_then_same_key_opens_a_new_alert(srv, pd_service):
    svc, key = pd_service
    assert pd(srv, pd_trigger(key, dedup_key="flap")).status_code == 202
    assert pd(srv, {"routing_key": key, "dedup_key": "flap", "event_action": "resolve"}).status_code == 202
    assert pd(srv, pd_trigger(key, dedup_key="flap")).status_code == 202
    found = [a for a in alerts(srv, svc["id"], dedup_key="flap") if a["dedup_key"] == "flap"]
    assert sorted(a["state"] for a in found) == ["resolved", "triggered"], found
    assert all(a["count"] == 1 for a in found)


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_pd_action_on_unknown_key_is_accepted_and_dropped(srv, pd_service, action):
    svc, key = pd_service
    r = pd(srv, {"routing_key": key, "dedup_key": "never-triggered", "event_action": action})
    assert r.status_code == 202, r.text
    assert r.json()["dedup_key"] == "never-triggered"
    assert [a for a in alerts(srv, svc["id"], dedup_key="never-triggered")
            if a["dedup_key"] == "never-triggered"] == []


def test_pd_action_from_another_services_key_is_dropped(srv, pd_service):
    svc, key = pd_service
    _, other_key = service_with_key(srv, "pagerduty", name="other")
    assert pd(srv, pd_trigger(key, dedup_key="mine")).status_code == 202
    assert pd(srv, {"routing_key": other_key, "dedup_key": "mine", "event_action": "resolve"}).status_code == 202
    assert one_alert(srv, svc["id"], "mine")["state"] == "triggered"


INVALID = [
    ("missing routing_key", lambda k: {"event_action": "trigger", "payload": {"summary": "s", "source": "h",
                                                                                "severity": "info"}},
     ["'routing_key' is required"]),
    ("missing event_action", lambda k: {"routing_key": k, "payload": {}}, ["'event_action' is required"]),
    ("unknown event_action", lambda k: {**pd_trigger(k), "event_action": "escalate"},
     ["'event_action' must be one of trigger, acknowledge, resolve"]),
    ("missing payload", lambda k: {"routing_key": k, "event_action": "trigger"}, ["'payload' is required"]),
    ("missing payload fields", lambda k: {"routing_key": k, "event_action": "trigger", "payload": {}},
     ["'payload.summary' is required", "'payload.source' is required", "'payload.severity' is required"]),
    ("wrong types", lambda k: {**pd_trigger(k, summary=42, severity=["critical"]), "dedup_key": {"a": 1}},
     ["'payload.summary' must be a string", "'payload.severity' must be a string", "'dedup_key' must be a string"]),
    ("unknown severity", lambda k: pd_trigger(k, severity="high"), ["'payload.severity' must be one of"]),
    ("summary over 1024", lambda k: pd_trigger(k, summary="x" * 1025),
     ["'payload.summary' must be at most 1024 characters"]),
    ("bad timestamp", lambda k: pd_trigger(k, timestamp="10/01/2026 08:42"), ["'payload.timestamp'"]),
    ("timestamp without zone", lambda k: pd_trigger(k, timestamp="2026-01-10T08:42:58"), ["'payload.timestamp'"]),
    ("ack without dedup_key", lambda k: {"routing_key": k, "event_action": "acknowledge"},
     ["'dedup_key' is required for event_action acknowledge"]),
    ("dedup_key over 255", lambda k: pd_trigger(k, dedup_key="k" * 256), ["'dedup_key' must be at most 255"]),
    ("image over http", lambda k: {**pd_trigger(k), "images": [{"src": "http://example.com/x.png"}]},
     ["'images[0].src' must be an https:// URL"]),
]


@pytest.mark.parametrize("name,make,needles", INVALID, ids=[i[0] for i in INVALID])
def test_pd_invalid_events_name_the_field(srv, pd_service, name, make, needles):
    svc, key = pd_service
    assert_pd_invalid(pd(srv, make(key)), *needles)


@pytest.mark.parametrize("body", ["[]", "\"trigger\"", "not json", "{\"routing_key\":", "",
                                  "{\"a\":" + "[" * 200 + "]" * 200 + "}"])
def test_pd_non_object_broken_and_deep_bodies_are_unrecognized(srv, body):
    r = pd(srv, body)
    assert r.status_code == 400, r.text
    assert r.json()["status"] == "Unrecognized object"
    assert r.json()["errors"]


def test_pd_unknown_or_wrong_dialect_routing_key_is_refused(srv):
    r = pd(srv, pd_trigger("0" * 32))
    assert_pd_invalid(r, "'routing_key' is not an active")
    _, am_key = service_with_key(srv, "alertmanager", name="am-only")
    assert_pd_invalid(pd(srv, pd_trigger(am_key)), "'routing_key' is not an active")


def test_pd_oversize_event_is_refused(srv, pd_service):
    svc, key = pd_service
    r = pd(srv, pd_trigger(key, custom_details={"blob": "x" * (512 * 1024)}))
    assert r.status_code == 413, r.text
    assert r.json()["status"] == "invalid event"
    # Just under the limit is fine.
    r = pd(srv, pd_trigger(key, dedup_key="big", custom_details={"blob": "x" * (500 * 1024)}))
    assert r.status_code == 202, r.text


def test_pd_per_key_rate_limit_answers_429_with_retry_after(srv, pd_service):
    svc, key = pd_service
    body = {"routing_key": key, "dedup_key": "rl-unknown", "event_action": "acknowledge"}  # cheap: dropped

    def send(_):
        return pd(srv, body)

    statuses, retry_after = [], None
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for r in pool.map(send, range(400)):
            statuses.append(r.status_code)
            if r.status_code == 429 and retry_after is None:
                retry_after = r.headers.get("Retry-After")
    assert 429 in statuses, f"no 429 in {len(statuses)} quick requests: {set(statuses)}"
    assert set(statuses) <= {202, 429}
    assert statuses.count(202) >= 10, "the burst should pass before the limit"
    assert retry_after and int(retry_after) >= 1
    # Another key of the same server is not limited by this one.
    _, other = service_with_key(srv, "pagerduty", name="unthrottled")
    assert pd(srv, {**body, "routing_key": other}).status_code == 202


def test_pd_change_event(srv, pd_service):
    svc, key = pd_service
    r = pd(srv, {"routing_key": key, "payload": {"summary": "Deployed payments v1.2.3", "source": "ci",
                                                 "timestamp": "2026-01-10T08:00:00Z",
                                                 "custom_details": {"build": 42}},
                 "links": [{"href": "https://ci.example.com/42", "text": "Build"}]}, path="/v2/change/enqueue")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "success"
    # A change event never opens an alert; it is context on the service.
    assert alerts(srv, svc["id"]) == []
    changes = srv.ok("GET", f"/api/v1/services/{svc['id']}/change-events")["data"]
    assert [(c["summary"], c["source"], c["occurred_at"]) for c in changes] == \
        [("Deployed payments v1.2.3", "ci", "2026-01-10T08:00:00.000Z")]
    assert changes[0]["details"] == {"build": 42}
    assert changes[0]["links"] == [{"href": "https://ci.example.com/42", "text": "Build"}]
    r = pd(srv, {"routing_key": key, "payload": {}}, path="/v2/change/enqueue")
    assert_pd_invalid(r, "'payload.summary' is required")


def test_pd_also_answers_under_integrations_prefix(srv, pd_service):
    svc, key = pd_service
    r = pd(srv, pd_trigger(key, dedup_key="prefixed"), path="/integrations/pagerduty/v2/enqueue")
    assert r.status_code == 202, r.text
    one_alert(srv, svc["id"], "prefixed")


# ---- Alertmanager webhook v4 -------------------------------------------------------------------


def am_notification(status="firing", alerts_=None, group_key='{}/{team="payments"}:{alertname="HighErrorRate"}'):
    if alerts_ is None:
        alerts_ = [am_alert("api-1", "c6eadffa33fcdf37"), am_alert("api-2", "0d1e2f3a4b5c6d7e")]
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "oncall-product",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {"alertname": "HighErrorRate", "severity": "critical", "team": "payments"},
        "commonAnnotations": {"summary": "5xx rate above 5%"},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": alerts_,
    }


def am_alert(instance, fingerprint, status="firing"):
    return {
        "status": status,
        "labels": {"alertname": "HighErrorRate", "instance": instance, "severity": "critical", "team": "payments"},
        "annotations": {"summary": f"5xx rate above 5% on {instance}", "runbook_url": "https://runbooks.example.com/5xx"},
        "startsAt": "2026-01-10T08:40:00.123456789Z",
        "endsAt": "2026-01-10T08:50:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=x",
        "fingerprint": fingerprint,
    }


def am(srv, key, body, path="/integrations/alertmanager", auth="bearer"):
    headers = {}
    params = {}
    if auth == "bearer":
        headers["Authorization"] = f"Bearer {key}"
    elif auth == "basic":
        headers["Authorization"] = "Basic " + base64.b64encode(f"alertmanager:{key}".encode()).decode()
    elif auth == "query":
        params["key"] = key
    if isinstance(body, (dict, list)):
        return srv.request("POST", path, json=body, headers=headers, params=params)
    headers["Content-Type"] = "application/json"
    return srv.request("POST", path, data=body, headers=headers, params=params)


@pytest.fixture
def am_service(srv):
    return service_with_key(srv, "alertmanager", name=f"am-{uuid.uuid4().hex[:6]}")


def test_am_group_becomes_one_incident_and_alerts_resolve_on_their_own(srv, am_service):
    svc, key = am_service
    r = am(srv, key, am_notification())
    assert r.status_code == 200, r.text
    a1 = one_alert(srv, svc["id"], "c6eadffa33fcdf37")
    a2 = one_alert(srv, svc["id"], "0d1e2f3a4b5c6d7e")
    assert a1["state"] == a2["state"] == "triggered"
    assert a1["incident_id"] and a1["incident_id"] == a2["incident_id"]
    assert a1["summary"] == "5xx rate above 5% on api-1"

    # The group later: api-2 resolved, api-1 still firing.
    r = am(srv, key, am_notification(alerts_=[am_alert("api-1", "c6eadffa33fcdf37"),
                                              am_alert("api-2", "0d1e2f3a4b5c6d7e", status="resolved")]))
    assert r.status_code == 200, r.text
    assert one_alert(srv, svc["id"], "0d1e2f3a4b5c6d7e")["state"] == "resolved"
    assert one_alert(srv, svc["id"], "c6eadffa33fcdf37")["state"] == "triggered"
    # Alertmanager re-sends the same notification (HA peers, retries): nothing changes.
    latest = am_notification(alerts_=[am_alert("api-1", "c6eadffa33fcdf37"),
                                      am_alert("api-2", "0d1e2f3a4b5c6d7e", status="resolved")])
    assert am(srv, key, latest).status_code == 200
    found = sorted((a["dedup_key"], a["state"]) for a in alerts(srv, svc["id"]))
    assert found == [("0d1e2f3a4b5c6d7e", "resolved"), ("c6eadffa33fcdf37", "triggered")], found
    assert len({a["incident_id"] for a in alerts(srv, svc["id"])}) == 1


def test_am_another_group_is_another_incident(srv, am_service):
    svc, key = am_service
    assert am(srv, key, am_notification()).status_code == 200
    other = am_notification(group_key='{}/{team="payments"}:{alertname="DiskFull"}',
                            alerts_=[am_alert("db-1", "aaaabbbbccccdddd")])
    assert am(srv, key, other).status_code == 200
    i1 = one_alert(srv, svc["id"], "c6eadffa33fcdf37")["incident_id"]
    i2 = one_alert(srv, svc["id"], "aaaabbbbccccdddd")["incident_id"]
    assert i1 != i2


@pytest.mark.parametrize("auth", ["query", "basic"])
def test_am_key_as_query_or_basic_password(srv, am_service, auth):
    svc, key = am_service
    r = am(srv, key, am_notification(alerts_=[am_alert("api-9", f"fp{auth}")]), auth=auth)
    assert r.status_code == 200, r.text
    one_alert(srv, svc["id"], f"fp{auth}")


def test_am_bad_auth_is_401(srv, am_service):
    svc, key = am_service
    assert am(srv, key, am_notification(), auth=None).status_code == 401
    r = am(srv, "wrong" + key, am_notification())
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers
    _, pd_key = service_with_key(srv, "pagerduty", name="pd-not-am")
    assert am(srv, pd_key, am_notification()).status_code == 401
    assert alerts(srv, svc["id"]) == []


@pytest.mark.parametrize("mutate,field", [
    (lambda b: b.pop("groupKey"), "groupKey"),
    (lambda b: b.update(version="3"), "version"),
    (lambda b: b.update(alerts={}), "alerts"),
    (lambda b: b["alerts"][0].update(status="pending"), "alerts[0].status"),
    (lambda b: b["alerts"][1]["labels"].update(instance=5), "alerts[1].labels.instance"),
    (lambda b: b["alerts"][0].update(startsAt="yesterday"), "alerts[0].startsAt"),
])
def test_am_malformed_is_400_naming_the_field(srv, am_service, mutate, field):
    svc, key = am_service
    body = am_notification()
    mutate(body)
    r = am(srv, key, body)
    assert r.status_code == 400, r.text
    assert field in r.text
    assert alerts(srv, svc["id"]) == []


@pytest.mark.parametrize("body", ["[]", "nope", "{\"a\":" + "[" * 100 + "]" * 100 + "}"])
def test_am_non_object_and_deep_bodies_are_400(srv, am_service, body):
    svc, key = am_service
    assert am(srv, key, body).status_code == 400


def test_am_oversize_is_413(srv, am_service):
    svc, key = am_service
    body = am_notification()
    body["commonAnnotations"]["blob"] = "x" * (1024 * 1024 + 1)
    assert am(srv, key, body).status_code == 413


# ---- Grafana -------------------------------------------------------------------------------------


def grafana_notification(status="firing"):
    return {
        "receiver": "tocsin", "status": status, "orgId": 1,
        "alerts": [{
            "status": status,
            "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1", "severity": "warning"},
            "annotations": {"description": "The system has high memory usage",
                            "summary": "This alert was triggered for zone us-1"},
            "startsAt": "2021-10-12T09:51:03.157076+02:00",
            "endsAt": "2021-10-12T09:56:03.157076+02:00" if status == "resolved" else "0001-01-01T00:00:00Z",
            "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
            "fingerprint": "c6eadffa33fcdf37",
            "silenceURL": "https://play.grafana.org/alerting/silence/new",
            "dashboardURL": "", "panelURL": "",
            "values": {"B": 44.23943737541908, "C": 1},
        }],
        "groupLabels": {}, "commonLabels": {"team": "blue"}, "commonAnnotations": {},
        "externalURL": "https://play.grafana.org/",
        "version": "1",
        "groupKey": "{}:{alertname=\"High memory usage\"}",
        "truncatedAlerts": 0,
        "title": "[FIRING:1] High memory usage",
        "state": "alerting" if status == "firing" else "ok",
        "message": "**Firing**",
    }


def test_grafana_alert_fires_and_resolves(srv):
    svc, key = service_with_key(srv, "grafana", name="grafana")
    r = am(srv, key, grafana_notification(), path="/integrations/grafana")
    assert r.status_code == 200, r.text
    a = one_alert(srv, svc["id"], "c6eadffa33fcdf37")
    assert a["state"] == "triggered"
    assert a["summary"] == "This alert was triggered for zone us-1"
    r = am(srv, key, grafana_notification("resolved"), path="/integrations/grafana")
    assert r.status_code == 200, r.text
    assert one_alert(srv, svc["id"], "c6eadffa33fcdf37")["state"] == "resolved"
    assert am(srv, key, am_notification(), path="/integrations/grafana").status_code == 400  # version 4
    assert am(srv, "x" + key, grafana_notification(), path="/integrations/grafana").status_code == 401


def grafana_signed(srv, key, body_bytes, signature=None, timestamp=None, header="X-Grafana-Alerting-Signature",
                   ts_header="X-Grafana-Alerting-Signature-Timestamp"):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if signature is not None:
        headers[header] = signature
    if timestamp is not None:
        headers[ts_header] = timestamp
    return srv.request("POST", "/integrations/grafana", data=body_bytes, headers=headers)


def hmac_hex(secret, message):
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_grafana_hmac_signature_is_required_when_the_key_has_a_secret(srv):
    svc = create_service(srv, "grafana-signed")
    secret = "grafana-shared-secret-0123456789"
    k = srv.ok("POST", f"/api/v1/services/{svc['id']}/keys", expect=201,
               json={"dialect": "grafana", "name": "signed", "signing_secret": secret})
    assert k["signing_secret"] == secret and k["signed"] is True
    key = k["secret"]
    # Shown once: listing the keys shows only that the key is signed.
    listed = srv.ok("GET", f"/api/v1/services/{svc['id']}/keys")["data"]
    assert secret not in json.dumps(listed) and listed[0]["signed"] is True
    body = json.dumps(grafana_notification()).encode()

    r = grafana_signed(srv, key, body)
    assert r.status_code == 401 and "X-Grafana-Alerting-Signature" in r.json()["detail"], r.text
    r = grafana_signed(srv, key, body, signature=hmac_hex("wrong-secret-wrong-secret", body))
    assert r.status_code == 401 and "does not match" in r.json()["detail"], r.text
    assert alerts(srv, svc["id"]) == []

    r = grafana_signed(srv, key, body, signature=hmac_hex(secret, body))
    assert r.status_code == 200, r.text
    assert one_alert(srv, svc["id"], "c6eadffa33fcdf37")["state"] == "triggered"

    # With a timestamp header the signed string is "<timestamp>:<body>", and it must be recent.
    resolved = json.dumps(grafana_notification("resolved")).encode()
    now = str(int(time.time()))
    r = grafana_signed(srv, key, resolved, signature=hmac_hex(secret, resolved), timestamp=now)
    assert r.status_code == 401, r.text  # signed without the timestamp
    old = str(int(time.time()) - 3600)
    r = grafana_signed(srv, key, resolved, signature=hmac_hex(secret, old.encode() + b":" + resolved), timestamp=old)
    assert r.status_code == 401 and "seconds" in r.json()["detail"], r.text
    r = grafana_signed(srv, key, resolved, signature=hmac_hex(secret, now.encode() + b":" + resolved).upper(),
                       timestamp=now, header="X-Grafana-Alert-Signature", ts_header="X-Grafana-Alerting-Timestamp")
    assert r.status_code == 200, r.text
    assert one_alert(srv, svc["id"], "c6eadffa33fcdf37")["state"] == "resolved"

    # Rotating the key keeps the signing secret.
    rotated = srv.ok("POST", f"/api/v1/services/{svc['id']}/keys/{k['id']}/rotate")
    assert grafana_signed(srv, rotated["secret"], body).status_code == 401
    assert grafana_signed(srv, rotated["secret"], body, signature=hmac_hex(secret, body)).status_code == 200


def test_grafana_signing_secret_is_validated_and_only_for_grafana(srv):
    svc = create_service(srv, "grafana-secret-checks")
    for dialect, value, status in [("grafana", "short", 400), ("grafana", 5, 400), ("pagerduty", True, 400),
                                   ("grafana", "has a space in it ok", 400)]:
        r = srv.api("POST", f"/api/v1/services/{svc['id']}/keys", json={"dialect": dialect, "signing_secret": value})
        assert r.status_code == status, (dialect, value, r.text)
        assert r.json().get("field") == "signing_secret", r.text
    k = srv.ok("POST", f"/api/v1/services/{svc['id']}/keys", expect=201,
               json={"dialect": "grafana", "signing_secret": True})
    assert len(k["signing_secret"]) == 64
    body = json.dumps(grafana_notification()).encode()
    assert grafana_signed(srv, k["secret"], body, signature=hmac_hex(k["signing_secret"], body)).status_code == 200
    # A key without a secret behaves as before: no signature needed.
    plain = create_key(srv, svc["id"], "grafana")
    assert grafana_signed(srv, plain, body).status_code == 200


# ---- generic JSON webhook ------------------------------------------------------------------------

MAPPING = {"summary": "/check/name", "dedup_key": "/check/id", "action": "/check/state",
           "severity": "/check/level", "source": "/host", "details": "/check/data",
           "trigger_values": ["CRITICAL", "WARNING"], "resolve_values": ["OK"]}


def test_generic_webhook_with_mapping(srv):
    svc, key = service_with_key(srv, "generic", mapping=MAPPING, name="generic")
    body = {"host": "web-1", "check": {"name": "HTTP on web-1", "id": 17, "state": "CRITICAL", "level": "critical",
                                       "data": {"latency_ms": 900}}}
    r = srv.request("POST", f"/integrations/generic/{key}", json=body)
    assert r.status_code == 202, r.text
    a = one_alert(srv, svc["id"], "17")
    assert a["summary"] == "HTTP on web-1" and a["state"] == "triggered" and a["severity"] == "critical"
    r = srv.request("POST", f"/integrations/generic/{key}", json=body)
    assert r.status_code == 202
    assert one_alert(srv, svc["id"], "17")["count"] == 2
    r = srv.request("POST", "/integrations/generic", json={"check": {"id": 17, "state": "OK"}},
                    headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 202, r.text
    assert one_alert(srv, svc["id"], "17")["state"] == "resolved"

    r = srv.request("POST", f"/integrations/generic/{key}", json={"check": {"name": "x", "state": "UNKNOWN"}})
    assert r.status_code == 400 and "UNKNOWN" in r.text, r.text
    r = srv.request("POST", f"/integrations/generic/{key}", json={"check": {"state": "CRITICAL"}})
    assert r.status_code == 400 and "/check/name" in r.text, r.text
    r = srv.request("POST", f"/integrations/generic/{key}", data="[1]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "events[0]" in r.text, r.text
    assert srv.request("POST", f"/integrations/generic/nope{key}", json=body).status_code == 401


def test_generic_array_is_several_events_in_order_with_outcomes(srv):
    svc, key = service_with_key(srv, "generic", mapping=MAPPING, name="generic-batch")
    events = [
        {"host": "db-1", "check": {"name": "disk db-1", "id": "b1", "state": "CRITICAL"}},
        {"host": "db-2", "check": {"name": "disk db-2", "id": "b2", "state": "WARNING"}},
        {"check": {"id": "b1", "state": "OK"}},  # resolves the first, sent in the same request
        {"check": {"id": "never-seen", "state": "OK"}},  # dropped: nothing to resolve
        {"host": "db-2", "check": {"name": "disk db-2", "id": "b2", "state": "CRITICAL"}},  # repeat
    ]
    r = srv.request("POST", f"/integrations/generic/{key}", json=events)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["events"] == 5 and body["applied"] == 4, body
    outcomes = body["outcomes"]
    assert [o["dedup_key"] for o in outcomes] == ["b1", "b2", "b1", "never-seen", "b2"], outcomes
    assert [o["applied"] for o in outcomes] == [True, True, True, False, True], outcomes
    assert outcomes[0]["alert_id"] == outcomes[2]["alert_id"]
    assert all(o["status"] for o in outcomes)
    assert one_alert(srv, svc["id"], "b1")["state"] == "resolved"
    assert one_alert(srv, svc["id"], "b2")["count"] == 2
    # One bad element refuses the whole request, naming it; nothing of it is applied.
    bad = [{"check": {"name": "fine", "id": "b3", "state": "CRITICAL"}}, {"check": {"state": "CRITICAL"}}]
    r = srv.request("POST", f"/integrations/generic/{key}", json=bad)
    assert r.status_code == 400 and "events[1]" in r.text, r.text
    assert alerts(srv, svc["id"], dedup_key="b3") == []


def test_generic_mapping_events_pointer_and_the_count_limit(srv):
    mapping = dict(MAPPING, events="/results")
    svc, key = service_with_key(srv, "generic", mapping=mapping, name="generic-pointer")
    body = {"sender": "checker", "results": [
        {"host": "a", "check": {"name": "A down", "id": "p1", "state": "CRITICAL"}},
        {"host": "b", "check": {"name": "B down", "id": "p2", "state": "CRITICAL"}},
    ]}
    r = srv.request("POST", f"/integrations/generic/{key}", json=body)
    assert r.status_code == 202, r.text
    assert r.json()["events"] == 2
    assert one_alert(srv, svc["id"], "p2")["summary"] == "B down"
    too_many = [{"check": {"name": "n", "id": f"m{i}", "state": "CRITICAL"}} for i in range(1001)]
    r = srv.request("POST", f"/integrations/generic/{key}", json=too_many)
    assert r.status_code == 413, r.text
    assert "1000" in r.json()["detail"] and r.json().get("field") == "events", r.text
    assert alerts(srv, svc["id"], dedup_key="m0") == []


def test_generic_key_with_invalid_mapping_is_refused_at_creation(srv):
    svc = create_service(srv, "generic-bad")
    r = srv.api("POST", f"/api/v1/services/{svc['id']}/keys",
                json={"dialect": "generic", "name": "bad", "mapping": {"summary": "no-slash"}})
    assert r.status_code == 400, r.text
    assert "mapping.summary" in r.text
