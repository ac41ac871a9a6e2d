"""Opsgenie compatibility: Alert API v2, request status, Heartbeat API and the importer.

The integration keys come from `tocsin import opsgenie` on the fixture export (run before the
server starts), so these tests need no admin API: they see tocsin as an Opsgenie client does.
"""

import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import POLL_DEADLINE, Tocsin, raw_http, run_cli, write_config

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "opsgenie" / "export.json"
KEY_LINE = re.compile(r"GenieKey for opsgenie: (.+?) \(service (.+?)\): ([0-9a-f]{32})")


def import_fixture(tocsin_bin, data_dir):
    r = run_cli(tocsin_bin, "import", "opsgenie", str(FIXTURE), "--data", str(data_dir))
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def og(tocsin_bin, tmp_path_factory):
    """A server whose database holds the imported fixture; `og.keys` maps integration → secret."""
    d = tmp_path_factory.mktemp("opsgenie") / "data"
    out = import_fixture(tocsin_bin, d)
    keys = {m.group(1): m.group(3) for m in KEY_LINE.finditer(out)}
    assert set(keys) == {"Prometheus payments", "Backup scripts", "Deploy hooks", "Load test"}, out
    # A larger burst than the default 60 per key: the action tests send many requests on one
    # key; the rate-limit test still meets its 429 within its 1,000 requests.
    config = write_config(d.parent / "opsgenie.yaml", alerts={"rate_per_minute": 600, "rate_burst": 400})
    srv = Tocsin(tocsin_bin, d, config=config).start()
    srv.keys = keys
    srv.import_output = out
    yield srv
    srv.terminate()


def call(srv, method, path, key="Prometheus payments", **kwargs):
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Authorization"] = "GenieKey " + srv.keys[key]
    return srv.request(method, path, headers=headers, **kwargs)


def accepted(r):
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["result"] == "Request will be processed"
    assert isinstance(body["took"], float)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", body["requestId"])
    return body["requestId"]


def status(srv, request_id, key="Prometheus payments"):
    r = call(srv, "GET", f"/v2/alerts/requests/{request_id}", key=key)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def create(srv, **fields):
    body = {"message": "5xx rate 7% on payments-api", **fields}
    rid = accepted(call(srv, "POST", "/v2/alerts", json=body))
    data = status(srv, rid)
    assert data["success"] is True and data["isSuccess"] is True, data
    return data


def get_alert(srv, identifier, identifier_type="id", key="Prometheus payments"):
    r = call(srv, "GET", f"/v2/alerts/{quote(str(identifier), safe='')}", key=key, params={"identifierType": identifier_type})
    assert r.status_code == 200, r.text
    return r.json()["data"]


# ---- create, dedup, request status ----------------------------------------------------------


def test_create_answers_202_and_the_request_status_names_the_alert(og):
    data = create(
        og,
        alias="payments/api/5xx-a",
        description="error budget burning",
        responders=[{"type": "team", "name": "payments"}, {"type": "user", "username": "ann@example.com"}],
        visibleTo=[{"type": "team", "name": "sre"}],
        tags=["prod", "payments"],
        details={"rate": "0.07"},
        entity="payments-api",
        source="alertmanager",
        priority="P1",
        user="Monitoring",
        note="auto-created",
    )
    assert data["action"] == "Create"
    assert data["status"] == "Created alert"
    assert data["alias"] == "payments/api/5xx-a"
    assert data["alertId"]
    assert data["processedAt"].endswith("Z")
    assert data["integrationId"]
    alert = get_alert(og, data["alertId"])
    assert alert["message"] == "5xx rate 7% on payments-api"
    assert alert["priority"] == "P1"
    assert alert["status"] == "open"
    assert alert["details"] == {"rate": "0.07"}
    assert set(alert["tags"]) == {"prod", "payments"}


def test_same_alias_while_open_increments_the_count(og):
    first = create(og, alias="dedup-1")
    second = create(og, alias="dedup-1")
    assert second["alertId"] == first["alertId"]
    assert get_alert(og, "dedup-1", "alias")["count"] == 2


