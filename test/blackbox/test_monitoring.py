"""Monitoring in `tocsin serve`: the monitor API, checks against a real local HTTP target,
automatic incidents, quorum over probe pushes, heartbeats, history endpoints and /uptime.

Every peer is real and local: the HTTP target (conftest.Target) runs in a thread on 127.0.0.1,
remote probes are simulated by pushing results with a probe token. Checks are driven with
POST /api/v1/monitors/{id}/check where possible instead of waiting for the schedule; every
wait is a bounded poll.

The /uptime page is fed by the uptime engine: once a minute, and within about a second after
the automation engine reloaded monitors or changed a monitor's state (commit 81e9934), so the
/uptime test polls with the normal bounded deadline.
"""

import datetime as dt

import pytest

from conftest import iso, parse_iso, poll, utcnow

MONITORS = "/api/v1/monitors"

ENGLISH_OUTAGE = "Our monitoring detected that {} is not available. We are looking into it."
GERMAN_OUTAGE = "Unsere Überwachung hat festgestellt, dass {} nicht erreichbar ist. Wir kümmern uns darum."
ENGLISH_RESOLVED = "{} is working normally again. This incident is resolved."
GERMAN_RESOLVED = "{} arbeitet wieder normal. Die Störung ist behoben."
ENGLISH_REOPENED = "The problem is back: {} is affected again."
GERMAN_REOPENED = "Das Problem ist zurück: {} ist wieder betroffen."


# ---- helpers --------------------------------------------------------------------------------

def assert_problem(r, status, field=None):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert body.get("field") == field, body
        assert field in body["detail"], f"detail does not name {field}: {body['detail']}"
    return body


def http_monitor(url, **fields):
    return {"name": "Target", "type": "http", "url": url, **fields}


def create(srv, body):
    r = srv.api("POST", MONITORS, json=body)
    assert r.status_code == 201, f"{r.status_code}: {r.text}"
    return r.json()


def get_monitor(srv, mid):
    return srv.ok("GET", f"{MONITORS}/{mid}", expect=200)


def state(srv, mid):
    return get_monitor(srv, mid)["state"]


def check_now(srv, mid):
    r = srv.api("POST", f"{MONITORS}/{mid}/check")
    assert r.status_code == 200, f"check now -> {r.status_code}: {r.text}"
    return r.json()


def unresolved(srv):
    return srv.json("/api/v2/incidents/unresolved.json")["incidents"]


def wait_state(srv, mid, status, what=None, deadline=20.0):
    return poll(lambda: (lambda s: s if s["status"] == status else None)(state(srv, mid)),
                what or f"monitor {mid} to be {status}", deadline=deadline, interval=0.1)


def push(srv, location, results, token=None):
    return srv.api("POST", f"/api/v1/probe/results?location={location}", role=None,
                   token=token or srv.token("probe"), json={"results": results})


def result(mid, outcome, at=None, **fields):
    return {"monitor_id": mid, "at": iso(at or utcnow()), "outcome": outcome, **fields}


# ---- CRUD -------------------------------------------------------------------------------------

def test_create_get_list_patch_delete(server, target):
    r = server.api("POST", MONITORS, json=http_monitor(target.url, name="Web", interval_s=60,
                                                       conditions=["[STATUS] == 200"]))
    assert r.status_code == 201, r.text
    m = r.json()
    assert r.headers["Location"] == f"{MONITORS}/{m['id']}"
    assert m["name"] == "Web" and m["type"] == "http" and m["url"] == target.url
    assert m["source"] == "api" and m["enabled"] is True
    assert m["interval_s"] == 60 and m["retries"] == 1 and m["quorum"] == 1
    assert m["locations"] == ["local"] and m["components"] == [] and m["conditions"] == ["[STATUS] == 200"]
    assert m["state"]["status"] == "up" and m["state"]["incident_id"] is None
    assert "heartbeat_url" not in m

    got = get_monitor(server, m["id"])
    assert got["id"] == m["id"] and got["name"] == "Web" and got["created_at"] == m["created_at"]

    listed = server.ok("GET", MONITORS)
    assert [x["id"] for x in listed] == [m["id"]]
    assert [x["id"] for x in server.ok("GET", MONITORS + "?type=http")] == [m["id"]]
    assert server.ok("GET", MONITORS + "?type=tcp") == []

    patched = server.ok("PATCH", f"{MONITORS}/{m['id']}", json={"name": "Website", "interval_s": 30}, expect=200)
    assert patched["name"] == "Website" and patched["interval_s"] == 30
    assert patched["url"] == target.url and patched["conditions"] == ["[STATUS] == 200"]  # absent fields kept
    assert parse_iso(patched["updated_at"]) >= parse_iso(patched["created_at"])
    assert get_monitor(server, m["id"])["name"] == "Website"

    # A GET sent back as a PATCH is accepted unchanged (output-only fields are ignored).
    again = server.ok("PATCH", f"{MONITORS}/{m['id']}", json=get_monitor(server, m["id"]), expect=200)
    assert again["name"] == "Website" and again["interval_s"] == 30

    r = server.api("DELETE", f"{MONITORS}/{m['id']}")
    assert r.status_code == 204, r.text
    assert_problem(server.api("GET", f"{MONITORS}/{m['id']}"), 404)
    assert_problem(server.api("DELETE", f"{MONITORS}/{m['id']}"), 404)
    assert server.ok("GET", MONITORS) == []


def test_secrets_are_never_shown(server, target):
    m = create(server, http_monitor(target.url, bearer_token="s3cret-bearer",
                                    basic_auth={"username": "ops", "password": "s3cret-pass"}))
    for text in (server.api("GET", f"{MONITORS}/{m['id']}").text, server.api("GET", MONITORS).text):
        assert "s3cret" not in text
    got = get_monitor(server, m["id"])
    assert sorted(got["secrets_set"]) == ["basic_auth.password", "bearer_token"]
    assert got["basic_auth"] == {"username": "ops"}
    # Patching another field keeps the secrets.
    server.ok("PATCH", f"{MONITORS}/{m['id']}", json={"name": "Renamed"}, expect=200)
    assert sorted(get_monitor(server, m["id"])["secrets_set"]) == ["basic_auth.password", "bearer_token"]


@pytest.fixture(scope="module")
def validation_site(tocsin_bin, tmp_path_factory):
    from conftest import Tocsin

    srv = Tocsin(tocsin_bin, tmp_path_factory.mktemp("validation") / "data").start()
    srv.component_id = srv.create_component("Checkout")["id"]
    srv.group_id = srv.create_group("Region")["id"]
    yield srv
    srv.terminate()


URL = "http://127.0.0.1:9/health"

