"""Scheduled maintenance: creation, the page and feeds, automatic and manual transitions."""

import datetime as dt

import pytest

from conftest import iso, page_component_status, page_section, parse_iso, poll, utcnow


def upcoming_ids(srv):
    return [m["id"] for m in srv.json("/api/v2/scheduled-maintenances/upcoming.json")["scheduled_maintenances"]]


def active_ids(srv):
    return [m["id"] for m in srv.json("/api/v2/scheduled-maintenances/active.json")["scheduled_maintenances"]]


@pytest.fixture
def fast(tocsin_factory):
    """A server whose maintenance engine looks every 100 ms."""
    return tocsin_factory(engines={"maintenance_interval_ms": 100})


def test_create_maintenance(server):
    c = server.create_component("Search")
    start = (utcnow() + dt.timedelta(days=1)).replace(microsecond=0)
    m = server.ok("POST", "/api/v1/maintenances", expect=201, json={
        "name": "Index rebuild", "scheduled_for": iso(start), "scheduled_until": iso(start + dt.timedelta(hours=2)),
        "component_ids": [c["id"]], "body": "Search is read-only.",
        "scheduled_auto_in_progress": True, "scheduled_auto_completed": True, "scheduled_remind_prior": True})
    assert m["status"] == "scheduled"
    assert m["impact"] == "maintenance"
    assert parse_iso(m["scheduled_for"]) == start
    assert parse_iso(m["scheduled_until"]) == start + dt.timedelta(hours=2)
    assert m["scheduled_auto_in_progress"] is True and m["scheduled_auto_completed"] is True
    assert m["scheduled_remind_prior"] is True
    assert [x["id"] for x in m["components"]] == [c["id"]]
    # Scheduling does not touch the component.
    assert server.component_status(c["id"]) == "operational"


def test_maintenance_appears_in_upcoming_and_summary(server):
    m = server.create_maintenance("Index rebuild", dt.timedelta(days=1), dt.timedelta(hours=2))
    assert upcoming_ids(server) == [m["id"]]
    assert active_ids(server) == []
    assert [x["id"] for x in server.json("/api/v2/summary.json")["scheduled_maintenances"]] == [m["id"]]
    assert server.json("/api/v2/status.json")["status"]["indicator"] == "none"


def test_upcoming_is_soonest_first_when_created_in_order(server):
    sooner = server.create_maintenance("Sooner", dt.timedelta(days=1), dt.timedelta(hours=1))
    later = server.create_maintenance("Later", dt.timedelta(days=3), dt.timedelta(hours=1))
    assert upcoming_ids(server) == [sooner["id"], later["id"]]


def test_upcoming_is_soonest_first_when_created_out_of_order(server):
    later = server.create_maintenance("Later", dt.timedelta(days=3), dt.timedelta(hours=1))
    sooner = server.create_maintenance("Sooner", dt.timedelta(days=1), dt.timedelta(hours=1))
    assert upcoming_ids(server) == [sooner["id"], later["id"]]


def test_summary_lists_upcoming_soonest_first(server):
    later = server.create_maintenance("Later", dt.timedelta(days=3), dt.timedelta(hours=1))
    sooner = server.create_maintenance("Sooner", dt.timedelta(days=1), dt.timedelta(hours=1))
    listed = [m["id"] for m in server.json("/api/v2/summary.json")["scheduled_maintenances"]]
    assert listed == [sooner["id"], later["id"]]


def test_page_lists_upcoming_soonest_first(server):
    server.create_maintenance("Later window", dt.timedelta(days=3), dt.timedelta(hours=1))
    server.create_maintenance("Sooner window", dt.timedelta(days=1), dt.timedelta(hours=1))
    section = page_section(server.html("/"), "upcoming")
    assert section.index("Sooner window") < section.index("Later window")


def test_maintenance_appears_on_page_with_window(server):
    m = server.create_maintenance("Index rebuild", dt.timedelta(days=1), dt.timedelta(hours=2))
    section = page_section(server.html("/"), "upcoming")
    assert "Index rebuild" in section
    assert f'datetime="{m["scheduled_for"]}"' in section
    assert f'datetime="{m["scheduled_until"]}"' in section


