"""Alert intake's admin side through the API and the CLI: services, integration keys (shown once,
rotated, revoked), alerts and alert incidents (filters, log, acknowledge, resolve, note, merge,
split), silences and the severity map. Alerts arrive as real PagerDuty events (/v2/enqueue)."""

import json
import re

from conftest import run_cli


def enqueue(srv, key, action="trigger", dedup=None, summary="disk full on db1", severity="critical"):
    body = {"routing_key": key, "event_action": action}
    if dedup is not None:
        body["dedup_key"] = dedup
    if action == "trigger":
        body["payload"] = {"summary": summary, "source": "db1", "severity": severity}
    return srv.request("POST", "/v2/enqueue", json=body)


def new_service(srv, name, **fields):
    return srv.ok("POST", "/api/v1/services", json={"name": name, **fields}, expect=201)


def new_key(srv, service_id, dialect="pagerduty"):
    return srv.ok("POST", f"/api/v1/services/{service_id}/keys", json={"dialect": dialect, "name": "k"}, expect=201)


def alerts_of(srv, **params):
    return srv.ok("GET", "/api/v1/alerts", params=params)["data"]


def incidents_of(srv, **params):
    return srv.ok("GET", "/api/v1/alert-incidents", params=params)["data"]


def assert_field(r, status, field):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json().get("field") == field, r.text


def test_services_validate_and_link_components(server):
    comp = server.create_component("Database")
    assert_field(server.api("POST", "/api/v1/services", json={"description": "x"}), 400, "name")
    assert_field(server.api("POST", "/api/v1/services", json={"name": "A", "urgency": "urgent"}), 400, "urgency")
    assert_field(server.api("POST", "/api/v1/services", json={"name": "A", "colour": "red"}), 400, "colour")
    assert_field(
        server.api("POST", "/api/v1/services", json={"name": "A", "component_ids": ["nope"]}), 400, "component_ids[0]"
    )
    svc = new_service(server, "Payments", team="core", group_window_seconds=120, component_ids=[comp["id"]])
    assert svc["component_ids"] == [comp["id"]]
    assert svc["group_window_seconds"] == 120
    assert server.api("POST", "/api/v1/services", json={"name": "payments"}).status_code == 409
    patched = server.ok("PATCH", f"/api/v1/services/{svc['id']}", json={"description": "money"})
    assert patched["description"] == "money" and patched["team"] == "core"
    assert [s["name"] for s in server.ok("GET", "/api/v1/services")["data"]] == ["Payments"]
    # Stakeholders read, only owners manage.
    assert server.api("GET", "/api/v1/services", role="stakeholder").status_code == 200
    assert server.api("POST", "/api/v1/services", role="responder", json={"name": "B"}).status_code == 403
    assert server.api("DELETE", f"/api/v1/services/{svc['id']}").status_code == 204
    assert server.api("GET", f"/api/v1/services/{svc['id']}").status_code == 404


def test_keys_are_shown_once_rotated_and_revoked(server):
    svc = new_service(server, "Payments")
    assert_field(server.api("POST", f"/api/v1/services/{svc['id']}/keys", json={"dialect": "smoke"}), 400, "dialect")
    key = new_key(server, svc["id"])
    secret = key["secret"]
    assert re.fullmatch(r"[0-9a-f]{32}", secret)
    assert key["prefix"] == secret[:6]
    listed = server.ok("GET", f"/api/v1/services/{svc['id']}/keys")["data"]
    assert len(listed) == 1 and "secret" not in listed[0]
    assert secret not in str(listed)
    assert enqueue(server, secret, dedup="a").status_code == 202

    rotated = server.ok("POST", f"/api/v1/services/{svc['id']}/keys/{key['id']}/rotate")
    assert rotated["secret"] != secret and rotated["rotated_at"]
    assert enqueue(server, secret, dedup="b").status_code != 202
    assert enqueue(server, rotated["secret"], dedup="b").status_code == 202

    assert server.api("DELETE", f"/api/v1/services/{svc['id']}/keys/{key['id']}").status_code == 204
    assert enqueue(server, rotated["secret"], dedup="c").status_code != 202
    listed = server.ok("GET", f"/api/v1/services/{svc['id']}/keys")["data"]
    assert listed[0]["revoked_at"] and listed[0]["last_used_at"]
    assert server.api("POST", f"/api/v1/services/{svc['id']}/keys/{key['id']}/rotate").status_code == 409