INVALID_MONITORS = [
    ({"name": "x", "type": "http", "url": "ftp://example.com/"}, "url"),
    ({"name": "x", "type": "http", "url": "not a url"}, "url"),
    ({"name": "x", "type": "http"}, "url"),
    ({"name": "x", "type": "http", "url": URL, "interval_s": 5}, "interval_s"),
    ({"name": "x", "type": "http", "url": URL, "interval_s": "60"}, "interval_s"),
    ({"name": "x", "type": "http", "url": URL, "quorum": 2}, "quorum"),
    ({"name": "x", "type": "http", "url": URL, "locations": ["a", "b"], "quorum": 3}, "quorum"),
    ({"name": "x", "type": "http", "url": URL, "colour": "red"}, "colour"),
    ({"name": "x", "type": "http", "url": URL, "retries": 11}, "retries"),
    ({"name": "x", "type": "http", "url": URL, "locations": ["a", "bad place"]}, "locations[1]"),
    ({"name": "x", "type": "http", "url": URL, "locations": []}, "locations"),
    ({"name": "x", "type": "http", "url": URL, "timeout_ms": 20000, "interval_s": 10}, "timeout_ms"),
    ({"name": "x", "type": "http", "url": URL, "method": "BREW"}, "method"),
    ({"name": "x", "type": "http", "url": URL, "recovery_period_s": -1}, "recovery_period_s"),
    ({"name": "", "type": "http", "url": URL}, "name"),
    ({"name": "x", "type": "smtp", "url": URL}, "type"),
    ({"name": "x", "type": "tcp", "host": "127.0.0.1", "port": 70000}, "port"),
    ({"name": "x", "type": "tcp", "host": "bad host!", "port": 80}, "host"),
    ({"name": "x", "type": "heartbeat", "locations": ["berlin"]}, "locations"),
    ({"name": "x", "type": "http", "url": URL, "components": [{"component_id": "nosuchcomponent"}]},
     "components[0].component_id"),
    ({"name": "x", "type": "http", "url": URL, "components": [{"colour": "red"}]}, "components[0].colour"),
]


@pytest.mark.parametrize("body,field", INVALID_MONITORS, ids=[f"{c[1]}-{i}" for i, c in enumerate(INVALID_MONITORS)])
def test_invalid_monitor_names_the_field(validation_site, body, field):
    before = len(validation_site.ok("GET", MONITORS))
    assert_problem(validation_site.api("POST", MONITORS, json=body), 400, field=field)
    assert len(validation_site.ok("GET", MONITORS)) == before


@pytest.mark.parametrize("conditions,index", [
    (["[STATUS] = 200"], 0),
    (["[STATUS] == 200", "[BODY].status =="], 1),
    (["[STATUS] in 200..299", "[BODY] matches \"(a)\\1\""], 1),
])
def test_bad_condition_names_its_index_and_column(validation_site, conditions, index):
    r = validation_site.api("POST", MONITORS, json={"name": "x", "type": "http", "url": URL, "conditions": conditions})
    body = assert_problem(r, 400, field=f"conditions[{index}]")
    assert "column " in body["detail"], body["detail"]


def test_first_condition_error_column_is_exact(validation_site):
    r = validation_site.api("POST", MONITORS, json={"name": "x", "type": "http", "url": URL,
                                                     "conditions": ["[STATUS] = 200"]})
    # "[STATUS] = 200": the operator starts at character 10.
    assert "column 10" in assert_problem(r, 400, field="conditions[0]")["detail"]


def test_link_to_group_or_missing_component_is_refused(validation_site):
    srv = validation_site
    r = srv.api("POST", MONITORS, json={"name": "x", "type": "http", "url": URL,
                                       "components": [srv.component_id, {"component_id": srv.group_id}]})
    assert_problem(r, 400, field="components[1].component_id")
    r = srv.api("POST", MONITORS, json={"name": "x", "type": "http", "url": URL,
                                       "components": [{"component_id": srv.component_id,
                                                       "down_status": "operational"}]})
    assert_problem(r, 400, field="components[0].down_status")


def test_patch_validates_and_keeps_the_old_monitor(validation_site):
    srv = validation_site
    m = create(srv, {"name": "Keep", "type": "http", "url": URL, "interval_s": 60})
    path = f"{MONITORS}/{m['id']}"
    assert_problem(srv.api("PATCH", path, json={"type": "tcp"}), 400, field="type")
    assert_problem(srv.api("PATCH", path, json={"interval_s": 9}), 400, field="interval_s")
    assert_problem(srv.api("PATCH", path, json={"quorum": 2}), 400, field="quorum")
    assert_problem(srv.api("PATCH", path, json={"nickname": "k"}), 400, field="nickname")
    assert_problem(srv.api("PATCH", path, json={"components": [{"component_id": "gone"}]}), 400,
                   field="components[0].component_id")
    assert_problem(srv.api("PATCH", path, json={"conditions": ["[BODY].a >"]}), 400, field="conditions[0]")
    got = get_monitor(srv, m["id"])
    assert got["type"] == "http" and got["interval_s"] == 60 and got["quorum"] == 1
    assert got["components"] == [] and got["conditions"] == []
    # The same type is not a change.
    assert srv.ok("PATCH", path, json={"type": "http"}, expect=200)["type"] == "http"
    assert_problem(srv.api("PATCH", f"{MONITORS}/nosuchmonitor", json={"name": "x"}), 404)


def test_list_filter_by_unknown_type_is_400(validation_site):
    assert_problem(validation_site.api("GET", MONITORS + "?type=smtp"), 400, field="type")


def test_malformed_body_is_400(validation_site):
    r = validation_site.api("POST", MONITORS, data="{not json", headers={"Content-Type": "application/json"})
    assert_problem(r, 400)
    assert_problem(validation_site.api("POST", MONITORS, json=["name"]), 400)


# ---- authentication and roles -----------------------------------------------------------------

# Every monitoring route and the weakest role that may call it (src/tocsin/api/monitor_api.hpp).
MONITOR_ROUTES = [
    ("GET", "/api/v1/monitors", "stakeholder"),
    ("POST", "/api/v1/monitors", "responder"),
    ("GET", "/api/v1/monitors/{id}", "stakeholder"),
    ("PATCH", "/api/v1/monitors/{id}", "responder"),
    ("DELETE", "/api/v1/monitors/{id}", "responder"),
    ("POST", "/api/v1/monitors/{id}/heartbeat-token", "responder"),
    ("POST", "/api/v1/monitors/{id}/check", "responder"),
    ("GET", "/api/v1/monitors/{id}/results", "stakeholder"),
    ("GET", "/api/v1/monitors/{id}/rollups", "stakeholder"),
    ("GET", "/api/v1/monitors/{id}/uptime", "stakeholder"),
    ("GET", "/api/v1/monitors/{id}/events", "stakeholder"),
    ("GET", "/api/v1/components/{id}/uptime", "stakeholder"),
    ("GET", "/api/v1/probe/assignments?location=berlin", "probe"),
    ("POST", "/api/v1/probe/results?location=berlin", "probe"),
]
HUMAN_ROUTES = [r for r in MONITOR_ROUTES if r[2] != "probe"]
WRITE_ROUTES = [r for r in MONITOR_ROUTES if r[0] != "GET" and r[2] != "probe"]


