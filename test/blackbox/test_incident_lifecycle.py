"""The incident life cycle through the admin API, seen on the public page and the v2 JSON."""

import datetime as dt

import pytest

from conftest import iso, page_component_status, page_indicator, page_section, parse_iso, utcnow


@pytest.fixture
def page(server):
    """Two components and an incident that degraded one of them."""
    api = server.create_component("API")
    web = server.create_component("Website")
    inc = server.create_incident(
        "Slow API responses",
        status="investigating",
        body="We are looking into slow responses.",
        components={api["id"]: "degraded_performance"},
    )
    server.api_id, server.web_id, server.inc = api["id"], web["id"], inc
    return server


def unresolved_ids(srv):
    return [i["id"] for i in srv.json("/api/v2/incidents/unresolved.json")["incidents"]]


# ---- creation -------------------------------------------------------------------------------

def test_create_answers_201_with_location_and_incident(page):
    inc = page.inc
    assert inc["name"] == "Slow API responses"
    assert inc["status"] == "investigating"
    assert inc["impact"] == "minor"
    assert [u["status"] for u in inc["incident_updates"]] == ["investigating"]
    assert inc["incident_updates"][0]["body"] == "We are looking into slow responses."
    got = page.ok("GET", f"/api/v1/incidents/{inc['id']}")
    assert got["id"] == inc["id"]


def test_create_sends_location_header(server):
    r = server.api("POST", "/api/v1/incidents", json={"name": "x"})
    assert r.status_code == 201
    assert r.headers["Location"] == f"/api/v1/incidents/{r.json()['id']}"


def test_components_map_sets_component_status(page):
    assert page.component_status(page.api_id) == "degraded_performance"
    assert page.component_status(page.web_id) == "operational"
    admin = page.ok("GET", f"/api/v1/components/{page.api_id}")
    assert admin["status"] == "degraded_performance"


def test_components_map_is_recorded_on_the_first_update(page):
    affected = page.inc["incident_updates"][0]["affected_components"]
    assert affected == [{"code": page.api_id, "name": "API", "old_status": "operational",
                         "new_status": "degraded_performance"}]
    assert [c["id"] for c in page.inc["components"]] == [page.api_id]


def test_new_incident_shows_on_page(page):
    html = page.html("/")
    active = page_section(html, "active")
    assert "Slow API responses" in active
    assert "We are looking into slow responses." in active
    assert page_component_status(html, "API") == "degraded_performance"
    assert page_component_status(html, "Website") == "operational"
    assert page_indicator(html) == "minor"


def test_new_incident_is_in_summary_and_unresolved(page):
    summary = page.json("/api/v2/summary.json")
    assert [i["id"] for i in summary["incidents"]] == [page.inc["id"]]
    assert summary["status"] == {"indicator": "minor", "description": "Partially Degraded Service"}
    statuses = {c["id"]: c["status"] for c in summary["components"]}
    assert statuses[page.api_id] == "degraded_performance"
    assert unresolved_ids(page) == [page.inc["id"]]


def test_status_json_follows_the_incident(page):
    assert page.json("/api/v2/status.json")["status"]["indicator"] == "minor"
    page.post_update(page.inc["id"], status="identified", body="A bad deploy.",
                     components={page.api_id: "partial_outage"})
    assert page.json("/api/v2/status.json")["status"] == {"indicator": "major", "description": "Partial System Outage"}


def test_incident_own_page_shows_timeline(page):
    page.post_update(page.inc["id"], status="identified", body="Found a bad deploy.")
    html = page.html(f"/incidents/{page.inc['id']}")
    assert "Slow API responses" in html
    first = html.index("Found a bad deploy.")
    second = html.index("We are looking into slow responses.")
    assert first < second, "updates must read newest first"


# ---- updates --------------------------------------------------------------------------------

def test_updates_walk_investigating_to_resolved(page):
    iid = page.inc["id"]
    for status in ("identified", "monitoring", "resolved"):
        got = page.post_update(iid, status=status, body=f"Now {status}.")
        assert got["status"] == status
    inc = page.ok("GET", f"/api/v1/incidents/{iid}")
    assert [u["status"] for u in inc["incident_updates"]] == ["resolved", "monitoring", "identified", "investigating"]
    assert inc["monitoring_at"] is not None
    assert inc["resolved_at"] is not None
    assert parse_iso(inc["resolved_at"]) >= parse_iso(inc["monitoring_at"])


@pytest.mark.parametrize("status", ["identified", "monitoring"])
def test_open_statuses_keep_the_incident_unresolved(page, status):
    page.post_update(page.inc["id"], status=status, body="still on it")
    assert unresolved_ids(page) == [page.inc["id"]]
    summary = page.json("/api/v2/summary.json")
    assert summary["incidents"][0]["status"] == status
    assert f"status-{status}" in page_section(page.html("/"), "active")


