"""On-call schedules through the real server: CRUD, bad input naming the field, authentication,
who is on call (layers, restrictions, overrides), per-user shifts and the secret iCal feeds parsed
back. Times are fixed instants in the past and future, never the wall clock, except where the
feed's window (around now) is the point."""

from datetime import datetime, timedelta, timezone

import pytest

from conftest import iso, parse_iso, run_cli


def plain(s):
    """tocsin writes milliseconds; the expectations here are whole seconds."""
    return parse_iso(s).strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_field(r, status, field):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json().get("field") == field, r.text


def add_user(srv, name):
    return srv.ok("POST", "/api/v1/users", json={"email": f"{name}@example.com", "name": name, "role": "responder",
                                                 "password": "a long enough password"}, expect=201)["id"]


@pytest.fixture
def users(server):
    return {n: add_user(server, n) for n in ("ann", "bob", "cid", "dee")}


def weekly(users, start="2026-01-05T09:00:00Z", **extra):
    return {"name": "weekly", "kind": "weekly", "start": start, "handoff_time": "10:00",
            "handoff_weekday": "monday", "user_ids": users, **extra}


def create(srv, **body):
    return srv.ok("POST", "/api/v1/schedules", json=body, expect=201)


def on_call(srv, sid, at):
    got = srv.ok("GET", f"/api/v1/schedules/{sid}/oncall", params={"at": at})
    return [u["id"] for u in got["users"]]


def test_crud(server, users):
    s = create(server, name="Primary", time_zone="Europe/Berlin", description="payments",
               layers=[weekly([users["ann"], users["bob"]])])
    assert s["time_zone"] == "Europe/Berlin"
    assert s["layers"][0]["handoff_time"] == "10:00"
    assert s["layers"][0]["handoff_weekday"] == "monday"
    assert s["overrides"] == []
    got = server.ok("GET", f"/api/v1/schedules/{s['id']}")
    assert got == s
    assert [x["id"] for x in server.ok("GET", "/api/v1/schedules")["data"]] == [s["id"]]

    patched = server.ok("PATCH", f"/api/v1/schedules/{s['id']}",
                        json={"name": "Primary EU", "layers": [weekly([users["cid"]])]})
    assert patched["name"] == "Primary EU"
    assert patched["layers"][0]["user_ids"] == [users["cid"]]
    assert patched["description"] == "payments"

    dup = server.api("POST", "/api/v1/schedules", json={"name": "primary eu", "time_zone": "UTC"})
    assert dup.status_code == 409, dup.text

    assert server.api("DELETE", f"/api/v1/schedules/{s['id']}").status_code == 204
    assert server.api("GET", f"/api/v1/schedules/{s['id']}").status_code == 404
    assert server.api("DELETE", f"/api/v1/schedules/{s['id']}").status_code == 404