def rid(route):
    return f"{route[0]} {route[1]}"


def send(srv, method, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {"json": {"name": "x", "results": []}} if method in ("POST", "PATCH") else {}
    return srv.request(method, path.replace("{id}", "doesnotexist"), headers=headers, **kwargs)


@pytest.mark.parametrize("route", MONITOR_ROUTES, ids=rid)
def test_monitor_route_without_token_is_401(validation_site, route):
    r = send(validation_site, route[0], route[1])
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(send(validation_site, route[0], route[1], token="tcs_not_a_real_token_0123456789"), 401)


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=rid)
def test_stakeholder_cannot_write_monitors(validation_site, route):
    r = send(validation_site, route[0], route[1], token=validation_site.token("stakeholder"))
    assert "responder" in assert_problem(r, 403)["detail"]


@pytest.mark.parametrize("route", [r for r in HUMAN_ROUTES if r[0] == "GET"], ids=rid)
def test_stakeholder_can_read_monitors(validation_site, route):
    r = send(validation_site, route[0], route[1], token=validation_site.token("stakeholder"))
    # Past the guard: a list answers 200, an object that does not exist 404.
    assert r.status_code in (200, 404), r.text
    if "{id}" in route[1]:
        assert_problem(r, 404)


PROBE_ROUTES = [r for r in MONITOR_ROUTES if r[2] == "probe"]


@pytest.mark.parametrize("role", ["stakeholder", "responder", "owner"])
@pytest.mark.parametrize("route", PROBE_ROUTES, ids=rid)
def test_probe_routes_take_only_probe_tokens(validation_site, route, role):
    # They hand out monitors' credentials and feed the automation: no human token opens them.
    r = send(validation_site, route[0], route[1], token=validation_site.token(role))
    assert "probe" in assert_problem(r, 403)["detail"]


@pytest.mark.parametrize("route", HUMAN_ROUTES + [("GET", "/api/v1/components", "stakeholder"),
                                                  ("GET", "/api/v1/incidents", "stakeholder")], ids=rid)
def test_probe_token_is_refused_on_human_routes(validation_site, route):
    r = send(validation_site, route[0], route[1], token=validation_site.token("probe"))
    assert "probe" in assert_problem(r, 403)["detail"]


def test_probe_token_may_use_the_probe_routes(validation_site):
    srv = validation_site
    probe = srv.token("probe")
    m = create(srv, {"name": "Probed", "type": "http", "url": URL, "locations": ["berlin"], "interval_s": 60,
                     "bearer_token": "probe-needs-this"})
    r = srv.api("GET", "/api/v1/probe/assignments?location=berlin", role=None, token=probe)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["location"] == "berlin"
    mine = [x for x in got["monitors"] if x["id"] == m["id"]]
    assert len(mine) == 1
    assert mine[0]["url"] == URL and mine[0]["bearer_token"] == "probe-needs-this"  # the probe needs secrets
    assert "components" not in mine[0]
    r = srv.api("GET", "/api/v1/probe/assignments?location=paris", role=None, token=probe)
    assert m["id"] not in [x["id"] for x in r.json()["monitors"]]
    assert_problem(srv.api("GET", "/api/v1/probe/assignments", role=None, token=probe), 400, field="location")
    r = push(srv, "berlin", [result(m["id"], "up", total_us=1200)], token=probe)
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": 1, "ignored": 0}
    # A location the monitor does not list, and a monitor that does not exist: dropped, counted.
    r = push(srv, "paris", [result(m["id"], "down")], token=probe)
    assert r.status_code == 202 and r.json() == {"accepted": 0, "ignored": 1}, r.text
    r = push(srv, "berlin", [result("nosuchmonitor", "down"), result(m["id"], "up")], token=probe)
    assert r.status_code == 202 and r.json() == {"accepted": 1, "ignored": 1}, r.text
    assert [x["location"] for x in srv.ok("GET", f"{MONITORS}/{m['id']}/results")] == ["berlin", "berlin"]
    assert_problem(srv.api("POST", "/api/v1/probe/results", role=None, token=probe, json={"results": []}), 400,
                   field="location")


# ---- check now --------------------------------------------------------------------------------

@pytest.fixture
def checked(validation_site, target):
    """A monitor on the target with a long interval: only POST .../check runs it."""
    m = create(validation_site, http_monitor(target.url, name="Checked", interval_s=3600, timeout_ms=3000))
    yield validation_site, target, m["id"]
    validation_site.api("DELETE", f"{MONITORS}/{m['id']}")


def test_check_now_up_with_status_and_timings(checked):
    srv, target, mid = checked
    before = utcnow()
    r = check_now(srv, mid)
    assert target.hits == 1 and target.last_path == "/health"
    assert r["monitor_id"] == mid and r["location"] == "local"
    assert r["outcome"] == "up" and r["error"] == "none" and r["message"] == ""
    assert r["status_code"] == 200
    assert r["total_us"] > 0
    assert r["connect_us"] is not None and 0 <= r["connect_us"] <= r["total_us"]
    assert r["first_byte_us"] is not None and r["connect_us"] <= r["first_byte_us"] <= r["total_us"]
    assert r["dns_us"] is None and r["tls_us"] is None  # an IP literal over plain HTTP
    at = parse_iso(r["at"])
    assert before - dt.timedelta(seconds=1) <= at <= utcnow() + dt.timedelta(seconds=1)
    # The result is stored (by the automation engine, within a second or so).
    stored = poll(lambda: srv.ok("GET", f"{MONITORS}/{mid}/results"), "the check result to be stored")
    assert [x["at"] for x in stored] == [r["at"]] and stored[0]["status_code"] == 200


def test_check_now_503_is_down_with_condition_error(checked):
    srv, target, mid = checked
    target.set(status=503, body="busy")
    r = check_now(srv, mid)
    assert r["outcome"] == "down" and r["error"] == "condition" and r["status_code"] == 503
    assert "503" in r["message"], r["message"]


def test_check_now_condition_on_json_body(checked):
    srv, target, mid = checked
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"conditions": ["[STATUS] == 200", "[BODY].status == UP",
                                                             "[BODY].checks[0].ms < 50"]}, expect=200)
    target.set(body='{"status": "UP", "checks": [{"ms": 12}]}')
    assert check_now(srv, mid)["outcome"] == "up"
    target.set(body='{"status": "DEGRADED", "checks": [{"ms": 12}]}')
    r = check_now(srv, mid)
    assert (r["outcome"], r["error"]) == ("down", "condition")
    assert r["message"] == '[BODY].status == UP failed: [BODY].status is "DEGRADED"'
    target.set(body='{"status": "UP", "checks": [{"ms": 99}]}')
    assert check_now(srv, mid)["message"] == "[BODY].checks[0].ms < 50 failed: [BODY].checks[0].ms is 99"
    target.set(body="<html>oops</html>", content_type="text/html")
    r = check_now(srv, mid)
    assert r["outcome"] == "down" and "body is not JSON" in r["message"], r["message"]