def test_ack_note_snooze_close_by_alias(og):
    alias = "payments/api/5xx-b"
    create(og, alias=alias)
    quoted = "payments%2Fapi%2F5xx-b"
    for action, body, expected in [
        ("acknowledge", {"user": "ann", "note": "looking"}, "Acknowledge"),
        ("notes", {"note": "rolled back"}, "AddNote"),
        ("snooze", {"endTime": "2099-01-01T00:00:00Z"}, "Snooze"),
    ]:
        rid = accepted(call(og, "POST", f"/v2/alerts/{quoted}/{action}?identifierType=alias", json=body))
        data = status(og, rid)
        assert data["isSuccess"] is True, (action, data)
        assert data["action"] == expected
    alert = get_alert(og, alias, "alias")
    assert alert["acknowledged"] is True
    assert alert["snoozed"] is True
    rid = accepted(call(og, "POST", f"/v2/alerts/{quoted}/close?identifierType=alias", json={"source": "alertmanager"}))
    assert status(og, rid)["isSuccess"] is True
    assert get_alert(og, alias, "alias")["status"] == "closed"


def test_actions_by_id_and_by_tiny_id(og):
    data = create(og, alias="by-id")
    alert_id = data["alertId"]
    rid = accepted(call(og, "POST", f"/v2/alerts/{alert_id}/acknowledge", json={}))
    assert status(og, rid)["isSuccess"] is True
    tiny = get_alert(og, alert_id)["tinyId"]
    rid = accepted(call(og, "PUT", f"/v2/alerts/{tiny}/priority?identifierType=tiny", json={"priority": "P2"}))
    assert status(og, rid)["isSuccess"] is True
    rid = accepted(call(og, "POST", f"/v2/alerts/{tiny}/close?identifierType=tiny"))
    assert status(og, rid)["isSuccess"] is True
    alert = get_alert(og, tiny, "tiny")
    assert alert["status"] == "closed"
    assert alert["priority"] == "P2"


IDENTIFIER_TYPES = ["id", "alias", "tiny"]


def identifier_of(srv, alias, identifier_type):
    """The identifier of the open alert `alias` as a client would send it for `identifier_type`."""
    alert = get_alert(srv, alias, "alias")
    return {"id": alert["id"], "alias": quote(alias, safe=""), "tiny": alert["tinyId"]}[identifier_type]


@pytest.mark.parametrize("identifier_type", IDENTIFIER_TYPES)
def test_every_listed_action_by_every_identifier_type(og, identifier_type):
    alias = f"all-actions/{identifier_type}"
    create(og, alias=alias, priority="P4")
    ident = identifier_of(og, alias, identifier_type)
    q = f"?identifierType={identifier_type}"
    steps = [
        ("POST", "acknowledge", {"user": "ann", "note": "looking"}, "Acknowledge"),
        ("POST", "unacknowledge", {"user": "ann"}, "UnAcknowledge"),
        ("POST", "notes", {"note": "a note", "user": "ann"}, "AddNote"),
        ("POST", "snooze", {"endTime": "2099-01-01T00:00:00Z"}, "Snooze"),
        ("POST", "escalate", {"escalation": {"name": "payments-escalation"}}, "EscalateToNext"),
        ("POST", "assign", {"owner": {"username": "ann@example.com"}}, "AssignOwnership"),
        ("POST", "tags", {"tags": ["extra"]}, "AddTags"),
        ("PUT", "priority", {"priority": "P2"}, "UpdatePriority"),
        ("PUT", "message", {"message": "new message"}, "UpdateMessage"),
        ("PUT", "description", {"description": "new description"}, "UpdateDescription"),
    ]
    for method, action, body, name in steps:
        rid = accepted(call(og, method, f"/v2/alerts/{ident}/{action}{q}", json=body))
        data = status(og, rid)
        assert data["isSuccess"] is True, (action, data)
        assert data["action"] == name, (action, data)
    alert = get_alert(og, alias, "alias")
    assert alert["acknowledged"] is False  # unacknowledged after the acknowledge
    assert alert["snoozed"] is True
    assert alert["priority"] == "P2"
    assert alert["message"] == "new message"
    assert alert["description"] == "new description"
    assert "extra" in alert["tags"]
    rid = accepted(call(og, "POST", f"/v2/alerts/{ident}/close{q}", json={"source": "test"}))
    assert status(og, rid)["isSuccess"] is True
    assert get_alert(og, alias, "alias")["status"] == "closed"