def test_monitoring_sets_monitoring_at(page):
    assert page.inc["monitoring_at"] is None
    got = page.post_update(page.inc["id"], status="monitoring", body="fix deployed")
    assert got["monitoring_at"] is not None
    v2 = page.json("/api/v2/incidents.json")["incidents"][0]
    assert v2["monitoring_at"] == got["monitoring_at"]


def test_resolution_restores_components(page):
    page.post_update(page.inc["id"], status="resolved", body="All good.")
    assert page.component_status(page.api_id) == "operational"
    html = page.html("/")
    assert page_component_status(html, "API") == "operational"
    assert page_indicator(html) == "none"


def test_resolution_records_the_restored_component(page):
    got = page.post_update(page.inc["id"], status="resolved", body="All good.")
    affected = got["incident_updates"][0]["affected_components"]
    assert affected == [{"code": page.api_id, "name": "API", "old_status": "degraded_performance",
                         "new_status": "operational"}]


def test_resolution_keeps_component_held_by_another_open_incident(page):
    other = page.create_incident("Second problem", components={page.api_id: "partial_outage"})
    page.post_update(page.inc["id"], status="resolved", body="first one fixed")
    assert page.component_status(page.api_id) == "partial_outage"
    page.post_update(other["id"], status="resolved", body="second one fixed")
    assert page.component_status(page.api_id) == "operational"


def test_resolved_incident_leaves_unresolved_but_stays_in_incidents_json(page):
    page.post_update(page.inc["id"], status="resolved", body="All good.")
    assert unresolved_ids(page) == []
    assert page.json("/api/v2/summary.json")["incidents"] == []
    listed = page.json("/api/v2/incidents.json")["incidents"]
    assert [(i["id"], i["status"]) for i in listed] == [(page.inc["id"], "resolved")]
    assert page.json("/api/v2/status.json")["status"] == {"indicator": "none", "description": "All Systems Operational"}


def test_resolved_incident_leaves_active_section_and_shows_in_history(page):
    page.post_update(page.inc["id"], status="resolved", body="All good.")
    html = page.html("/")
    assert page_section(html, "active") == ""
    assert "Slow API responses" in page_section(html, "past")
    assert "Slow API responses" in page.html("/history")


def test_postmortem_is_a_closed_status(page):
    page.post_update(page.inc["id"], status="resolved", body="fixed")
    got = page.post_update(page.inc["id"], status="postmortem", body="What happened.")
    assert got["status"] == "postmortem"
    assert unresolved_ids(page) == []


def test_update_without_status_keeps_the_status(page):
    got = page.post_update(page.inc["id"], body="More detail.")
    assert got["status"] == "investigating"
    assert len(got["incident_updates"]) == 2


def test_patch_with_status_posts_an_update_like_statuspage(page):
    got = page.ok("PATCH", f"/api/v1/incidents/{page.inc['id']}",
                  json={"incident": {"status": "identified", "body": "Found it."}})
    assert got["status"] == "identified"
    assert got["incident_updates"][0]["body"] == "Found it."
    assert len(got["incident_updates"]) == 2


def test_patch_name_only_does_not_post_an_update(page):
    got = page.ok("PATCH", f"/api/v1/incidents/{page.inc['id']}", json={"name": "Slow API"})
    assert got["name"] == "Slow API"
    assert len(got["incident_updates"]) == 1
    assert "Slow API" in page.html("/")


def test_impact_override_sets_impact_and_indicator(page):
    got = page.ok("PATCH", f"/api/v1/incidents/{page.inc['id']}", json={"impact_override": "critical"})
    assert got["impact"] == "critical"
    assert got["impact_override"] == "critical"
    assert page.json("/api/v2/status.json")["status"]["indicator"] == "critical"


# ---- editing and back-dating ----------------------------------------------------------------

def test_edit_update_text_changes_api_page_and_json(page):
    iid = page.inc["id"]
    uid = page.inc["incident_updates"][0]["id"]
    got = page.ok("PATCH", f"/api/v1/incidents/{iid}/updates/{uid}", json={"body": "Corrected text."})
    assert got["incident_updates"][0]["body"] == "Corrected text."
    html = page.html("/")
    assert "Corrected text." in html
    assert "We are looking into slow responses." not in html
    v2 = page.json("/api/v2/incidents/unresolved.json")["incidents"][0]
    assert v2["incident_updates"][0]["body"] == "Corrected text."
    assert "Corrected text." in page.html(f"/incidents/{iid}")


def test_edit_update_keeps_its_created_at_and_moves_updated_at(page):
    iid = page.inc["id"]
    before = page.inc["incident_updates"][0]
    got = page.ok("PATCH", f"/api/v1/incidents/{iid}/updates/{before['id']}", json={"body": "again"})
    after = got["incident_updates"][0]
    assert after["created_at"] == before["created_at"]
    assert parse_iso(after["updated_at"]) >= parse_iso(before["updated_at"])