def test_bad_input_names_the_field(server, users):
    ann = users["ann"]
    cases = [
        ({"time_zone": "UTC"}, "name"),
        ({"name": "x"}, "time_zone"),
        ({"name": "x", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "x", "time_zone": "UTC", "colour": "red"}, "colour"),
        ({"name": "x", "time_zone": "UTC", "team_id": "noteam"}, "team_id"),
        ({"name": "x", "time_zone": "UTC", "layers": {}}, "layers"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([])]}, "layers[0].user_ids"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly(["nobody"])]}, "layers[0].user_ids[0]"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([ann], start="yesterday")]}, "layers[0].start"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([ann], kind="monthly")]}, "layers[0].kind"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([ann], kind="custom")]}, "layers[0].turn_length_hours"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([ann], handoff_time="25:00")]}, "layers[0].handoff_time"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([ann], handoff_weekday="funday")]},
         "layers[0].handoff_weekday"),
        ({"name": "x", "time_zone": "UTC", "layers": [weekly([ann], end="2026-01-01T00:00:00Z")]}, "layers[0].end"),
        ({"name": "x", "time_zone": "UTC",
          "layers": [weekly([ann]), weekly([ann], restrictions=[{"start_time": "22:00", "end_time": "6am"}])]},
         "layers[1].restrictions[0].end_time"),
        ({"name": "x", "time_zone": "UTC",
          "layers": [weekly([ann], restrictions=[{"start_weekday": "friday", "start_time": "18:00",
                                                  "end_time": "08:00"}])]},
         "layers[0].restrictions[0].end_weekday"),
    ]
    for body, field in cases:
        assert_field(server.api("POST", "/api/v1/schedules", json=body), 400, field)
    assert server.ok("GET", "/api/v1/schedules")["data"] == []

    s = create(server, name="Primary", time_zone="UTC", layers=[weekly([ann])])
    sid = s["id"]
    assert_field(server.api("PATCH", f"/api/v1/schedules/{sid}", json={"time_zone": "Nowhere/City"}), 400,
                 "time_zone")
    assert_field(server.api("GET", f"/api/v1/schedules/{sid}/oncall", params={"at": "soon"}), 400, "at")
    assert_field(server.api("GET", f"/api/v1/schedules/{sid}/shifts",
                            params={"from": "2026-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}), 400, "to")
    assert_field(server.api("GET", f"/api/v1/schedules/{sid}/shifts",
                            params={"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}), 400, "to")
    over = {"user_id": ann, "start": "2026-02-01T10:00:00Z", "end": "2026-02-01T09:00:00Z"}
    assert_field(server.api("POST", f"/api/v1/schedules/{sid}/overrides", json=over), 400, "end")
    over = {"user_id": "nobody", "start": "2026-02-01T10:00:00Z", "end": "2026-02-01T12:00:00Z"}
    assert_field(server.api("POST", f"/api/v1/schedules/{sid}/overrides", json=over), 400, "user_id")
    assert_field(server.api("POST", f"/api/v1/schedules/{sid}/overrides", json={"user_id": ann}), 400, "start")
    r = server.api("POST", "/api/v1/schedules", data="{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text


def test_authentication_and_roles(server, users):
    assert server.api("GET", "/api/v1/schedules", role=None).status_code == 401
    assert server.api("GET", "/api/v1/oncall", role=None).status_code == 401
    assert server.api("POST", "/api/v1/schedules", role=None, json={"name": "x", "time_zone": "UTC"}).status_code == 401
    assert server.api("GET", "/api/v1/schedules", token="tcn_" + "0" * 64).status_code == 401
    r = server.api("POST", "/api/v1/schedules", role="stakeholder", json={"name": "x", "time_zone": "UTC"})
    assert r.status_code == 403, r.text
    assert server.api("GET", "/api/v1/schedules", role="stakeholder").status_code == 200
    s = server.api("POST", "/api/v1/schedules", role="responder",
                   json={"name": "x", "time_zone": "UTC", "layers": [weekly([users["ann"]])]})
    assert s.status_code == 201, s.text
    # A user's feed: the user themself or an owner; a responder token has no user.
    r = server.api("POST", f"/api/v1/users/{users['ann']}/ical-token", role="responder")
    assert r.status_code == 403, r.text


def test_who_is_on_call_with_layers_restrictions_and_overrides(server, users):
    ann, bob, cid, dee = users["ann"], users["bob"], users["cid"], users["dee"]
    # Berlin: weekly rotation Monday 10:00 local; a night layer 22:00-06:00 (crossing midnight) wins
    # where it has someone.
    s = create(server, name="Follow the moon", time_zone="Europe/Berlin", layers=[
        weekly([ann, bob], start="2026-03-16T09:00:00Z"),
        {"name": "nights", "kind": "daily", "start": "2026-03-16T00:00:00Z", "handoff_time": "12:00",
         "user_ids": [cid], "restrictions": [{"start_time": "22:00", "end_time": "06:00"}]},
    ])
    sid = s["id"]
    assert on_call(server, sid, "2026-03-17T12:00:00Z") == [ann]   # Tuesday 13:00 CET
    assert on_call(server, sid, "2026-03-17T22:30:00Z") == [cid]   # 23:30 CET, night layer
    assert on_call(server, sid, "2026-03-18T04:59:00Z") == [cid]   # 05:59 CET
    assert on_call(server, sid, "2026-03-18T05:00:00Z") == [ann]   # 06:00 CET
    # Monday 2026-03-23 10:00 CET = 09:00 UTC; after the DST change 10:00 CEST = 08:00 UTC.
    assert on_call(server, sid, "2026-03-23T08:59:00Z") == [ann]
    assert on_call(server, sid, "2026-03-23T09:00:00Z") == [bob]
    assert on_call(server, sid, "2026-03-30T07:59:00Z") == [bob]
    assert on_call(server, sid, "2026-03-30T08:00:00Z") == [ann]
    assert on_call(server, sid, "2026-03-01T00:00:00Z") == []      # before the layers start

    # Dee replaces everyone on Tuesday 12:00-24:00 UTC, across the night window.
    over = server.ok("POST", f"/api/v1/schedules/{sid}/overrides",
                     json={"user_id": dee, "start": "2026-03-17T12:00:00Z", "end": "2026-03-18T00:00:00Z"}, expect=201)
    assert on_call(server, sid, "2026-03-17T22:30:00Z") == [dee]
    assert on_call(server, sid, "2026-03-18T00:00:00Z") == [cid]
    got = server.ok("GET", f"/api/v1/schedules/{sid}")
    assert [o["id"] for o in got["overrides"]] == [over["id"]]

    shifts = server.ok("GET", f"/api/v1/schedules/{sid}/shifts",
                       params={"from": "2026-03-17T00:00:00Z", "to": "2026-03-18T12:00:00Z"})
    final = [(x["user_id"], plain(x["start"]), plain(x["end"]), x["override"]) for x in shifts["shifts"]]
    assert final == [
        (cid, "2026-03-17T00:00:00Z", "2026-03-17T05:00:00Z", False),
        (ann, "2026-03-17T05:00:00Z", "2026-03-17T12:00:00Z", False),
        (dee, "2026-03-17T12:00:00Z", "2026-03-18T00:00:00Z", True),
        (cid, "2026-03-18T00:00:00Z", "2026-03-18T05:00:00Z", False),
        (ann, "2026-03-18T05:00:00Z", "2026-03-18T12:00:00Z", False),
    ]
    assert [x["name"] for x in shifts["layers"]] == ["weekly", "nights"]
    assert shifts["shifts"][1]["user_name"] == "ann"

    everyone = server.ok("GET", "/api/v1/oncall", params={"at": "2026-03-17T13:00:00Z"})
    assert [(x["schedule_id"], [u["id"] for u in x["users"]]) for x in everyone["data"]] == [(sid, [dee])]
    assert plain(everyone["data"][0]["until"]) == "2026-03-18T00:00:00Z"

    mine = server.ok("GET", f"/api/v1/users/{dee}/shifts",
                     params={"from": "2026-03-16T00:00:00Z", "to": "2026-03-20T00:00:00Z"})
    assert [(x["schedule_id"], plain(x["start"]), plain(x["end"])) for x in mine["data"]] == \
        [(sid, "2026-03-17T12:00:00Z", "2026-03-18T00:00:00Z")]
    assert server.api("GET", "/api/v1/users/nobody/shifts").status_code == 404

    # The CLI reads the same store.
    r = run_cli(server.binary, "schedules", "oncall", "--at", "2026-03-17T13:00:00Z", "--data", server.data_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{sid}  Follow the moon: dee ({dee})"
    r = run_cli(server.binary, "schedules", "list", "--data", server.data_dir)
    assert r.returncode == 0 and sid in r.stdout, r.stderr
    r = run_cli(server.binary, "schedules", "show", sid, "--days", "2", "--data", server.data_dir)
    assert r.returncode == 0 and r.stdout.startswith("Follow the moon (Europe/Berlin)"), r.stderr
    assert run_cli(server.binary, "schedules", "show", "nope", "--data", server.data_dir).returncode == 1

    assert server.api("DELETE", f"/api/v1/schedules/{sid}/overrides/{over['id']}").status_code == 204
    assert server.api("DELETE", f"/api/v1/schedules/{sid}/overrides/{over['id']}").status_code == 404
    assert on_call(server, sid, "2026-03-17T22:30:00Z") == [cid]


def unfold(text):
    assert "\n" not in text.replace("\r\n", ""), "a bare LF"
    return text.replace("\r\n ", "").split("\r\n")


def events(text):
    out, cur = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            cur = {}
        elif line == "END:VEVENT":
            out.append(cur)
            cur = None
        elif cur is not None and ":" in line:
            k, v = line.split(":", 1)
            cur[k] = v
    return out


def ical_time(v):
    return datetime.strptime(v, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


def test_ical_feeds(server, users):
    ann, bob = users["ann"], users["bob"]
    # A daily rotation that started well before now, so the feed (past week, next 8 weeks) is full.
    start = (datetime.now(timezone.utc) - timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    s = create(server, name="Daily, with a very long name that makes the calendar name line fold somewhere",
               time_zone="UTC",
               layers=[{"name": "d", "kind": "daily", "start": iso(start), "handoff_time": "08:00",
                        "user_ids": [ann, bob]}])
    sid = s["id"]
    feed = server.ok("POST", f"/api/v1/schedules/{sid}/ical-token", expect=201)
    assert feed["url"].startswith("/ical/schedules/") and feed["url"].endswith(".ics")
    r = server.get(feed["url"])  # no Authorization header: the token is the credential
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/calendar")
    text = r.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text  # the long calendar name was folded
    lines = unfold(text)
    assert "VERSION:2.0" in lines
    assert any(line.startswith("X-WR-CALNAME:Daily\\, with a very long name") for line in lines)
    evs = events(text)
    # The past week and the next 8 weeks of daily shifts: about 63 events.
    assert 60 <= len(evs) <= 66, len(evs)
    for e in evs:
        assert e["DTSTART"].endswith("Z") and e["DTEND"].endswith("Z")
        assert ical_time(e["DTEND"]) - ical_time(e["DTSTART"]) == timedelta(days=1)
        assert ical_time(e["DTSTART"]).hour == 8
    assert {e["SUMMARY"].split(" (")[0] for e in evs} == {"On call: ann", "On call: bob"}
    assert len({e["UID"] for e in evs}) == len(evs)
    # UIDs are stable across fetches.
    again = events(server.get(feed["url"]).content.decode("utf-8"))
    assert {e["UID"] for e in again} == {e["UID"] for e in evs}

    # Rotating the token: the old URL stops working, the new one works; the token is not stored.
    rotated = server.ok("POST", f"/api/v1/schedules/{sid}/ical-token", expect=201)
    assert rotated["url"] != feed["url"]
    assert server.get(feed["url"]).status_code == 404
    assert server.get(rotated["url"]).status_code == 200
    assert server.get("/ical/schedules/ics_" + "0" * 64 + ".ics").status_code == 404
    assert server.get(rotated["url"].replace("/ical/schedules/", "/ical/users/")).status_code == 404

    # A user's feed (an owner may make it): only that user's shifts.
    user_feed = server.ok("POST", f"/api/v1/users/{ann}/ical-token", expect=201)
    assert user_feed["url"].startswith("/ical/users/")
    mine = events(server.get(user_feed["url"]).content.decode("utf-8"))
    assert mine and all(e["SUMMARY"] == "On call: " + s["name"].replace(",", "\\,") for e in mine)
    assert {e["UID"] for e in mine} <= {e["UID"] for e in again}
    assert 28 <= len(mine) <= 34, len(mine)