def test_responders_by_id_name_and_username_are_kept(og):
    responders = [
        {"type": "team", "id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c"},
        {"type": "team", "name": "payments"},
        {"type": "user", "username": "ann@example.com"},
        {"type": "user", "id": "bb4d9938-c3c2-455d-aaab-727aa701c0d8"},
        {"type": "escalation", "name": "payments-escalation"},
        {"type": "schedule", "id": "d875e654-9b4e-4219-a803-0c26b6ea4ca5"},
    ]
    data = create(og, alias="responders-kept", responders=responders)
    assert get_alert(og, data["alertId"])["responders"] == responders
    r = call(og, "POST", "/v2/alerts", key=ERRORS, json={"message": "m", "responders": [{"type": "user", "name": "x"}]})
    assert r.status_code == 422 and "responders[0].username" in r.json()["errors"], r.text


@pytest.mark.parametrize("identifier_type", IDENTIFIER_TYPES)
def test_delete_closes_the_alert_and_logs_it(og, identifier_type):
    alias = f"delete-me/{identifier_type}"
    data = create(og, alias=alias)
    ident = identifier_of(og, alias, identifier_type)
    rid = accepted(call(og, "DELETE", f"/v2/alerts/{ident}?identifierType={identifier_type}&user=ann&source=script"))
    st = status(og, rid)
    assert st["isSuccess"] is True and st["action"] == "Delete", st
    assert st["alertId"] == data["alertId"]
    assert get_alert(og, data["alertId"])["status"] == "closed"
    # The log is append-only: the alert stays, closed, and says it was deleted.
    full = og.ok("GET", f"/api/v1/alerts/{data['alertId']}")
    assert full["state"] == "resolved"
    texts = [json_text(e) for e in full["log"]]
    assert any("deleted via Opsgenie API" in t for t in texts), full["log"]
    # Deleting it again is recorded too (it is already closed).
    rid = accepted(call(og, "DELETE", f"/v2/alerts/{data['alertId']}"))
    assert status(og, rid)["isSuccess"] is True
    log = og.ok("GET", f"/api/v1/alerts/{data['alertId']}")["log"]
    assert sum("deleted via Opsgenie API" in json_text(e) for e in log) == 2, log


def test_delete_of_an_unknown_alert_is_accepted_and_its_status_says_so(og):
    rid = accepted(call(og, "DELETE", "/v2/alerts/never-existed?identifierType=alias"))
    data = status(og, rid)
    assert data["isSuccess"] is False and data["action"] == "Delete"
    assert data["status"] == "Alert does not exist"


def json_text(entry):
    return " ".join(str(v) for v in entry.values())


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/v2/alerts/x/notes"),
        ("DELETE", "/v2/alerts/x/tags"),
        ("PATCH", "/v2/alerts/x/close"),
        ("POST", "/v2/alerts/x/actions/restart"),
        ("DELETE", "/v2/alerts/x/details/a"),
        ("GET", "/v2/heartbeats/x/explode"),
        ("DELETE", "/v2/heartbeats/x/ping"),
    ],
)
def test_unknown_paths_answer_opsgenie_404_naming_the_path(og, method, path):
    r = call(og, method, path, key=ERRORS)
    assert r.status_code == 404, r.text
    body = r.json()
    assert path in body["message"] and isinstance(body["took"], float) and body["requestId"], body
    # Without a key the same paths are 401, like every other Opsgenie route.
    assert og.request(method, path).status_code == 401