def test_check_now_refused_port_is_connect_error(validation_site, refused_url):
    m = create(validation_site, http_monitor(refused_url, name="Refused", interval_s=3600, timeout_ms=3000))
    r = check_now(validation_site, m["id"])
    assert (r["outcome"], r["error"]) == ("down", "connect"), r
    assert r["message"] and r["status_code"] == 0


def test_check_now_slow_target_is_timeout_or_degraded(checked):
    srv, target, mid = checked
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"timeout_ms": 400}, expect=200)
    target.set(delay=1.5)
    r = check_now(srv, mid)
    assert (r["outcome"], r["error"]) == ("down", "timeout"), r
    assert r["total_us"] >= 350_000  # about the 400 ms timeout
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"timeout_ms": 3000, "degraded_threshold_ms": 100}, expect=200)
    target.set(delay=0.3)
    r = check_now(srv, mid)
    assert (r["outcome"], r["status_code"]) == ("degraded", 200), r
    assert r["total_us"] >= 100_000


def test_check_now_on_heartbeat_or_missing_monitor(validation_site):
    hb = create(validation_site, {"name": "HB", "type": "heartbeat", "interval_s": 60})
    assert_problem(validation_site.api("POST", f"{MONITORS}/{hb['id']}/check"), 409)
    assert_problem(validation_site.api("POST", f"{MONITORS}/nosuchmonitor/check"), 404)


# ---- automatic incidents ----------------------------------------------------------------------

@pytest.fixture
def linked(server, target):
    """A component API watched by a monitor that reacts to one check (retries 0, no recovery wait)."""
    comp = server.create_component("API")
    m = create(server, http_monitor(target.url, name="API health", interval_s=10, retries=0, recovery_period_s=0,
                                    components=[{"component_id": comp["id"]}]))
    return server, target, comp["id"], m["id"]


def wait_unresolved(srv, n, what):
    return poll(lambda: (lambda l: l if len(l) == n else None)(unresolved(srv)), what, interval=0.1) if n else \
        poll(lambda: unresolved(srv) == [], what, interval=0.1)


def test_outage_opens_one_incident_and_recovery_resolves_it(linked):
    srv, target, cid, mid = linked
    target.set(status=500, body="boom")
    assert check_now(srv, mid)["outcome"] == "down"
    inc = wait_unresolved(srv, 1, "the automatic incident")[0]
    poll(lambda: srv.component_status(cid) == "major_outage", "the component to be major_outage")
    assert inc["name"] == "Outage: API"
    assert inc["status"] == "investigating"
    body = inc["incident_updates"][0]["body"]
    assert ENGLISH_OUTAGE.format("API") in body and GERMAN_OUTAGE.format("API") in body
    assert body.index(ENGLISH_OUTAGE.format("API")) < body.index(GERMAN_OUTAGE.format("API"))  # page default: en
    admin = srv.ok("GET", f"/api/v1/incidents/{inc['id']}")
    assert [c["id"] for c in admin["components"]] == [cid]
    st = state(srv, mid)
    assert st["status"] == "down" and st["incident_id"] == inc["id"]
    assert "500" in st["message"], st
    assert st["locations"]["local"]["status"] == "down"
    # More down checks do not open more incidents.
    check_now(srv, mid)
    assert [i["id"] for i in unresolved(srv)] == [inc["id"]]

    target.set(status=200, body="ok")
    assert check_now(srv, mid)["outcome"] == "up"
    wait_unresolved(srv, 0, "the incident to be resolved")
    poll(lambda: srv.component_status(cid) == "operational", "the component to be operational again")
    got = srv.ok("GET", f"/api/v1/incidents/{inc['id']}")
    assert got["status"] == "resolved" and got["resolved_at"] is not None
    closing = got["incident_updates"][0]["body"]
    assert ENGLISH_RESOLVED.format("API") in closing and GERMAN_RESOLVED.format("API") in closing
    st = state(srv, mid)
    assert st["status"] == "up" and st["incident_id"] is None
    assert len(srv.json("/api/v2/incidents.json")["incidents"]) == 1


def test_flapping_reopens_the_same_incident(linked):
    srv, target, cid, mid = linked
    target.set(status=500)
    check_now(srv, mid)
    first = wait_unresolved(srv, 1, "the automatic incident")[0]
    target.set(status=200)
    check_now(srv, mid)
    wait_unresolved(srv, 0, "the incident to be resolved")
    target.set(status=500)
    check_now(srv, mid)
    again = wait_unresolved(srv, 1, "the incident to reopen")[0]
    assert again["id"] == first["id"]
    assert len(srv.json("/api/v2/incidents.json")["incidents"]) == 1
    poll(lambda: srv.component_status(cid) == "major_outage", "the component to be major_outage again")
    got = srv.ok("GET", f"/api/v1/incidents/{first['id']}")
    assert [u["status"] for u in got["incident_updates"]] == ["investigating", "resolved", "investigating"]
    newest = got["incident_updates"][0]["body"]
    assert ENGLISH_REOPENED.format("API") in newest and GERMAN_REOPENED.format("API") in newest
    assert state(srv, mid)["incident_id"] == first["id"]
    events = srv.ok("GET", f"{MONITORS}/{mid}/events")
    assert [(e["from"], e["to"]) for e in events] == [("up", "down"), ("down", "up"), ("up", "down")]
    assert all(e["monitor_id"] == mid for e in events)
    assert [parse_iso(e["at"]) for e in events] == sorted(parse_iso(e["at"]) for e in events)


def test_human_update_takes_the_incident_over(linked):
    srv, target, cid, mid = linked
    target.set(status=500)
    check_now(srv, mid)
    inc = wait_unresolved(srv, 1, "the automatic incident")[0]
    srv.post_update(inc["id"], status="identified", body="A bad deploy; rolling back.")
    target.set(status=200)
    check_now(srv, mid)
    wait_state(srv, mid, "up")
    # Automation leaves a taken-over incident (and its components) to the human.
    assert [i["id"] for i in unresolved(srv)] == [inc["id"]]
    got = srv.ok("GET", f"/api/v1/incidents/{inc['id']}")
    assert [u["status"] for u in got["incident_updates"]] == ["identified", "investigating"]
    assert srv.component_status(cid) == "major_outage"
    srv.post_update(inc["id"], status="resolved", body="Rolled back.")
    assert srv.component_status(cid) == "operational"


