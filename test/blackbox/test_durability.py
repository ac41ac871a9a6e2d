"""A 2xx on a write means the change is durable: kill -9 right after it, restart, it is there."""

import datetime as dt

import pytest

from conftest import iso, page_component_status, utcnow


def create_component(srv):
    c = srv.create_component("Durable API", description="kept")
    return lambda s: s.ok("GET", f"/api/v1/components/{c['id']}")["description"] == "kept"


def patch_component_status(srv):
    c = srv.create_component("API")
    srv.ok("PATCH", f"/api/v1/components/{c['id']}", json={"status": "major_outage"})
    return lambda s: s.component_status(c["id"]) == "major_outage"


def delete_component(srv):
    c = srv.create_component("Gone")
    assert srv.api("DELETE", f"/api/v1/components/{c['id']}").status_code == 204
    return lambda s: s.api("GET", f"/api/v1/components/{c['id']}").status_code == 404


def create_incident(srv):
    c = srv.create_component("API")
    inc = srv.create_incident("Outage", body="Down.", components={c["id"]: "partial_outage"})
    return lambda s: (s.ok("GET", f"/api/v1/incidents/{inc['id']}")["status"] == "investigating"
                      and s.component_status(c["id"]) == "partial_outage")


def post_update(srv):
    inc = srv.create_incident("Outage", body="Down.")
    srv.post_update(inc["id"], status="monitoring", body="Fix deployed.")
    return lambda s: [u["body"] for u in s.ok("GET", f"/api/v1/incidents/{inc['id']}")["incident_updates"]] == \
        ["Fix deployed.", "Down."]


def resolve_incident(srv):
    c = srv.create_component("API")
    inc = srv.create_incident("Outage", components={c["id"]: "major_outage"})
    srv.post_update(inc["id"], status="resolved", body="Fixed.")
    return lambda s: (s.ok("GET", f"/api/v1/incidents/{inc['id']}")["status"] == "resolved"
                      and s.component_status(c["id"]) == "operational")


def edit_update(srv):
    inc = srv.create_incident("Outage", body="typo")
    uid = inc["incident_updates"][0]["id"]
    srv.ok("PATCH", f"/api/v1/incidents/{inc['id']}/updates/{uid}", json={"body": "fixed text"})
    return lambda s: s.ok("GET", f"/api/v1/incidents/{inc['id']}")["incident_updates"][0]["body"] == "fixed text"


def delete_incident(srv):
    inc = srv.create_incident("Mistake")
    assert srv.api("DELETE", f"/api/v1/incidents/{inc['id']}").status_code == 204
    return lambda s: s.api("GET", f"/api/v1/incidents/{inc['id']}").status_code == 404


def create_maintenance(srv):
    m = srv.create_maintenance("Upgrade", dt.timedelta(days=1), dt.timedelta(hours=1))
    return lambda s: [x["id"] for x in s.json("/api/v2/scheduled-maintenances/upcoming.json")
                      ["scheduled_maintenances"]] == [m["id"]]


def patch_page(srv):
    srv.ok("PATCH", "/api/v1/page", json={"name": "Durable Status", "time_zone": "Europe/Berlin"})
    return lambda s: s.json("/api/v2/status.json")["page"]["name"] == "Durable Status" and \
        s.ok("GET", "/api/v1/page")["time_zone"] == "Europe/Berlin"


def create_token(srv):
    t = srv.ok("POST", "/api/v1/tokens", json={"name": "ci", "role": "responder"}, expect=201)
    return lambda s: s.api("POST", "/api/v1/components", token=t["token"], json={"name": "x"}).status_code == 201


def revoke_token(srv):
    t = srv.ok("POST", "/api/v1/tokens", json={"name": "ci", "role": "responder"}, expect=201)
    assert srv.api("DELETE", f"/api/v1/tokens/{t['id']}").status_code == 204
    return lambda s: s.api("GET", "/api/v1/components", token=t["token"]).status_code == 401


def put_logo(srv):
    png = b"\x89PNG\r\n\x1a\n" + b"logo" * 10
    assert srv.api("PUT", "/api/v1/page/logo", data=png, headers={"Content-Type": "image/png"}).status_code == 204
    return lambda s: s.get("/assets/logo").content == png


WRITES = [create_component, patch_component_status, delete_component, create_incident, post_update,
          resolve_incident, edit_update, delete_incident, create_maintenance, patch_page, create_token,
          revoke_token, put_logo]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_write_survives_kill_9(server, write):
    server.token("owner")
    check = write(server)
    server.kill9_and_restart()
    assert check(server)


@pytest.mark.parametrize("write", [create_incident, patch_page], ids=["create_incident", "patch_page"])
def test_write_survives_graceful_restart(server, write):
    check = write(server)
    server.restart()
    assert check(server)


def test_public_page_after_kill_9_shows_the_change(server):
    c = server.create_component("API")
    server.create_incident("Outage", body="Investigating the outage.", components={c["id"]: "major_outage"})
    server.kill9_and_restart()
    html = server.html("/")
    assert "Investigating the outage." in html
    assert page_component_status(html, "API") == "major_outage"
    assert server.json("/api/v2/incidents/unresolved.json")["incidents"][0]["name"] == "Outage"


def test_many_writes_then_kill_9(server):
    ids = [server.create_component(f"C{n}")["id"] for n in range(20)]
    server.kill9_and_restart()
    assert [c["id"] for c in server.json("/api/v2/components.json")["components"]] == ids


def test_backdated_update_survives_kill_9(server):
    inc = server.create_incident("Outage")
    when = (utcnow() - dt.timedelta(hours=2)).replace(microsecond=0)
    server.post_update(inc["id"], body="earlier", display_at=iso(when))
    server.kill9_and_restart()
    updates = server.ok("GET", f"/api/v1/incidents/{inc['id']}")["incident_updates"]
    assert updates[-1]["body"] == "earlier"
    assert updates[-1]["display_at"] == iso(when)