def test_closed_alias_opens_a_new_alert(og):
    first = create(og, alias="reopen-me")
    accepted(call(og, "POST", "/v2/alerts/reopen-me/close?identifierType=alias"))
    second = create(og, alias="reopen-me")
    assert second["alertId"] != first["alertId"]


def test_ack_of_an_unknown_alias_is_accepted_and_its_status_says_so(og):
    rid = accepted(call(og, "POST", "/v2/alerts/never-seen/acknowledge?identifierType=alias", json={}))
    data = status(og, rid)
    assert data["success"] is False and data["isSuccess"] is False
    assert data["status"] == "Alert does not exist"
    assert data["action"] == "Acknowledge"


def test_unknown_request_id_is_404(og):
    r = call(og, "GET", "/v2/alerts/requests/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404
    assert r.json()["message"] and "requestId" in r.json()


def test_another_keys_request_is_not_visible(og):
    rid = accepted(call(og, "POST", "/v2/alerts", json={"message": "m", "alias": "scoped"}))
    assert call(og, "GET", f"/v2/alerts/requests/{rid}", key="Backup scripts").status_code == 404


def test_get_unknown_alert_is_404(og):
    r = call(og, "GET", "/v2/alerts/nope", params={"identifierType": "alias"})
    assert r.status_code == 404
    assert set(r.json()) >= {"message", "took", "requestId"}


def test_list_alerts_of_the_keys_service(og):
    create(og, alias="listed")
    r = call(og, "GET", "/v2/alerts", params={"limit": 100, "query": "status:open"})
    assert r.status_code == 200, r.text
    aliases = [a["alias"] for a in r.json()["data"]]
    assert "listed" in aliases
    other = call(og, "GET", "/v2/alerts", key="Backup scripts").json()["data"]
    assert "listed" not in [a["alias"] for a in other]


# ---- errors (on a key of their own: every key has its own rate limit) ------------------

ERRORS = "Deploy hooks"


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "message"),
        ({"message": 5}, "message"),
        ({"message": "x" * 131}, "message"),
        ({"message": "m", "alias": "a" * 513}, "alias"),
        ({"message": "m", "priority": "P9"}, "priority"),
        ({"message": "m", "tags": "a,b"}, "tags"),
        ({"message": "m", "details": {"a": 1}}, "details.a"),
        ({"message": "m", "responders": [{"type": "robot", "name": "x"}]}, "responders[0].type"),
        ({"message": "m", "description": "d" * 15001}, "description"),
    ],
)
def test_semantic_errors_are_422_naming_the_field(og, body, field):
    r = call(og, "POST", "/v2/alerts", key=ERRORS, json=body)
    assert r.status_code == 422, r.text
    b = r.json()
    assert field in b["errors"], b
    assert b["message"] and isinstance(b["took"], float) and b["requestId"]


def test_body_that_is_not_json_is_400(og):
    r = call(og, "POST", "/v2/alerts", key=ERRORS, data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"]


def test_unknown_action_is_404_and_unknown_identifier_type_is_422(og):
    r = call(og, "POST", "/v2/alerts/x/explode", key=ERRORS, json={})
    assert r.status_code == 404 and "explode" in r.json()["message"]
    r = call(og, "POST", "/v2/alerts/x/acknowledge?identifierType=name", key=ERRORS, json={})
    assert r.status_code == 422 and "identifierType" in r.json()["errors"]


def test_action_bodies_are_validated(og):
    assert call(og, "POST", "/v2/alerts/x/notes", key=ERRORS, json={}).status_code == 422
    assert call(og, "POST", "/v2/alerts/x/snooze", key=ERRORS, json={"endTime": "2000-01-01T00:00:00Z"}).status_code == 422
    assert call(og, "PUT", "/v2/alerts/x/message", key=ERRORS, json={"message": 1}).status_code == 422


def test_oversize_body_is_refused(og):
    # Only the head is sent: the server refuses from Content-Length alone (1 MB limit).
    head = (
        "POST /v2/alerts HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        f"Authorization: GenieKey {og.keys[ERRORS]}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n"
        "\r\n"
    ).encode()
    answer = raw_http(og.port, head)
    assert answer.split(b"\r\n", 1)[0].startswith(b"HTTP/1.1 413"), answer[:300]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "GenieKey 0123456789abcdef0123456789abcdef"}, {"Authorization": "Bearer x"}],
)
def test_missing_or_bad_geniekey_is_401(og, headers):
    r = og.request("POST", "/v2/alerts", json={"message": "m"}, headers=headers)
    assert r.status_code == 401
    assert set(r.json()) >= {"message", "took", "requestId"}