def test_backdated_update_via_display_at(page):
    iid = page.inc["id"]
    when = utcnow() - dt.timedelta(hours=3)
    got = page.post_update(iid, body="Noticed earlier by support.", display_at=iso(when))
    updates = got["incident_updates"]
    backdated = [u for u in updates if u["body"] == "Noticed earlier by support."][0]
    assert abs(parse_iso(backdated["display_at"]) - when) < dt.timedelta(seconds=1)
    assert parse_iso(backdated["created_at"]) > parse_iso(backdated["display_at"])
    # Newest first by display time: the back-dated update sorts below the first one.
    assert updates[-1]["id"] == backdated["id"]
    v2 = page.json(f"/api/v2/incidents.json")["incidents"][0]["incident_updates"]
    assert v2[-1]["display_at"] == backdated["display_at"]


def test_backdated_update_shows_at_its_display_time_on_page(page):
    iid = page.inc["id"]
    when = (utcnow() - dt.timedelta(hours=3)).replace(microsecond=0)
    page.post_update(iid, body="Back-dated note.", display_at=iso(when))
    html = page.html(f"/incidents/{iid}")
    assert f'datetime="{iso(when)}"' in html
    assert html.index("We are looking into slow responses.") < html.index("Back-dated note.")


def test_incident_created_with_display_at_starts_then(server):
    when = (utcnow() - dt.timedelta(days=1)).replace(microsecond=0)
    inc = server.create_incident("Yesterday", body="late report", display_at=iso(when))
    assert parse_iso(inc["started_at"]) == when
    assert parse_iso(inc["incident_updates"][0]["display_at"]) == when


def test_edit_display_at_of_an_update(page):
    iid = page.inc["id"]
    uid = page.inc["incident_updates"][0]["id"]
    when = (utcnow() - dt.timedelta(hours=1)).replace(microsecond=0)
    got = page.ok("PATCH", f"/api/v1/incidents/{iid}/updates/{uid}", json={"display_at": iso(when)})
    assert parse_iso(got["incident_updates"][0]["display_at"]) == when


# ---- deleting -------------------------------------------------------------------------------

def test_delete_incident_removes_it_everywhere(page):
    iid = page.inc["id"]
    r = page.api("DELETE", f"/api/v1/incidents/{iid}")
    assert r.status_code == 204
    assert page.api("GET", f"/api/v1/incidents/{iid}").status_code == 404
    assert page.get(f"/incidents/{iid}").status_code == 404
    assert "Slow API responses" not in page.html("/")
    assert page.json("/api/v2/incidents.json")["incidents"] == []
    assert unresolved_ids(page) == []


def test_delete_update(page):
    iid = page.inc["id"]
    added = page.post_update(iid, body="A wrong update.")
    uid = added["incident_updates"][0]["id"]
    assert page.api("DELETE", f"/api/v1/incidents/{iid}/updates/{uid}").status_code == 204
    bodies = [u["body"] for u in page.ok("GET", f"/api/v1/incidents/{iid}")["incident_updates"]]
    assert bodies == ["We are looking into slow responses."]
    assert "A wrong update." not in page.html(f"/incidents/{iid}")


def test_deleting_the_only_update_is_409(page):
    iid = page.inc["id"]
    uid = page.inc["incident_updates"][0]["id"]
    r = page.api("DELETE", f"/api/v1/incidents/{iid}/updates/{uid}")
    assert r.status_code == 409
    assert r.headers["Content-Type"] == "application/problem+json"


def test_incident_is_not_reachable_as_maintenance(page):
    assert page.api("GET", f"/api/v1/maintenances/{page.inc['id']}").status_code == 404


# ---- listing --------------------------------------------------------------------------------

def test_list_filters_by_status(page):
    other = page.create_incident("Other")
    page.post_update(other["id"], status="resolved", body="done")
    open_ones = page.ok("GET", "/api/v1/incidents?status=investigating,identified,monitoring")
    assert [i["id"] for i in open_ones] == [page.inc["id"]]
    resolved = page.ok("GET", "/api/v1/incidents?status=resolved")
    assert [i["id"] for i in resolved] == [other["id"]]


def test_list_paginates_with_total_and_link(server):
    ids = [server.create_incident(f"Incident {n}")["id"] for n in range(5)]
    r = server.api("GET", "/api/v1/incidents?per_page=2&page=1")
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in r.headers["Link"]
    seen = [i["id"] for i in r.json()]
    for n in (2, 3):
        seen += [i["id"] for i in server.ok("GET", f"/api/v1/incidents?per_page=2&page={n}")]
    last = server.api("GET", "/api/v1/incidents?per_page=2&page=3")
    assert "Link" not in last.headers
    assert sorted(seen) == sorted(ids)


def test_list_filters_by_date(server):
    old = server.create_incident("Old one", display_at="2020-01-05T10:00:00Z")
    new = server.create_incident("New one")
    got = server.ok("GET", "/api/v1/incidents?until=2020-02-01")
    assert [i["id"] for i in got] == [old["id"]]
    got = server.ok("GET", "/api/v1/incidents?since=2021-01-01")
    assert [i["id"] for i in got] == [new["id"]]
