"""Statuspage public API v2 compatibility: paths, keys, enums and nesting.

The expected shape is /work/shared/reference/statuspage-v2.md (shared/reference/statuspage-v2.md).
"""

import datetime as dt
import re

import pytest

from conftest import Tocsin, iso, utcnow

ENDPOINTS = {
    "summary.json": {"page", "components", "incidents", "scheduled_maintenances", "status"},
    "status.json": {"page", "status"},
    "components.json": {"page", "components"},
    "incidents.json": {"page", "incidents"},
    "incidents/unresolved.json": {"page", "incidents"},
    "scheduled-maintenances.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/upcoming.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/active.json": {"page", "scheduled_maintenances"},
}

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {"id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
                  "start_date", "group_id", "page_id", "group", "only_show_if_degraded"}
INCIDENT_KEYS = {"id", "name", "status", "impact", "created_at", "updated_at", "started_at", "monitoring_at",
                 "resolved_at", "shortlink", "incident_updates", "components", "page_id"}
MAINTENANCE_KEYS = INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}
UPDATE_KEYS = {"id", "incident_id", "status", "body", "created_at", "updated_at", "display_at", "affected_components",
               "deliver_notifications", "custom_tweet", "tweet_id"}
AFFECTED_KEYS = {"code", "name", "old_status", "new_status"}

COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical"}
INDICATORS = {"none", "minor", "major", "critical", "maintenance"}

ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)$")
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")


def is_time(v):
    return isinstance(v, str) and bool(ISO_RE.match(v))


@pytest.fixture(scope="module")
def full(tocsin_bin, tmp_path_factory):
    """A page that uses every object: a group with children, an open and a resolved incident
    with several updates, an upcoming and an active maintenance."""
    srv = Tocsin(tocsin_bin, tmp_path_factory.mktemp("v2") / "data").start()
    srv.ok("PATCH", "/api/v1/page", json={"name": "Example", "url": "https://status.example.com",
                                          "time_zone": "America/Tijuana"})
    core = srv.create_group("Core")
    api = srv.create_component("API", group_id=core["id"], description="Public REST API", showcase=True)
    search = srv.create_component("Search")
    db = srv.create_component("Database", group_id=core["id"])
    open_inc = srv.create_incident("Elevated API latency", body="Looking.", components={api["id"]: "degraded_performance"})
    srv.post_update(open_inc["id"], status="identified", body="Slow replica.")
    done = srv.create_incident("Old outage", body="Down.", components={db["id"]: "major_outage"})
    srv.post_update(done["id"], status="resolved", body="Fixed.")
    upcoming = srv.create_maintenance("Index rebuild", dt.timedelta(days=2), dt.timedelta(hours=2),
                                      component_ids=[search["id"]], body="Read-only search.")
    active = srv.create_maintenance("Network work", dt.timedelta(minutes=30), dt.timedelta(hours=2),
                                    component_ids=[db["id"]])
    srv.ok("PATCH", f"/api/v1/maintenances/{active['id']}", json={"status": "in_progress", "body": "Started early."})
    srv.ids = dict(core=core["id"], api=api["id"], search=search["id"], db=db["id"], open=open_inc["id"],
                   done=done["id"], upcoming=upcoming["id"], active=active["id"])
    yield srv
    srv.terminate()


def all_docs(srv):
    return {name: srv.json("/api/v2/" + name) for name in ENDPOINTS}


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_endpoint_has_documented_top_level_keys(full, name):
    r = full.get("/api/v2/" + name)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert set(r.json()) == ENDPOINTS[name]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_page_object_keys(full, name):
    page = full.json("/api/v2/" + name)["page"]
    assert set(page) == PAGE_KEYS
    assert page["name"] == "Example"
    assert page["url"] == "https://status.example.com"
    assert page["time_zone"] == "America/Tijuana"
    assert is_time(page["updated_at"])
    assert isinstance(page["id"], str) and page["id"]


def test_status_object(full):
    st = full.json("/api/v2/status.json")["status"]
    assert set(st) == {"indicator", "description"}
    assert st["indicator"] in INDICATORS
    assert isinstance(st["description"], str) and st["description"]