def test_retries_need_consecutive_failures(linked):
    srv, target, cid, mid = linked
    # A long interval: a scheduled check in between would change the counts this test reads.
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"retries": 2, "interval_s": 3600}, expect=200)
    target.set(status=500)
    last = None
    for n in (1, 2):
        last = check_now(srv, mid)
        loc = poll(lambda: (lambda l: l if l and l["last_at"] == last["at"] else None)(
            state(srv, mid)["locations"].get("local")), f"failure {n} to be applied", interval=0.1)
        assert loc["failures_in_row"] == n and loc["status"] == "up"
        assert state(srv, mid)["status"] == "up"
    assert unresolved(srv) == []
    check_now(srv, mid)
    st = wait_state(srv, mid, "down", "the third failure in a row")
    assert st["locations"]["local"]["failures_in_row"] == 3
    wait_unresolved(srv, 1, "the automatic incident after three failures")
    # One good check resets the count.
    target.set(status=200)
    check_now(srv, mid)
    assert wait_state(srv, mid, "up")["locations"]["local"]["failures_in_row"] == 0


def test_degraded_then_down_is_one_incident(linked):
    srv, target, cid, mid = linked
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"timeout_ms": 5000, "degraded_threshold_ms": 150}, expect=200)
    target.set(delay=0.5)
    assert check_now(srv, mid)["outcome"] == "degraded"
    inc = wait_unresolved(srv, 1, "the degraded incident")[0]
    assert inc["name"] == "Degraded performance: API"
    body = inc["incident_updates"][0]["body"]
    assert "Our monitoring detected that API is responding slowly. We are looking into it." in body
    assert "Unsere Überwachung hat festgestellt, dass API langsam antwortet. Wir kümmern uns darum." in body
    poll(lambda: srv.component_status(cid) == "degraded_performance", "the component to be degraded")
    target.set(delay=0, status=500)
    check_now(srv, mid)
    poll(lambda: srv.component_status(cid) == "major_outage", "the component to be major_outage")
    got = srv.ok("GET", f"/api/v1/incidents/{inc['id']}")
    assert len(got["incident_updates"]) == 2
    assert "The problem has become worse: API is now not available." in got["incident_updates"][0]["body"]
    assert [i["id"] for i in unresolved(srv)] == [inc["id"]]


def test_recovery_period_delays_the_resolution(linked):
    srv, target, cid, mid = linked
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"recovery_period_s": 6}, expect=200)
    target.set(status=500)
    check_now(srv, mid)
    inc = wait_unresolved(srv, 1, "the automatic incident")[0]
    target.set(status=200)
    check_now(srv, mid)
    up = wait_state(srv, mid, "up")
    since = parse_iso(up["since"])
    if utcnow() - since < dt.timedelta(seconds=4):  # only when this machine is fast enough to look in time
        assert [i["id"] for i in unresolved(srv)] == [inc["id"]]
        assert srv.component_status(cid) == "major_outage"
    wait_unresolved(srv, 0, "the resolution after the recovery period")
    got = srv.ok("GET", f"/api/v1/incidents/{inc['id']}")
    assert parse_iso(got["resolved_at"]) - since >= dt.timedelta(seconds=6)
    assert srv.component_status(cid) == "operational"


def test_german_page_writes_german_first(linked):
    srv, target, cid, mid = linked
    srv.ok("PATCH", "/api/v1/page", json={"default_language": "de"}, expect=200)
    target.set(status=500)
    check_now(srv, mid)
    inc = wait_unresolved(srv, 1, "the automatic incident")[0]
    assert inc["name"] == "Störung: API"
    body = inc["incident_updates"][0]["body"]
    assert body.index(GERMAN_OUTAGE.format("API")) < body.index(ENGLISH_OUTAGE.format("API"))


def test_maintenance_in_progress_keeps_incidents_away(linked):
    srv, target, cid, mid = linked
    mt = srv.create_maintenance("Database upgrade", dt.timedelta(hours=1), dt.timedelta(hours=1), component_ids=[cid])
    srv.ok("POST", f"/api/v1/maintenances/{mt['id']}/updates", json={"status": "in_progress", "body": "Go."},
           expect=201)
    assert srv.component_status(cid) == "under_maintenance"
    target.set(status=500)
    assert check_now(srv, mid)["outcome"] == "down"
    wait_state(srv, mid, "down")
    # The decision is taken in the same transaction as the state: nothing may have opened.
    assert unresolved(srv) == []
    assert srv.json("/api/v2/incidents.json")["incidents"] == []
    assert srv.component_status(cid) == "under_maintenance"
    assert state(srv, mid)["incident_id"] is None
    events = srv.ok("GET", f"{MONITORS}/{mid}/events")
    assert [e["to"] for e in events] == ["down"]


def test_outage_still_shown_after_the_maintenance_ends(linked):
    """The window kept the outage off the page; once it is over and the monitor is still down,
    the component must not read operational (server bug when this fails: completing the
    maintenance restores 'operational' and nothing re-applies the confirmed down state)."""
    srv, target, cid, mid = linked
    mt = srv.create_maintenance("Database upgrade", dt.timedelta(hours=1), dt.timedelta(hours=1), component_ids=[cid])
    srv.ok("POST", f"/api/v1/maintenances/{mt['id']}/updates", json={"status": "in_progress", "body": "Go."},
           expect=201)
    target.set(status=500)
    check_now(srv, mid)
    wait_state(srv, mid, "down")
    srv.ok("POST", f"/api/v1/maintenances/{mt['id']}/updates", json={"status": "completed", "body": "Done."},
           expect=201)
    assert check_now(srv, mid)["outcome"] == "down"

    def shown():
        check_now(srv, mid)
        return srv.component_status(cid) != "operational"

    poll(shown, "the still-down monitor to show on its component after the window", deadline=10, interval=1.0)
    assert srv.component_status(cid) == "major_outage"


def test_create_incidents_false_sets_the_component_only(linked):
    srv, target, cid, mid = linked
    srv.ok("PATCH", f"{MONITORS}/{mid}", json={"create_incidents": False,
                                              "components": [{"component_id": cid,
                                                              "down_status": "partial_outage"}]}, expect=200)
    target.set(status=500)
    check_now(srv, mid)
    poll(lambda: srv.component_status(cid) == "partial_outage", "the component to be partial_outage")
    assert unresolved(srv) == []
    target.set(status=200)
    check_now(srv, mid)
    poll(lambda: srv.component_status(cid) == "operational", "the component to be operational again")
    assert srv.json("/api/v2/incidents.json")["incidents"] == []


# ---- quorum over probe pushes -----------------------------------------------------------------

@pytest.fixture
def two_probes(server, target):
    comp = server.create_component("Edge")
    m = create(server, http_monitor(target.url, name="Edge", interval_s=60, retries=0, recovery_period_s=0,
                                    locations=["berlin", "frankfurt"], quorum=2,
                                    components=[{"component_id": comp["id"]}]))
    return server, comp["id"], m["id"]