def test_maintenance_appears_in_ical(server):
    m = server.create_maintenance("Index rebuild", dt.timedelta(days=1), dt.timedelta(hours=2))
    ics = server.get("/maintenance.ics").content.decode()
    start = parse_iso(m["scheduled_for"]).strftime("%Y%m%dT%H%M%SZ")
    assert "BEGIN:VEVENT\r\n" in ics
    assert f"DTSTART:{start}\r\n" in ics
    assert "SUMMARY:Index rebuild\r\n" in ics


def test_statuspage_style_incident_wrapper_creates_maintenance(server):
    body = {"incident": {"name": "Wrapped", "scheduled_for": "2031-01-01T10:00:00Z",
                         "scheduled_until": "2031-01-01T11:00:00Z", "auto_transition_to_maintenance_state": False}}
    m = server.ok("POST", "/api/v1/maintenances", json=body, expect=201)
    assert m["name"] == "Wrapped"
    assert m["scheduled_auto_in_progress"] is False


def test_maintenance_is_not_reachable_as_incident(server):
    m = server.create_maintenance("m", dt.timedelta(days=1), dt.timedelta(hours=1))
    assert server.api("GET", f"/api/v1/incidents/{m['id']}").status_code == 404
    assert [x["id"] for x in server.ok("GET", "/api/v1/maintenances")] == [m["id"]]
    assert server.ok("GET", "/api/v1/incidents") == []


def test_window_starting_soon_moves_to_in_progress_then_completed(fast):
    c = fast.create_component("Search")
    m = fast.create_maintenance("Short window", dt.timedelta(seconds=1), dt.timedelta(seconds=3),
                                component_ids=[c["id"]])
    assert m["status"] == "scheduled"
    assert upcoming_ids(fast) == [m["id"]]

    poll(lambda: active_ids(fast) == [m["id"]], "the maintenance to become active")
    assert fast.component_status(c["id"]) == "under_maintenance"
    assert fast.json("/api/v2/status.json")["status"]["indicator"] == "maintenance"
    got = fast.ok("GET", f"/api/v1/maintenances/{m['id']}")
    assert got["status"] in ("in_progress", "completed")

    poll(lambda: fast.ok("GET", f"/api/v1/maintenances/{m['id']}")["status"] == "completed",
         "the maintenance to complete")
    # The engine commits first and republishes the page right after: poll the public side too.
    poll(lambda: fast.component_status(c["id"]) == "operational", "the component to leave maintenance")
    assert active_ids(fast) == [] and upcoming_ids(fast) == []
    assert fast.json("/api/v2/status.json")["status"]["indicator"] == "none"
    statuses = [u["status"] for u in fast.ok("GET", f"/api/v1/maintenances/{m['id']}")["incident_updates"]]
    assert statuses == ["completed", "in_progress", "scheduled"]


def test_active_maintenance_shows_on_page(fast):
    c = fast.create_component("Search")
    m = fast.create_maintenance("Running now", dt.timedelta(seconds=0.5), dt.timedelta(minutes=10),
                                component_ids=[c["id"]])
    poll(lambda: active_ids(fast) == [m["id"]], "the maintenance to become active")
    html = fast.html("/")
    assert "Running now" in page_section(html, "maintenance")
    assert page_component_status(html, "Search") == "under_maintenance"


def test_window_that_passed_while_down_completes_on_start(tocsin_factory, tmp_path):
    first = tocsin_factory(engines={"maintenance_interval_ms": 100})
    c = first.create_component("Search")
    m = first.create_maintenance("While down", dt.timedelta(seconds=1), dt.timedelta(seconds=1),
                                 component_ids=[c["id"]])
    first.kill9()
    # Both edges pass while no server runs.
    deadline = parse_iso(m["scheduled_until"]) + dt.timedelta(milliseconds=200)
    poll(lambda: utcnow() > deadline, "the window to pass while the server is down")
    first.start()
    poll(lambda: first.ok("GET", f"/api/v1/maintenances/{m['id']}")["status"] == "completed",
         "the missed window to be completed")
    poll(lambda: first.component_status(c["id"]) == "operational", "the component to leave maintenance")
    statuses = [u["status"] for u in first.ok("GET", f"/api/v1/maintenances/{m['id']}")["incident_updates"]]
    assert statuses == ["completed", "in_progress", "scheduled"]