def test_component_keys_and_types(full):
    comps = full.json("/api/v2/components.json")["components"]
    page_id = full.json("/api/v2/status.json")["page"]["id"]
    assert len(comps) == 4
    for c in comps:
        want = COMPONENT_KEYS | ({"components"} if c["group"] else set())
        assert set(c) == want, c["name"]
        assert c["status"] in COMPONENT_STATUSES
        assert is_time(c["created_at"]) and is_time(c["updated_at"])
        assert isinstance(c["position"], int) and c["position"] >= 1
        assert c["description"] is None or isinstance(c["description"], str)
        assert isinstance(c["showcase"], bool)
        assert isinstance(c["only_show_if_degraded"], bool)
        assert c["start_date"] is None or DATE_RE.match(c["start_date"])
        assert c["group_id"] is None or isinstance(c["group_id"], str)
        assert c["page_id"] == page_id


def test_group_object_lists_its_children(full):
    comps = {c["id"]: c for c in full.json("/api/v2/components.json")["components"]}
    group = comps[full.ids["core"]]
    assert group["group"] is True
    assert group["group_id"] is None
    assert sorted(group["components"]) == sorted([full.ids["api"], full.ids["db"]])
    assert comps[full.ids["api"]]["group_id"] == full.ids["core"]
    assert comps[full.ids["search"]]["group_id"] is None


def test_description_null_when_empty(full):
    comps = {c["id"]: c for c in full.json("/api/v2/components.json")["components"]}
    assert comps[full.ids["api"]]["description"] == "Public REST API"
    assert comps[full.ids["search"]]["description"] is None


def check_incident(inc, page_id, maintenance):
    assert set(inc) == (MAINTENANCE_KEYS if maintenance else INCIDENT_KEYS), inc["name"]
    assert inc["status"] in (MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES)
    assert inc["impact"] in (IMPACTS | {"maintenance"})
    if maintenance:
        assert inc["impact"] == "maintenance"
        assert is_time(inc["scheduled_for"]) and is_time(inc["scheduled_until"])
    else:
        assert inc["impact"] in IMPACTS
    for k in ("created_at", "updated_at", "started_at"):
        assert is_time(inc[k]), k
    for k in ("monitoring_at", "resolved_at"):
        assert inc[k] is None or is_time(inc[k]), k
    assert inc["page_id"] == page_id
    assert isinstance(inc["shortlink"], str) and inc["shortlink"].startswith("http")
    for c in inc["components"]:
        assert set(c) >= COMPONENT_KEYS
    assert inc["incident_updates"], "an incident has at least one update"
    displayed = [u["display_at"] for u in inc["incident_updates"]]
    assert displayed == sorted(displayed, reverse=True), "updates must be newest first"
    for u in inc["incident_updates"]:
        assert set(u) == UPDATE_KEYS
        assert u["incident_id"] == inc["id"]
        assert u["status"] in (MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES)
        assert isinstance(u["body"], str)
        for k in ("created_at", "updated_at", "display_at"):
            assert is_time(u[k]), k
        assert isinstance(u["deliver_notifications"], bool)
        assert u["custom_tweet"] is None and u["tweet_id"] is None
        if u["affected_components"] is not None:
            for a in u["affected_components"]:
                assert set(a) == AFFECTED_KEYS
                assert a["old_status"] in COMPONENT_STATUSES and a["new_status"] in COMPONENT_STATUSES


def test_incident_and_update_keys_in_every_document(full):
    docs = all_docs(full)
    page_id = docs["status.json"]["page"]["id"]
    seen = 0
    for name, doc in docs.items():
        for inc in doc.get("incidents", []):
            check_incident(inc, page_id, maintenance=False)
            seen += 1
        for m in doc.get("scheduled_maintenances", []):
            check_incident(m, page_id, maintenance=True)
            seen += 1
    assert seen >= 8


def test_incident_components_are_full_component_objects(full):
    inc = [i for i in full.json("/api/v2/incidents.json")["incidents"] if i["id"] == full.ids["open"]][0]
    assert [c["id"] for c in inc["components"]] == [full.ids["api"]]
    assert set(inc["components"][0]) == COMPONENT_KEYS