def wait_location(srv, mid, location, at):
    """Until the automation engine has applied the result of `location` stamped `at`."""
    def seen():
        loc = state(srv, mid)["locations"].get(location)
        return loc if loc and parse_iso(loc["last_at"]) >= parse_iso(at) else None
    return poll(seen, f"the {location} result of {at} to be applied", interval=0.1)


def test_quorum_needs_both_locations(two_probes):
    srv, cid, mid = two_probes
    # The local engine does not run it: "local" is not one of its locations.
    first = result(mid, "down", error="connect", message="connection refused")
    r = push(srv, "berlin", [first])
    assert r.status_code == 202 and r.json() == {"accepted": 1, "ignored": 0}, r.text
    loc = wait_location(srv, mid, "berlin", first["at"])
    assert loc["status"] == "down" and loc["message"] == "connection refused"
    st = state(srv, mid)
    assert st["status"] == "up" and st["incident_id"] is None
    assert unresolved(srv) == [] and srv.component_status(cid) == "operational"

    # A location the monitor does not list is not a vote: paris is ignored.
    r = push(srv, "paris", [result(mid, "down", error="connect")])
    assert r.status_code == 202 and r.json() == {"accepted": 0, "ignored": 1}, r.text
    marker = result(mid, "down", error="connect", message="still refused")
    assert push(srv, "berlin", [marker]).status_code == 202
    wait_location(srv, mid, "berlin", marker["at"])  # results are applied in order: paris went first
    st = state(srv, mid)
    assert "paris" not in st["locations"] and st["status"] == "up"
    assert unresolved(srv) == []

    assert push(srv, "frankfurt", [result(mid, "down", error="timeout", message="no answer")]).status_code == 202
    inc = wait_unresolved(srv, 1, "the incident once both locations are down")[0]
    assert inc["name"] == "Outage: Edge"
    st = wait_state(srv, mid, "down")
    assert st["locations"]["berlin"]["status"] == "down" and st["locations"]["frankfurt"]["status"] == "down"
    poll(lambda: srv.component_status(cid) == "major_outage", "the component to be major_outage")
    events = srv.ok("GET", f"{MONITORS}/{mid}/events")
    assert events[-1]["to"] == "down" and sorted(events[-1]["locations"]) == ["berlin", "frankfurt"]

    # One location up again breaks the quorum: resolved (recovery_period_s 0).
    assert push(srv, "berlin", [result(mid, "up", status_code=200, total_us=900)]).status_code == 202
    wait_unresolved(srv, 0, "the incident to be resolved")
    assert wait_state(srv, mid, "up")["locations"]["frankfurt"]["status"] == "down"


def test_silent_probes_stop_voting(server, target):
    """A location that has not reported for three intervals (plus the timeout) is no vote:
    an outage seen only by probes that then fall silent ends by itself."""
    comp = server.create_component("Edge")
    m = create(server, http_monitor(target.url, name="Edge", interval_s=10, timeout_ms=1000, retries=0,
                                    recovery_period_s=0, locations=["berlin", "frankfurt"], quorum=2,
                                    components=[{"component_id": comp["id"]}]))
    mid = m["id"]
    # Stale 31 s after `at` (3 x 10 s + 1 s): 24 s ago leaves about 7 s of freshness.
    at = utcnow() - dt.timedelta(seconds=24)
    assert push(server, "berlin", [result(mid, "down", at=at, error="timeout")]).status_code == 202
    assert push(server, "frankfurt", [result(mid, "down", at=at, error="timeout")]).status_code == 202
    events = poll(lambda: (lambda e: e if len(e) >= 2 else None)(server.ok("GET", f"{MONITORS}/{mid}/events")),
                  "the outage and its end once the probes are stale", interval=0.2)
    assert [(e["from"], e["to"]) for e in events] == [("up", "down"), ("down", "up")]
    assert parse_iso(events[1]["at"]) - at >= dt.timedelta(seconds=30)
    assert events[1]["locations"] == []
    wait_unresolved(server, 0, "the automatic incident to be resolved")
    assert len(server.json("/api/v2/incidents.json")["incidents"]) == 1
    assert server.component_status(comp["id"]) == "operational"


def test_result_from_the_future_does_not_pin_the_location(two_probes):
    """A probe with a clock an hour ahead (or a bad batch) must not freeze the location: the
    server may refuse or clamp such a result, but a current result afterwards must count
    (server bug when this fails: results older than the location's last one are ignored,
    so one result dated +1 h hides every real result for an hour)."""
    srv, cid, mid = two_probes
    r = push(srv, "berlin", [result(mid, "down", at=utcnow() + dt.timedelta(hours=1), error="timeout")])
    assert r.status_code in (202, 400), r.text
    now = result(mid, "up", status_code=200, total_us=1000)
    assert push(srv, "berlin", [now]).status_code == 202
    poll(lambda: (state(srv, mid)["locations"].get("berlin") or {}).get("last_outcome") == "up",
         "the current up result of berlin to count", deadline=6, interval=0.2)


def test_probe_results_are_stored_per_location(two_probes):
    srv, cid, mid = two_probes
    at = utcnow() - dt.timedelta(seconds=30)
    r = push(srv, "berlin", [result(mid, "up", at=at, status_code=200, total_us=1500, connect_us=300,
                                    first_byte_us=1000),
                             result(mid, "up", at=at + dt.timedelta(seconds=10), status_code=200, total_us=1600)])
    assert r.status_code == 202 and r.json() == {"accepted": 2, "ignored": 0}
    stored = srv.ok("GET", f"{MONITORS}/{mid}/results?location=berlin")
    assert [x["location"] for x in stored] == ["berlin", "berlin"]
    assert [x["total_us"] for x in stored] == [1600, 1500]  # newest first
    assert stored[1]["connect_us"] == 300 and stored[1]["first_byte_us"] == 1000
    assert srv.ok("GET", f"{MONITORS}/{mid}/results?location=frankfurt") == []


BAD_BATCHES = [
    ({"monitor_id": "M", "at": "now", "outcome": "down"}, "results[0].at"),
    ({"monitor_id": "M", "outcome": "down"}, "results[0].at"),
    ({"at": "T", "outcome": "down"}, "results[0].monitor_id"),
    ({"monitor_id": "M", "at": "T", "outcome": "sideways"}, "results[0].outcome"),
    ({"monitor_id": "M", "at": "T"}, "results[0].outcome"),
    ({"monitor_id": "M", "at": "T", "outcome": "down", "error": "gremlins"}, "results[0].error"),
    ({"monitor_id": "M", "at": "T", "outcome": "down", "status_code": 1000}, "results[0].status_code"),
    ({"monitor_id": "M", "at": "T", "outcome": "down", "total_us": -5}, "results[0].total_us"),
    ({"monitor_id": "M", "at": "T", "outcome": "down", "message": 7}, "results[0].message"),
    ("down", "results[0]"),
]