def test_alerts_dedup_ack_note_resolve_with_log(server):
    svc = new_service(server, "Payments")
    secret = new_key(server, svc["id"])["secret"]
    assert enqueue(server, secret, dedup="db1/disk").status_code == 202
    assert enqueue(server, secret, dedup="db1/disk").status_code == 202
    [alert] = alerts_of(server, service_id=svc["id"])
    assert alert["count"] == 2 and alert["state"] == "triggered"
    assert alert["severity"] == "critical" and alert["priority"] == "P1" and alert["urgency"] == "high"
    assert alert["dialect"] == "pagerduty"
    [incident] = incidents_of(server, service_id=svc["id"], state="open")
    assert incident["alert_count"] == 1 and incident["id"] == alert["incident_id"]

    assert server.api("POST", f"/api/v1/alerts/{alert['id']}/acknowledge", role="stakeholder").status_code == 403
    acked = server.ok("POST", f"/api/v1/alerts/{alert['id']}/acknowledge", role="responder")
    assert acked["state"] == "acknowledged" and acked["acknowledged_by"]
    assert_field(server.api("POST", f"/api/v1/alerts/{alert['id']}/notes", json={}), 400, "note")
    server.ok("POST", f"/api/v1/alerts/{alert['id']}/notes", json={"note": "rolled back"}, expect=201)
    resolved = server.ok("POST", f"/api/v1/alerts/{alert['id']}/resolve")
    assert resolved["state"] == "resolved"
    assert server.api("POST", f"/api/v1/alerts/{alert['id']}/resolve").status_code == 409

    full = server.ok("GET", f"/api/v1/alerts/{alert['id']}")
    actions = [e["action"] for e in full["log"]]
    assert actions == ["trigger", "deduplicated", "acknowledged", "note", "resolved"], actions
    assert full["log"][0]["via"] == "pagerduty" and full["log"][2]["via"] == "api"
    assert server.ok("GET", f"/api/v1/alert-incidents/{incident['id']}")["state"] == "resolved"

    # After resolution the same key opens a new alert.
    assert enqueue(server, secret, dedup="db1/disk").status_code == 202
    assert len(alerts_of(server, dedup_key="db1/disk")) == 2
    assert len(alerts_of(server, dedup_key="db1/disk", state="resolved")) == 1
    assert_field(server.api("GET", "/api/v1/alerts", params={"state": "sleeping"}), 400, "state")
    assert server.api("GET", "/api/v1/alerts/nope").status_code == 404


def test_merge_and_split_incidents(server):
    svc = new_service(server, "Storage", group_window_seconds=0)
    secret = new_key(server, svc["id"])["secret"]
    for key in ("a", "b", "c"):
        assert enqueue(server, secret, dedup=key, summary=f"{key} down").status_code == 202
    incs = incidents_of(server, service_id=svc["id"])
    assert len(incs) == 3
    target, *sources = [i["id"] for i in incs]
    assert_field(server.api("POST", f"/api/v1/alert-incidents/{target}/merge", json={"sources": [target]}), 400,
                 "sources[0]")
    merged = server.ok("POST", f"/api/v1/alert-incidents/{target}/merge", json={"sources": sources})
    assert merged["alert_count"] == 3 and merged["open_count"] == 3
    assert len(incidents_of(server, service_id=svc["id"], state="open")) == 1
    one = alerts_of(server, incident_id=target)[0]
    split = server.ok("POST", f"/api/v1/alerts/{one['id']}/split", expect=201)
    assert split["alert_count"] == 1 and split["id"] != target
    assert server.ok("GET", f"/api/v1/alert-incidents/{target}")["alert_count"] == 2
    acked = server.ok("POST", f"/api/v1/alert-incidents/{target}/acknowledge")
    assert acked["state"] == "acknowledged"
    server.ok("POST", f"/api/v1/alert-incidents/{target}/notes", json={"note": "one cause"}, expect=201)
    done = server.ok("POST", f"/api/v1/alert-incidents/{target}/resolve")
    assert done["state"] == "resolved" and done["open_count"] == 0
    log = [e["action"] for e in server.ok("GET", f"/api/v1/alert-incidents/{target}")["log"]]
    assert "merge" in log and "note" in log