def test_rate_limit_is_429_with_retry_after(og):
    # The "Load test" key is used by nothing else; its burst is bounded (IntakeAuth's GCRA).
    for _ in range(1000):
        r = call(og, "GET", "/v2/alerts/requests/00000000-0000-4000-8000-000000000000", key="Load test")
        if r.status_code == 429:
            break
        assert r.status_code == 404, r.text
    assert r.status_code == 429, "no 429 after 1,000 requests in a row"
    assert int(r.headers["Retry-After"]) >= 1
    assert set(r.json()) >= {"message", "took", "requestId"}


# ---- heartbeats -----------------------------------------------------------------------------


def test_heartbeat_crud_and_ping_reply(og):
    r = call(og, "POST", "/v2/heartbeats", key="Backup scripts",
             json={"name": "crud-hb", "interval": 5, "intervalUnit": "minutes", "enabled": True,
                   "alertMessage": "cron stopped", "alertTags": ["cron"], "alertPriority": "P1"})
    assert r.status_code == 201, r.text
    assert r.json()["data"] == {"name": "crud-hb", "enabled": True, "expired": False}
    assert call(og, "POST", "/v2/heartbeats", key="Backup scripts",
                json={"name": "crud-hb", "interval": 5, "intervalUnit": "minutes"}).status_code == 409
    for method in ("GET", "POST", "PUT"):
        r = call(og, method, "/v2/heartbeats/crud-hb/ping", key="Backup scripts")
        assert r.status_code == 202, (method, r.text)
        assert r.json()["result"] == "PONG - Heartbeat received"
    assert call(og, "HEAD", "/v2/heartbeats/crud-hb/ping", key="Backup scripts").status_code == 202
    hb = call(og, "GET", "/v2/heartbeats/crud-hb", key="Backup scripts").json()["data"]
    assert hb["interval"] == 5 and hb["intervalUnit"] == "minutes" and hb["lastPingTime"].endswith("Z")
    assert hb["alertMessage"] == "cron stopped" and hb["alertTags"] == ["cron"] and hb["alertPriority"] == "P1"
    r = call(og, "PATCH", "/v2/heartbeats/crud-hb", key="Backup scripts", json={"interval": 2, "intervalUnit": "hours"})
    assert r.status_code == 200, r.text
    assert call(og, "POST", "/v2/heartbeats/crud-hb/disable", key="Backup scripts").json()["data"]["enabled"] is False
    assert call(og, "POST", "/v2/heartbeats/crud-hb/enable", key="Backup scripts").json()["data"]["enabled"] is True
    listed = call(og, "GET", "/v2/heartbeats", key="Backup scripts").json()["data"]["heartbeats"]
    names = [h["name"] for h in listed]
    imported = next(h for h in listed if h["name"] == "nightly-backup")
    assert imported["alertMessage"] == "Nightly backup did not report"
    assert imported["alertTags"] == ["backup"] and imported["alertPriority"] == "P2"
    assert imported["interval"] == 1 and imported["intervalUnit"] == "days" and imported["enabled"] is True
    assert "crud-hb" in names and "nightly-backup" in names
    assert call(og, "DELETE", "/v2/heartbeats/crud-hb", key="Backup scripts").status_code == 200
    assert call(og, "GET", "/v2/heartbeats/crud-hb", key="Backup scripts").status_code == 404
    assert call(og, "GET", "/v2/heartbeats/crud-hb/ping", key="Backup scripts").status_code == 404