@pytest.fixture(scope="module")
def batch_target(validation_site):
    """A monitor at berlin on the module's server that never receives a good result."""
    m = create(validation_site, {"name": "Batch target", "type": "http", "url": URL, "interval_s": 60,
                                 "locations": ["berlin"]})
    return validation_site, m["id"]


@pytest.mark.parametrize("item,field", BAD_BATCHES, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD_BATCHES)])
def test_bad_result_batch_names_the_field(batch_target, item, field):
    srv, mid = batch_target
    now = iso(utcnow())

    def fill(x):
        return {k: (mid if v == "M" else now if v == "T" else v) for k, v in x.items()} if isinstance(x, dict) else x

    assert_problem(push(srv, "berlin", [fill(item)]), 400, field=field)
    # The index is that of the bad element; the good one before it is not stored either.
    shifted = field.replace("results[0]", "results[1]")
    assert_problem(push(srv, "berlin", [result(mid, "down"), fill(item)]), 400, field=shifted)
    assert srv.ok("GET", f"{MONITORS}/{mid}/results") == []
    assert state(srv, mid)["locations"] == {}


def test_result_batch_too_large_is_413(validation_site):
    srv = validation_site
    mid = create(srv, {"name": "Big batch", "type": "http", "url": URL, "interval_s": 60, "locations": ["berlin"]})["id"]
    at = iso(utcnow())
    r = push(srv, "berlin", [{"monitor_id": mid, "at": at, "outcome": "up"}] * 2001)
    assert_problem(r, 413, field="results")
    assert srv.ok("GET", f"{MONITORS}/{mid}/results") == []
    r = push(srv, "berlin", [{"monitor_id": mid, "at": at, "outcome": "up"}] * 2000)
    assert r.status_code == 202 and r.json() == {"accepted": 2000, "ignored": 0}, r.text


def test_result_batch_that_is_not_a_list(batch_target):
    srv, mid = batch_target
    probe = srv.token("probe")
    for body in ({}, {"results": {"monitor_id": mid}}, {"results": "x"}):
        r = srv.api("POST", "/api/v1/probe/results?location=berlin", role=None, token=probe, json=body)
        assert_problem(r, 400, field="results")


# ---- heartbeats -------------------------------------------------------------------------------

def test_heartbeat_pings_misses_and_reported_failures(server):
    r = server.api("POST", MONITORS, json={"name": "Nightly backup", "type": "heartbeat", "interval_s": 10,
                                           "heartbeat_grace_s": 0, "retries": 0})
    assert r.status_code == 201, r.text
    m = r.json()
    mid, url = m["id"], m["heartbeat_url"]
    assert url.startswith("/api/v1/heartbeats/") and len(url) > len("/api/v1/heartbeats/") + 16
    assert m["heartbeat_grace_s"] == 0 and m["state"]["last_ping_at"] is None
    secret = url.rsplit("/", 1)[1]
    # The ping URL is shown once: never again in GET or the list.
    assert "heartbeat_url" not in get_monitor(server, mid)
    assert secret not in server.api("GET", MONITORS).text
    assert secret not in server.api("GET", f"{MONITORS}/{mid}").text

    for method in ("GET", "POST"):
        r = server.request(method, url)  # no Authorization: the secret is the credential
        assert r.status_code == 200, r.text
        assert r.json()["ok"] is True and r.json()["monitor_id"] == mid
    assert server.request("HEAD", url).status_code == 200
    assert_problem(server.request("GET", "/api/v1/heartbeats/hb_" + "0" * 64), 404)
    assert_problem(server.request("GET", url + "x"), 404)
    st = poll(lambda: (lambda s: s if s["last_ping_at"] else None)(state(server, mid)), "the ping to be applied",
              interval=0.1)
    assert st["status"] == "up"
    last_ping = parse_iso(st["last_ping_at"])

    # No ping for interval + grace (10 s): down, with the time of the last ping in the message.
    st = wait_state(server, mid, "down", "the missed heartbeat", deadline=30)
    assert utcnow() - last_ping >= dt.timedelta(seconds=10)
    assert st["message"].startswith("no heartbeat since"), st
    missed = server.ok("GET", f"{MONITORS}/{mid}/results?limit=1")[0]
    assert (missed["outcome"], missed["error"]) == ("down", "missed")

    assert server.request("POST", url).status_code == 200
    wait_state(server, mid, "up", "the monitor to be up after a ping")

    r = server.request("GET", url + "?status=down&msg=backup%20failed")
    assert r.status_code == 200
    st = wait_state(server, mid, "down", "the reported failure")
    assert st["message"] == "backup failed"
    reported = server.ok("GET", f"{MONITORS}/{mid}/results?limit=1")[0]
    assert (reported["outcome"], reported["error"], reported["message"]) == ("down", "condition", "backup failed")


def test_heartbeat_token_rotation(server):
    m = create(server, {"name": "Cron", "type": "heartbeat", "interval_s": 60})
    old = m["heartbeat_url"]
    r = server.api("POST", f"{MONITORS}/{m['id']}/heartbeat-token")
    assert r.status_code == 201, r.text
    new = r.json()["heartbeat_url"]
    assert r.json()["monitor_id"] == m["id"] and new != old
    assert_problem(server.request("GET", old), 404)
    assert server.request("GET", new).status_code == 200
    http = create(server, http_monitor("http://127.0.0.1:9/", interval_s=3600))
    assert_problem(server.api("POST", f"{MONITORS}/{http['id']}/heartbeat-token"), 409)
    # A disabled heartbeat monitor refuses pings.
    server.ok("PATCH", f"{MONITORS}/{m['id']}", json={"enabled": False}, expect=200)
    assert_problem(server.request("GET", new), 409)


# ---- results, rollups, uptime, events ---------------------------------------------------------