def test_silences_record_but_flag_alerts(server):
    svc = new_service(server, "Batch")
    secret = new_key(server, svc["id"])["secret"]
    assert_field(server.api("POST", "/api/v1/silences", json={"comment": "no scope"}), 400, "matchers")
    assert_field(server.api("POST", "/api/v1/silences", json={"service_id": svc["id"], "weekly_days": [7]}), 400,
                 "weekly_days[0]")
    sil = server.ok("POST", "/api/v1/silences", json={"service_id": svc["id"], "comment": "nightly"}, expect=201)
    assert enqueue(server, secret, dedup="quiet").status_code == 202
    [quiet] = alerts_of(server, dedup_key="quiet")
    assert quiet["silenced"] is True
    assert incidents_of(server, service_id=svc["id"])[0]["silenced"] is True
    changed = server.ok("PUT", f"/api/v1/silences/{sil['id']}", json={"comment": "nightly batch"})
    assert changed["comment"] == "nightly batch"
    assert server.api("DELETE", f"/api/v1/silences/{sil['id']}").status_code == 204
    assert server.ok("GET", "/api/v1/silences")["data"] == []
    assert enqueue(server, secret, dedup="loud").status_code == 202
    assert alerts_of(server, dedup_key="loud")[0]["silenced"] is False


def test_severity_map_drives_urgency(server):
    table = server.ok("GET", "/api/v1/severity-map")
    assert [r["severity"] for r in table["rows"]] == ["critical", "error", "warning", "info"]
    bad = {"rows": [dict(r) for r in table["rows"]]}
    bad["rows"][2]["priorities"] = [1]
    assert_field(server.api("PUT", "/api/v1/severity-map", json=bad), 400, "rows[2].priorities")
    assert server.api("PUT", "/api/v1/severity-map", role="responder", json=table).status_code == 403
    louder = {"rows": [dict(r) for r in table["rows"]]}
    louder["rows"][2]["urgency"] = "high"
    assert server.ok("PUT", "/api/v1/severity-map", json=louder)["rows"][2]["urgency"] == "high"
    svc = new_service(server, "Web")
    secret = new_key(server, svc["id"])["secret"]
    assert enqueue(server, secret, dedup="w", severity="warning").status_code == 202
    [a] = alerts_of(server, dedup_key="w")
    assert a["severity"] == "warning" and a["priority"] == "P4" and a["urgency"] == "high"


def test_cli_lists_acknowledges_notes_resolves_and_merges(server, tocsin_bin):
    svc = new_service(server, "Queue", group_window_seconds=0)
    secret = new_key(server, svc["id"])["secret"]
    for key in ("q1", "q2"):
        assert enqueue(server, secret, dedup=key, summary=f"{key} stuck").status_code == 202
    server.terminate()
    data = ["--data", server.data_dir]
    out = run_cli(tocsin_bin, "alerts", "list", *data)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2 and "q2 stuck" in lines[0] and "triggered" in lines[0]
    tiny = lines[1].split("\t")[0]
    ack = run_cli(tocsin_bin, "alerts", "ack", tiny, "--as", "ann", *data)
    assert ack.returncode == 0 and "acknowledged" in ack.stdout, ack.stderr
    note = run_cli(tocsin_bin, "alerts", "note", tiny, "looking into it", *data)
    assert note.returncode == 0, note.stderr
    incs = run_cli(tocsin_bin, "alerts", "list", "--incidents", "--json", *data)
    assert incs.returncode == 0, incs.stderr
    ids = [json.loads(line)["id"] for line in incs.stdout.strip().splitlines()]
    assert len(ids) == 2
    merged = run_cli(tocsin_bin, "alerts", "merge", ids[0], ids[1], *data)
    assert merged.returncode == 0 and "2 alerts" in merged.stdout, merged.stdout + merged.stderr
    resolved = run_cli(tocsin_bin, "alerts", "resolve", ids[0], *data)
    assert resolved.returncode == 0 and "resolved" in resolved.stdout, resolved.stderr
    missing = run_cli(tocsin_bin, "alerts", "ack", "99999", *data)
    assert missing.returncode == 1 and "no alert" in missing.stderr
    assert run_cli(tocsin_bin, "alerts", "list", *data).stdout.strip() == ""

    server.start()
    [alert] = [a for a in alerts_of(server, service_id=svc["id"]) if a["tiny_id"] == int(tiny)]
    log = server.ok("GET", f"/api/v1/alerts/{alert['id']}")["log"]
    assert [(e["action"], e["via"]) for e in log][:3] == [("trigger", "pagerduty"), ("acknowledged", "cli"),
                                                          ("note", "cli")]
    assert log[1]["actor"] == "ann"