def test_heartbeat_validation(og):
    r = call(og, "POST", "/v2/heartbeats", key="Backup scripts", json={"name": "x", "interval": 0, "intervalUnit": "minutes"})
    assert r.status_code == 422 and "interval" in r.json()["errors"]
    r = call(og, "POST", "/v2/heartbeats", key="Backup scripts", json={"name": "x", "interval": 1, "intervalUnit": "weeks"})
    assert r.status_code == 422 and "intervalUnit" in r.json()["errors"]


def test_missed_heartbeat_raises_an_alert_and_the_next_ping_resolves_it(og):
    # Opsgenie's shortest interval is one minute; the expiry engine looks every 2 seconds.
    r = call(og, "POST", "/v2/heartbeats", key="Backup scripts",
             json={"name": "short-hb", "interval": 1, "intervalUnit": "minutes", "enabled": True})
    assert r.status_code == 201, r.text
    alias = "heartbeat:short-hb"
    deadline = time.monotonic() + 60 + POLL_DEADLINE + 30
    alert = None
    while time.monotonic() < deadline:
        r = call(og, "GET", f"/v2/alerts/{alias}", key="Backup scripts", params={"identifierType": "alias"})
        if r.status_code == 200 and r.json()["data"]["status"] == "open":
            alert = r.json()["data"]
            break
        time.sleep(1)
    assert alert is not None, "no expiry alert within the interval plus the poll deadline"
    assert alert["message"] == "short-hb is expired"
    assert call(og, "GET", "/v2/heartbeats/short-hb", key="Backup scripts").json()["data"]["expired"] is True
    r = call(og, "GET", "/v2/heartbeats/short-hb/ping", key="Backup scripts")
    assert r.json()["result"] == "PONG - Heartbeat received"
    assert get_alert(og, alias, "alias", key="Backup scripts")["status"] == "closed"
    assert call(og, "GET", "/v2/heartbeats/short-hb", key="Backup scripts").json()["data"]["expired"] is False


# ---- importer -------------------------------------------------------------------------------


def test_importer_reports_what_it_created_and_what_it_could_not_map(og):
    out = og.import_output
    assert "created: service Payments API" in out
    assert "created: service Backups" in out
    assert "created: heartbeat nightly-backup" in out
    assert "created: user ann@example.com (owner, no password yet)" in out
    assert "created: user carol@example.com (stakeholder, no password yet)" in out
    assert "Ops mailbox" in out and "Email" in out  # not an Alert API integration
    assert "weekly-report" in out  # interval unit weeks
    assert "ops-robot" in out  # username is not an e-mail
    assert "payments_schedule" in out and "payments_escalation" in out
    assert "no password" in out


def test_importer_second_run_creates_nothing(tocsin_bin, tmp_path):
    d = tmp_path / "data"
    first = import_fixture(tocsin_bin, d)
    assert "created:" in first
    second = import_fixture(tocsin_bin, d)
    assert "created:" not in second, second
    assert "GenieKey for" not in second
    assert re.search(r"Opsgenie import: 0 created", second)


def test_importer_fails_only_on_unreadable_input(tocsin_bin, tmp_path):
    r = run_cli(tocsin_bin, "import", "opsgenie", str(tmp_path / "missing.json"), "--data", str(tmp_path / "d"))
    assert r.returncode != 0 and "cannot read" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    r = run_cli(tocsin_bin, "import", "opsgenie", str(bad), "--data", str(tmp_path / "d"))
    assert r.returncode != 0 and "JSON" in r.stderr
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "teams.json").write_text('{"data":[{"id":"t1","name":"alpha"}]}')
    r = run_cli(tocsin_bin, "import", "opsgenie", str(folder), "--data", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    assert "team alpha" in r.stdout