def test_no_auto_start_keeps_it_scheduled(fast):
    c = fast.create_component("Search")
    m = fast.create_maintenance("Manual", dt.timedelta(seconds=0.3), dt.timedelta(minutes=10),
                                component_ids=[c["id"]], scheduled_auto_in_progress=False)
    # Wait until the engine has certainly looked a few times after the start.
    start = parse_iso(m["scheduled_for"])
    poll(lambda: utcnow() > start + dt.timedelta(seconds=1), "the window start to pass")
    fast.get("/healthz")
    assert fast.ok("GET", f"/api/v1/maintenances/{m['id']}")["status"] == "scheduled"
    assert fast.component_status(c["id"]) == "operational"


def test_manual_start_and_early_completion_restore_previous_status(server):
    c = server.create_component("Search", status="degraded_performance")
    m = server.create_maintenance("By hand", dt.timedelta(hours=1), dt.timedelta(hours=1), component_ids=[c["id"]])
    got = server.ok("POST", f"/api/v1/maintenances/{m['id']}/updates", json={"status": "in_progress", "body": "Go."},
                    expect=201)
    assert got["status"] == "in_progress"
    assert server.component_status(c["id"]) == "under_maintenance"
    assert active_ids(server) == [m["id"]]
    server.ok("POST", f"/api/v1/maintenances/{m['id']}/updates", json={"status": "verifying", "body": "Checking."},
              expect=201)
    assert active_ids(server) == [m["id"]]
    server.ok("POST", f"/api/v1/maintenances/{m['id']}/updates", json={"status": "completed", "body": "Done early."},
              expect=201)
    assert server.component_status(c["id"]) == "degraded_performance"
    assert active_ids(server) == []


def test_extend_window(server):
    m = server.create_maintenance("Extend me", dt.timedelta(hours=1), dt.timedelta(hours=1))
    new_until = parse_iso(m["scheduled_until"]) + dt.timedelta(hours=2)
    got = server.ok("PATCH", f"/api/v1/maintenances/{m['id']}", json={"scheduled_until": iso(new_until)})
    assert parse_iso(got["scheduled_until"]) == new_until
    v2 = server.json("/api/v2/scheduled-maintenances/upcoming.json")["scheduled_maintenances"][0]
    assert parse_iso(v2["scheduled_until"]) == new_until


def test_extend_window_to_before_start_is_400(server):
    m = server.create_maintenance("Bad extend", dt.timedelta(hours=1), dt.timedelta(hours=1))
    r = server.api("PATCH", f"/api/v1/maintenances/{m['id']}",
                   json={"scheduled_until": iso(parse_iso(m["scheduled_for"]) - dt.timedelta(minutes=1))})
    assert r.status_code == 400
    assert r.json()["field"] == "scheduled_until"


def test_delete_maintenance(server):
    m = server.create_maintenance("Cancelled", dt.timedelta(days=1), dt.timedelta(hours=1))
    assert server.api("DELETE", f"/api/v1/maintenances/{m['id']}").status_code == 204
    assert upcoming_ids(server) == []
    assert b"Cancelled" not in server.get("/maintenance.ics").content


@pytest.mark.parametrize("lang,start,end", [
    ("en", "July 1, 2030, 12:00 CEST", "July 1, 2030, 13:30 CEST"),
    ("de", "1. Juli 2030, 12:00 CEST", "1. Juli 2030, 13:30 CEST"),
])
def test_window_is_shown_in_page_time_zone_and_language(server, lang, start, end):
    server.ok("PATCH", "/api/v1/page", json={"time_zone": "Europe/Berlin"})
    server.ok("POST", "/api/v1/maintenances", expect=201, json={
        "name": "Summer work", "scheduled_for": "2030-07-01T10:00:00Z", "scheduled_until": "2030-07-01T11:30:00Z"})
    section = page_section(server.html(f"/?lang={lang}"), "upcoming")
    assert f'<time datetime="2030-07-01T10:00:00.000Z">{start}</time>' in section
    assert f'<time datetime="2030-07-01T11:30:00.000Z">{end}</time>' in section