def test_affected_components_record_the_change(full):
    inc = [i for i in full.json("/api/v2/incidents.json")["incidents"] if i["id"] == full.ids["open"]][0]
    first = inc["incident_updates"][-1]
    assert first["affected_components"] == [{"code": full.ids["api"], "name": "API", "old_status": "operational",
                                              "new_status": "degraded_performance"}]
    assert inc["incident_updates"][0]["affected_components"] is None


def test_shortlink_points_to_the_incident_page(full):
    inc = full.json("/api/v2/incidents/unresolved.json")["incidents"][0]
    assert inc["shortlink"] == f"https://status.example.com/incidents/{inc['id']}"


def test_summary_contents(full):
    s = full.json("/api/v2/summary.json")
    assert [i["id"] for i in s["incidents"]] == [full.ids["open"]]
    assert {m["id"] for m in s["scheduled_maintenances"]} == {full.ids["upcoming"], full.ids["active"]}
    assert len(s["components"]) == 4


def test_unresolved_has_only_open_incidents(full):
    assert [i["id"] for i in full.json("/api/v2/incidents/unresolved.json")["incidents"]] == [full.ids["open"]]


def test_incidents_json_has_open_and_resolved_newest_first(full):
    listed = full.json("/api/v2/incidents.json")["incidents"]
    assert {i["id"] for i in listed} == {full.ids["open"], full.ids["done"]}
    started = [i["started_at"] for i in listed]
    assert started == sorted(started, reverse=True)


def test_maintenance_lists(full):
    def ids(name):
        return [m["id"] for m in full.json("/api/v2/scheduled-maintenances/" + name)["scheduled_maintenances"]]

    assert ids("upcoming.json") == [full.ids["upcoming"]]
    assert ids("active.json") == [full.ids["active"]]
    everything = [m["id"] for m in full.json("/api/v2/scheduled-maintenances.json")["scheduled_maintenances"]]
    assert set(everything) == {full.ids["upcoming"], full.ids["active"]}


def test_maintenances_are_not_incidents(full):
    incident_ids = {i["id"] for i in full.json("/api/v2/incidents.json")["incidents"]}
    assert full.ids["upcoming"] not in incident_ids
    assert full.ids["active"] not in incident_ids


def test_active_maintenance_puts_components_under_maintenance(full):
    comps = {c["id"]: c for c in full.json("/api/v2/components.json")["components"]}
    assert comps[full.ids["db"]]["status"] == "under_maintenance"
    assert comps[full.ids["search"]]["status"] == "operational"


def test_json_is_compact_utf8(full):
    r = full.get("/api/v2/summary.json")
    r.content.decode("utf-8")
    assert r.headers["Cache-Control"].startswith("public")


def test_empty_page_documents(server):
    s = server.json("/api/v2/summary.json")
    assert s["components"] == [] and s["incidents"] == [] and s["scheduled_maintenances"] == []
    assert s["status"] == {"indicator": "none", "description": "All Systems Operational"}


def test_page_updated_at_moves_with_changes(server):
    before = server.json("/api/v2/status.json")["page"]["updated_at"]
    server.create_component("API")
    after = server.json("/api/v2/status.json")["page"]["updated_at"]
    assert after >= before
    assert after != before or before.endswith("Z")


def test_start_date_is_a_date(server):
    c = server.create_component("API")
    got = server.component(c["id"])
    assert DATE_RE.match(got["start_date"])


def test_created_times_are_now(server):
    t0 = utcnow() - dt.timedelta(seconds=5)
    inc = server.create_incident("now")
    v2 = server.json("/api/v2/incidents.json")["incidents"][0]
    assert v2["id"] == inc["id"]
    created = dt.datetime.fromisoformat(v2["created_at"].replace("Z", "+00:00"))
    assert t0 <= created <= utcnow() + dt.timedelta(seconds=5)
    assert iso(created)  # parseable


def test_incidents_json_has_the_50_most_recent(server):
    for n in range(52):
        server.create_incident(f"Incident {n:02d}", status="resolved",
                               display_at=f"2025-01-01T{n // 60:02d}:{n % 60:02d}:00Z")
    listed = server.json("/api/v2/incidents.json")["incidents"]
    assert len(listed) == 50
    assert listed[0]["name"] == "Incident 51"
    assert listed[-1]["name"] == "Incident 02"