def test_history_endpoints_agree(server, target):
    srv = server
    comp = srv.create_component("Billing")
    # interval_s 86400: the schedule does not run it during the test, only POST .../check does.
    m = create(srv, http_monitor(target.url, name="Billing API", interval_s=86400, retries=0, recovery_period_s=0,
                                 locations=["local", "archive"], components=[{"component_id": comp["id"]}]))
    mid = m["id"]
    # Three hours ago, pushed by the probe at "archive": up, down, up.
    past = (utcnow() - dt.timedelta(hours=3)).replace(minute=10, microsecond=0)
    r = push(srv, "archive", [result(mid, "up", at=past, status_code=200, total_us=10_000),
                              result(mid, "down", at=past + dt.timedelta(seconds=10), error="timeout"),
                              result(mid, "up", at=past + dt.timedelta(seconds=20), status_code=200, total_us=30_000)])
    assert r.status_code == 202 and r.json() == {"accepted": 3, "ignored": 0}, r.text
    # Now: up, down, up through the local engine.
    outcomes = []
    for status in (200, 503, 200):
        target.set(status=status)
        outcomes.append(check_now(srv, mid)["outcome"])
    assert outcomes == ["up", "down", "up"]
    results = poll(lambda: (lambda l: l if len(l) == 6 else None)(srv.ok("GET", f"{MONITORS}/{mid}/results")),
                   "six stored results", interval=0.1)
    ats = [parse_iso(x["at"]) for x in results]
    assert ats == sorted(ats, reverse=True)
    assert [x["outcome"] for x in results] == ["up", "down", "up", "up", "down", "up"]
    assert [x["location"] for x in results] == ["local"] * 3 + ["archive"] * 3
    assert len(srv.ok("GET", f"{MONITORS}/{mid}/results?limit=2")) == 2
    assert len(srv.ok("GET", f"{MONITORS}/{mid}/results?location=archive")) == 3
    hour_ago = iso(utcnow() - dt.timedelta(hours=1))
    assert len(srv.ok("GET", f"{MONITORS}/{mid}/results", params={"since": hour_ago})) == 3
    assert len(srv.ok("GET", f"{MONITORS}/{mid}/results", params={"until": hour_ago})) == 3

    def uptime():
        u = srv.ok("GET", f"{MONITORS}/{mid}/uptime")
        assert u["monitor_id"] == mid
        assert (u["checks"], u["failures"]) == (6, 2), u
        assert 0 <= u["uptime_percent"] <= 100
        assert u["uptime_percent"] == pytest.approx(100 * 4 / 6, abs=0.01)
        assert u["p50_ms"] > 0
        return u

    before = uptime()
    recent = srv.ok("GET", f"{MONITORS}/{mid}/uptime", params={"since": hour_ago})
    assert (recent["checks"], recent["failures"]) == (3, 1)
    comp_up = srv.ok("GET", f"/api/v1/components/{comp['id']}/uptime")
    assert comp_up["component_id"] == comp["id"]
    assert [x["monitor_id"] for x in comp_up["monitors"]] == [mid]
    assert comp_up["uptime_percent"] == pytest.approx(before["uptime_percent"])
    assert comp_up["monitors"][0]["checks"] == 6
    other = srv.create_component("Unwatched")
    empty = srv.ok("GET", f"/api/v1/components/{other['id']}/uptime")
    assert empty["uptime_percent"] is None and empty["monitors"] == []

    events = srv.ok("GET", f"{MONITORS}/{mid}/events")
    assert [(e["from"], e["to"]) for e in events] == [("up", "down"), ("down", "up")] * 2
    assert [e["locations"] for e in events] == [["archive"], [], ["local"], []]
    assert parse_iso(events[0]["at"]) == past + dt.timedelta(seconds=10)  # when the failed check ran
    assert parse_iso(events[1]["at"]) == past + dt.timedelta(seconds=20)
    recent_events = srv.ok("GET", f"{MONITORS}/{mid}/events", params={"since": hour_ago})
    assert [e["id"] for e in recent_events] == [e["id"] for e in events[2:]]

    # The rollup engine runs at start (then every minute): a restart rolls the past hours up,
    # and the uptime must not count them twice.
    srv.restart()
    hours = poll(lambda: [h for h in srv.ok("GET", f"{MONITORS}/{mid}/rollups?period=hour") if h["checks"]],
                 "hourly rollups after the restart", interval=0.2)
    assert sum(h["checks"] for h in hours) == 3 and sum(h["failures"] for h in hours) == 1
    for h in hours:
        assert h["period"] == "hour" and 0 <= h["uptime_percent"] <= 100
        assert parse_iso(h["start"]).minute == 0
    assert parse_iso(hours[0]["start"]) <= past < parse_iso(hours[0]["start"]) + dt.timedelta(hours=1)
    assert hours[0]["p50_ms"] == pytest.approx(10.0) and hours[0]["p95_ms"] == pytest.approx(30.0)
    after = uptime()
    assert after["uptime_percent"] == pytest.approx(before["uptime_percent"])
    assert isinstance(srv.ok("GET", f"{MONITORS}/{mid}/rollups?period=day"), list)


@pytest.mark.parametrize("path,field", [
    ("results?since=yesterday", "since"),
    ("results?until=2024-13-45", "until"),
    ("results?limit=0", "limit"),
    ("results?limit=abc", "limit"),
    ("results?limit=10001", "limit"),
    ("rollups?period=week", "period"),
    ("rollups?since=yesterday", "since"),
    ("uptime?since=yesterday", "since"),
    ("uptime?since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z", "since"),
    ("events?until=tomorrow", "until"),
])
def test_bad_history_query_names_the_parameter(validation_site, path, field):
    m = create(validation_site, {"name": "History", "type": "http", "url": URL, "interval_s": 3600})
    assert_problem(validation_site.api("GET", f"{MONITORS}/{m['id']}/{path}"), 400, field=field)


def test_history_of_missing_monitor_or_component_is_404(validation_site):
    for what in ("results", "rollups", "uptime", "events"):
        assert_problem(validation_site.api("GET", f"{MONITORS}/nosuchmonitor/{what}"), 404)
    assert_problem(validation_site.api("GET", "/api/v1/components/nosuchcomponent/uptime"), 404)
    cid = validation_site.component_id
    assert_problem(validation_site.api("GET", f"/api/v1/components/{cid}/uptime?since=soon"), 400, field="since")


# ---- the public /uptime page -----------------------------------------------------------------

def test_uptime_page_appears_once_a_monitor_is_linked(server, target):
    assert server.get("/uptime").status_code == 404
    assert "/uptime" not in server.html("/")
    # A monitor without a component is not public: still no page after the engine reloaded.
    private = create(server, http_monitor(target.url, name="Private probe", interval_s=60))
    check_now(server, private["id"])
    poll(lambda: server.ok("GET", f"{MONITORS}/{private['id']}/results"), "the private result to be stored")
    assert server.get("/uptime").status_code == 404

    comp = server.create_component("Storefront")
    m = create(server, http_monitor(target.url, name="Storefront probe", interval_s=60,
                                    components=[{"component_id": comp["id"]}]))
    check_now(server, m["id"])
    poll(lambda: server.get("/uptime").status_code == 200, "/uptime after linking a monitor", interval=0.2)
    html = server.html("/uptime")
    assert "Storefront probe" in html
    assert "Private probe" not in html
    assert server.get("/uptime?range=7d").status_code == 200
    assert server.get("/uptime?range=30d").status_code == 200
    assert server.get("/uptime?range=year").status_code == 404
    assert "Storefront probe" in server.html("/uptime?lang=de")
    assert "/uptime" in server.html("/")
    # Unlinking makes it private again: the page goes away.
    server.ok("PATCH", f"{MONITORS}/{m['id']}", json={"components": []}, expect=200)
    poll(lambda: server.get("/uptime").status_code == 404, "/uptime to go away after unlinking", interval=0.2)
