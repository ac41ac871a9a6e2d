"""Authentication and roles on the admin API: 401 without a valid token, 403 for a too-weak role."""

import glob
import os

import pytest

# Every admin route, with the weakest role that may call it. Keep this in step with
# src/tocsin/api/admin_api.cpp (AdminApi::Register), monitor_api.cpp and subscriber_api.cpp;
# test_openapi_documents_every_admin_route
# compares it with the OpenAPI document.
ADMIN_ROUTES = [
    ("GET", "/api/v1/page", "stakeholder"),
    ("PATCH", "/api/v1/page", "owner"),
    ("PUT", "/api/v1/page/logo", "owner"),
    ("DELETE", "/api/v1/page/logo", "owner"),
    ("GET", "/api/v1/components", "stakeholder"),
    ("POST", "/api/v1/components", "responder"),
    ("GET", "/api/v1/components/{id}", "stakeholder"),
    ("PATCH", "/api/v1/components/{id}", "responder"),
    ("DELETE", "/api/v1/components/{id}", "responder"),
    ("GET", "/api/v1/incidents", "stakeholder"),
    ("POST", "/api/v1/incidents", "responder"),
    ("GET", "/api/v1/incidents/{id}", "stakeholder"),
    ("PATCH", "/api/v1/incidents/{id}", "responder"),
    ("DELETE", "/api/v1/incidents/{id}", "responder"),
    ("POST", "/api/v1/incidents/{id}/updates", "responder"),
    ("PATCH", "/api/v1/incidents/{id}/updates/{update_id}", "responder"),
    ("DELETE", "/api/v1/incidents/{id}/updates/{update_id}", "responder"),
    ("GET", "/api/v1/maintenances", "stakeholder"),
    ("POST", "/api/v1/maintenances", "responder"),
    ("GET", "/api/v1/maintenances/{id}", "stakeholder"),
    ("PATCH", "/api/v1/maintenances/{id}", "responder"),
    ("DELETE", "/api/v1/maintenances/{id}", "responder"),
    ("POST", "/api/v1/maintenances/{id}/updates", "responder"),
    ("PATCH", "/api/v1/maintenances/{id}/updates/{update_id}", "responder"),
    ("DELETE", "/api/v1/maintenances/{id}/updates/{update_id}", "responder"),
    ("GET", "/api/v1/tokens", "owner"),
    ("POST", "/api/v1/tokens", "owner"),
    ("DELETE", "/api/v1/tokens/{id}", "owner"),
    ("GET", "/api/v1/monitors", "stakeholder"),
    ("POST", "/api/v1/monitors", "responder"),
    ("GET", "/api/v1/monitors/{id}", "stakeholder"),
    ("PATCH", "/api/v1/monitors/{id}", "responder"),
    ("DELETE", "/api/v1/monitors/{id}", "responder"),
    ("POST", "/api/v1/monitors/{id}/check", "responder"),
    ("POST", "/api/v1/monitors/{id}/heartbeat-token", "responder"),
    ("GET", "/api/v1/monitors/{id}/results", "stakeholder"),
    ("GET", "/api/v1/monitors/{id}/rollups", "stakeholder"),
    ("GET", "/api/v1/monitors/{id}/uptime", "stakeholder"),
    ("GET", "/api/v1/monitors/{id}/events", "stakeholder"),
    ("GET", "/api/v1/components/{id}/uptime", "stakeholder"),
    # Subscribers are personal data: even reading them needs a responder; CSV import and
    # export of the whole list are the owner's (src/tocsin/api/subscriber_api.cpp).
    ("GET", "/api/v1/subscribers", "responder"),
    ("POST", "/api/v1/subscribers", "responder"),
    ("POST", "/api/v1/subscribers/import", "owner"),
    ("GET", "/api/v1/subscribers/export", "owner"),
    ("GET", "/api/v1/subscribers/{id}", "responder"),
    ("PATCH", "/api/v1/subscribers/{id}", "responder"),
    ("DELETE", "/api/v1/subscribers/{id}", "responder"),
    ("GET", "/api/v1/deliveries", "responder"),
    ("POST", "/api/v1/deliveries/{id}/retry", "responder"),
    ("GET", "/api/v1/notifications", "responder"),
    ("GET", "/api/v1/notifications/{seq}", "responder"),
    # The admin app (src/tocsin/api/user_api.cpp, template_api.cpp): users are the owner's;
    # templates are read by everyone and written by responders, who also preview drafts.
    ("GET", "/api/v1/users", "owner"),
    ("GET", "/api/v1/directory", "stakeholder"),
    ("POST", "/api/v1/users", "owner"),
    ("PATCH", "/api/v1/users/{id}", "owner"),
    ("DELETE", "/api/v1/users/{id}", "owner"),
    ("GET", "/api/v1/templates", "stakeholder"),
    ("POST", "/api/v1/templates", "responder"),
    ("GET", "/api/v1/templates/{id}", "stakeholder"),
    ("PATCH", "/api/v1/templates/{id}", "responder"),
    ("DELETE", "/api/v1/templates/{id}", "responder"),
    ("POST", "/api/v1/preview", "responder"),
    # Live updates for the admin app (src/tocsin/api/live.cpp): an endless event stream.
    ("GET", "/api/v1/live", "stakeholder"),
    # Alert intake admin (src/tocsin/api/alert_api.cpp): stakeholders read, responders act on
    # alerts, incidents and silences, owners manage services, integration keys and the severity map.
    ("GET", "/api/v1/services", "stakeholder"),
    ("POST", "/api/v1/services", "owner"),
    ("GET", "/api/v1/services/{id}", "stakeholder"),
    ("PATCH", "/api/v1/services/{id}", "owner"),
    ("DELETE", "/api/v1/services/{id}", "owner"),
    ("GET", "/api/v1/services/{id}/keys", "owner"),
    ("POST", "/api/v1/services/{id}/keys", "owner"),
    ("POST", "/api/v1/services/{id}/keys/{key_id}/rotate", "owner"),
    ("DELETE", "/api/v1/services/{id}/keys/{key_id}", "owner"),
    ("GET", "/api/v1/services/{id}/change-events", "stakeholder"),
    ("GET", "/api/v1/alerts", "stakeholder"),
    ("GET", "/api/v1/alerts/{id}", "stakeholder"),
    ("POST", "/api/v1/alerts/{id}/acknowledge", "responder"),
    ("POST", "/api/v1/alerts/{id}/resolve", "responder"),
    ("POST", "/api/v1/alerts/{id}/notes", "responder"),
    ("POST", "/api/v1/alerts/{id}/split", "responder"),
    ("GET", "/api/v1/alert-incidents", "stakeholder"),
    ("GET", "/api/v1/alert-incidents/{id}", "stakeholder"),
    ("POST", "/api/v1/alert-incidents/{id}/acknowledge", "responder"),
    ("POST", "/api/v1/alert-incidents/{id}/resolve", "responder"),
    ("POST", "/api/v1/alert-incidents/{id}/notes", "responder"),
    ("POST", "/api/v1/alert-incidents/{id}/merge", "responder"),
    ("GET", "/api/v1/silences", "stakeholder"),
    ("POST", "/api/v1/silences", "responder"),
    ("GET", "/api/v1/silences/{id}", "stakeholder"),
    ("PUT", "/api/v1/silences/{id}", "responder"),
    ("DELETE", "/api/v1/silences/{id}", "responder"),
    ("GET", "/api/v1/severity-map", "stakeholder"),
    ("PUT", "/api/v1/severity-map", "owner"),
    # Escalation (test_escalation.py covers them in depth).
    ("GET", "/api/v1/escalation-policies", "stakeholder"),
    ("POST", "/api/v1/escalation-policies", "responder"),
    ("GET", "/api/v1/escalation-policies/{id}", "stakeholder"),
    ("PUT", "/api/v1/escalation-policies/{id}", "responder"),
    ("DELETE", "/api/v1/escalation-policies/{id}", "responder"),
    ("GET", "/api/v1/services/{id}/escalation", "stakeholder"),
    ("PUT", "/api/v1/services/{id}/escalation", "responder"),
    ("POST", "/api/v1/alert-incidents/{id}/escalate", "responder"),
    ("GET", "/api/v1/alert-incidents/{id}/escalation", "stakeholder"),
    # On-call schedules (test_schedules.py covers them in depth).
    ("GET", "/api/v1/schedules", "stakeholder"),
    ("POST", "/api/v1/schedules", "responder"),
    ("GET", "/api/v1/schedules/{id}", "stakeholder"),
    ("PATCH", "/api/v1/schedules/{id}", "responder"),
    ("DELETE", "/api/v1/schedules/{id}", "responder"),
    ("GET", "/api/v1/schedules/{id}/oncall", "stakeholder"),
    ("GET", "/api/v1/schedules/{id}/shifts", "stakeholder"),
    ("POST", "/api/v1/schedules/{id}/overrides", "responder"),
    ("DELETE", "/api/v1/schedules/{id}/overrides/{oid}", "responder"),
    ("POST", "/api/v1/schedules/{id}/ical-token", "responder"),
    ("GET", "/api/v1/oncall", "stakeholder"),
    ("GET", "/api/v1/users/{id}/shifts", "stakeholder"),
    ("POST", "/api/v1/users/{id}/ical-token", "responder"),
    # People on call (test_people.py covers them signed in; a user's own data, owners everyone's).
    ("GET", "/api/v1/users/{id}/profile", "stakeholder"),
    ("PATCH", "/api/v1/users/{id}/profile", "responder"),
    ("GET", "/api/v1/users/{id}/contact-methods", "stakeholder"),
    ("POST", "/api/v1/users/{id}/contact-methods", "responder"),
    ("GET", "/api/v1/users/{id}/contact-methods/{mid}", "stakeholder"),
    ("PATCH", "/api/v1/users/{id}/contact-methods/{mid}", "responder"),
    ("DELETE", "/api/v1/users/{id}/contact-methods/{mid}", "responder"),
    ("POST", "/api/v1/users/{id}/contact-methods/{mid}/verify", "responder"),
    ("POST", "/api/v1/users/{id}/contact-methods/{mid}/confirm", "responder"),
    ("GET", "/api/v1/users/{id}/notification-rules", "stakeholder"),
    ("POST", "/api/v1/users/{id}/notification-rules", "responder"),
    ("PATCH", "/api/v1/users/{id}/notification-rules/{rid}", "responder"),
    ("DELETE", "/api/v1/users/{id}/notification-rules/{rid}", "responder"),
    ("GET", "/api/v1/teams", "stakeholder"),
    ("POST", "/api/v1/teams", "owner"),
    ("GET", "/api/v1/teams/{id}", "stakeholder"),
    ("PATCH", "/api/v1/teams/{id}", "owner"),
    ("DELETE", "/api/v1/teams/{id}", "owner"),
    ("PUT", "/api/v1/teams/{id}/members/{user_id}", "owner"),
    ("DELETE", "/api/v1/teams/{id}/members/{user_id}", "owner"),
    ("GET", "/api/v1/web-push/key", "stakeholder"),
    # Remote probe agents: only probe tokens (they receive monitors' credentials).
    ("GET", "/api/v1/probe/assignments", "probe"),
    ("POST", "/api/v1/probe/results", "probe"),
]

# Heartbeat pings carry their secret in the path, like a webhook URL: no Authorization header.
UNAUTHENTICATED_API = ("/api/v1/openapi.json", "/api/v1/heartbeats/{token}")
# First-run setup and signing in are how a browser gets its credentials (src/tocsin/api/session_api.cpp).
UNAUTHENTICATED_OPERATIONS = {("GET", "/api/v1/setup"), ("POST", "/api/v1/setup"), ("POST", "/api/v1/session")}
# Routes about the signed-in user's own session: the cookie opens them; a token, which has no
# session, gets 403 session-required (test_sessions.py covers them signed in).
SESSION_ROUTES = [
    ("GET", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/api/v1/session/password"),
]

RANK = {"stakeholder": 0, "responder": 1, "owner": 2}


def concrete(path):
    return (
        path.replace("{id}", "doesnotexist")
        .replace("{update_id}", "nosuchupdate")
        .replace("{seq}", "999999")
        .replace("{key_id}", "nosuchkey")
    )


def route_id(route):
    return f"{route[0]} {route[1]}"


def assert_problem(r, status):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert body["detail"]


def send(srv, method, path, token=None, raw_header=None):
    headers = {}
    if raw_header is not None:
        headers["Authorization"] = raw_header
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    # A valid JSON body, so that an unguarded route would answer 4xx for another reason than auth.
    kwargs = {"json": {"name": "x"}} if method in ("POST", "PATCH", "PUT") else {}
    return srv.request(method, concrete(path), headers=headers, **kwargs)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=route_id)
def test_admin_route_without_token_is_401(shared_server, route):
    method, path, _ = route
    r = send(shared_server, method, path)
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("route", SESSION_ROUTES, ids=route_id)
def test_session_route_without_credentials_is_401(shared_server, route):
    method, path = route
    r = send(shared_server, method, path)
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(send(shared_server, method, path, raw_header="Bearer bogus-token"), 401)
    cookie = shared_server.request(method, path, headers={"Cookie": "tocsin_session=" + "0" * 64},
                                   **({"json": {}} if method == "POST" else {}))
    assert_problem(cookie, 401)


@pytest.mark.parametrize("route", SESSION_ROUTES, ids=route_id)
@pytest.mark.parametrize("role", ["stakeholder", "owner"])
def test_session_route_with_a_token_is_403(shared_server, route, role):
    method, path = route
    r = send(shared_server, method, path, token=shared_server.token(role))
    assert_problem(r, 403)
    assert r.json()["type"].endswith("/session-required")


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=route_id)
def test_admin_route_with_bogus_token_is_401(shared_server, route):
    method, path, _ = route
    r = send(shared_server, method, path, token="tcs_not_a_real_token_0123456789")
    assert_problem(r, 401)
    assert "invalid_token" in r.headers["WWW-Authenticate"]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=route_id)
def test_admin_route_with_empty_bearer_is_401(shared_server, route):
    method, path, _ = route
    r = send(shared_server, method, path, raw_header="Bearer ")
    assert_problem(r, 401)


WRITE_ROUTES = [r for r in ADMIN_ROUTES if r[0] != "GET"]
OWNER_ROUTES = [r for r in ADMIN_ROUTES if r[2] == "owner"]
# /api/v1/live never ends its answer; test_embeds.py reads it over a socket.
READ_ROUTES = [r for r in ADMIN_ROUTES if r[0] == "GET" and r[2] == "stakeholder" and r[1] != "/api/v1/live"]


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=route_id)
def test_stakeholder_token_cannot_write(shared_server, route):
    method, path, _ = route
    r = send(shared_server, method, path, token=shared_server.token("stakeholder"))
    assert_problem(r, 403)
    assert "stakeholder" in r.json()["detail"]


@pytest.mark.parametrize("route", OWNER_ROUTES, ids=route_id)
def test_responder_token_cannot_use_owner_routes(shared_server, route):
    method, path, _ = route
    r = send(shared_server, method, path, token=shared_server.token("responder"))
    assert_problem(r, 403)
    assert "owner" in r.json()["detail"]


@pytest.mark.parametrize("route", READ_ROUTES, ids=route_id)
def test_stakeholder_token_can_read(shared_server, route):
    method, path, _ = route
    r = send(shared_server, method, path, token=shared_server.token("stakeholder"))
    # Collections answer 200; a single object that does not exist answers 404 (auth passed).
    assert r.status_code == (404 if "{id}" in path else 200), r.text


def test_responder_token_can_write_components(server):
    r = server.api("POST", "/api/v1/components", role="responder", json={"name": "API"})
    assert r.status_code == 201, r.text


def test_owner_token_can_patch_page(server):
    r = server.api("PATCH", "/api/v1/page", role="owner", json={"name": "Acme Status"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Acme Status"


def test_token_without_bearer_prefix_scheme_is_rejected_when_garbage(shared_server):
    r = shared_server.request("GET", "/api/v1/components", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_problem(r, 401)


def test_token_created_through_api_works_with_its_role(server):
    created = server.ok("POST", "/api/v1/tokens", json={"name": "ci", "role": "stakeholder"}, expect=201)
    assert created["role"] == "stakeholder"
    assert created["token"]
    assert server.api("GET", "/api/v1/components", token=created["token"]).status_code == 200
    assert server.api("POST", "/api/v1/components", token=created["token"], json={"name": "x"}).status_code == 403


def test_token_list_never_shows_secrets(server):
    secret = server.token("responder")
    listed = server.ok("GET", "/api/v1/tokens")
    assert {t["role"] for t in listed} >= {"owner", "responder"}
    assert secret not in str(listed)
    assert all("token" not in t for t in listed)


def test_revoked_token_is_401(server):
    created = server.ok("POST", "/api/v1/tokens", json={"name": "temp", "role": "responder"}, expect=201)
    assert server.api("GET", "/api/v1/components", token=created["token"]).status_code == 200
    r = server.api("DELETE", f"/api/v1/tokens/{created['id']}")
    assert r.status_code == 204, r.text
    assert_problem(server.api("GET", "/api/v1/components", token=created["token"]), 401)
    listed = {t["id"]: t for t in server.ok("GET", "/api/v1/tokens")}
    assert listed[created["id"]]["revoked_at"] is not None


def test_token_cannot_revoke_itself(server):
    created = server.ok("POST", "/api/v1/tokens", json={"name": "self", "role": "owner"}, expect=201)
    r = server.api("DELETE", f"/api/v1/tokens/{created['id']}", token=created["token"])
    assert_problem(r, 409)


def test_tokens_are_stored_hashed(server):
    secret = server.token("owner")
    created = server.ok("POST", "/api/v1/tokens", json={"name": "hashme", "role": "responder"}, expect=201)
    server.kill9()  # whatever sits in the WAL stays there for inspection
    blob = b""
    for path in glob.glob(os.path.join(server.data_dir, "tocsin.db*")):
        with open(path, "rb") as f:
            blob += f.read()
    assert blob, "no database files found"
    assert secret.encode() not in blob
    assert created["token"].encode() not in blob


def test_openapi_documents_every_admin_route(shared_server):
    doc = shared_server.json("/api/v1/openapi.json")
    paths = doc.get("paths", {})
    if not paths:
        pytest.skip("the OpenAPI document has no paths yet")
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops if m.lower() in
                  ("get", "post", "put", "patch", "delete")}
    ours = {(m, p) for m, p, _ in ADMIN_ROUTES} | set(SESSION_ROUTES) | UNAUTHENTICATED_OPERATIONS
    missing = ours - documented
    assert not missing, f"admin routes not in openapi.json: {sorted(missing)}"


def test_openapi_documents_only_routes_that_exist(shared_server):
    doc = shared_server.json("/api/v1/openapi.json")
    assert doc["openapi"].startswith("3.")
    for path, ops in doc.get("paths", {}).items():
        for method in ops:
            if method.lower() not in ("get", "post", "put", "patch", "delete"):
                continue
            r = shared_server.request(method.upper(), concrete(path))
            # Every documented route is routed: not the generic answer of an unknown path.
            assert r.status_code != 405, f"{method.upper()} {path} is documented but not routed"
            if r.status_code == 404 and "json" in r.headers.get("Content-Type", ""):
                assert r.json().get("detail") != "no such resource", f"{method.upper()} {path} is documented but 404"


def _documented_admin_routes(srv):
    doc = srv.json("/api/v1/openapi.json")
    out = []
    for path, ops in doc.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path in UNAUTHENTICATED_API:
            continue
        for method in ops:
            if method.lower() in ("get", "post", "put", "patch", "delete"):
                if (method.upper(), path) not in UNAUTHENTICATED_OPERATIONS:
                    out.append((method.upper(), path))
    return out


def test_every_documented_admin_route_is_in_this_suite(shared_server):
    documented = set(_documented_admin_routes(shared_server))
    ours = {(m, p) for m, p, _ in ADMIN_ROUTES} | set(SESSION_ROUTES)
    extra = documented - ours
    assert not extra, f"openapi.json documents admin routes this suite does not check: {sorted(extra)}"


def test_every_documented_admin_route_needs_a_token(shared_server):
    failures = []
    for method, path in _documented_admin_routes(shared_server):
        for header in (None, "Bearer bogus-token"):
            r = send(shared_server, method, path, raw_header=header)
            if r.status_code != 401:
                failures.append((method, path, header, r.status_code))
    assert not failures


@pytest.mark.parametrize("role", ["stakeholder", "responder", "owner"])
def test_human_tokens_cannot_use_probe_routes(shared_server, role):
    for method, path in (("GET", "/api/v1/probe/assignments?location=berlin"),
                         ("POST", "/api/v1/probe/results?location=berlin")):
        r = send(shared_server, method, path, token=shared_server.token(role))
        assert_problem(r, 403)
        assert "probe" in r.json()["detail"]


def test_probe_token_opens_nothing_but_probe_routes(shared_server):
    probe = shared_server.token("probe")
    assert send(shared_server, "GET", "/api/v1/probe/assignments?location=berlin", token=probe).status_code == 200
    for method, path, _ in ADMIN_ROUTES:
        if path.startswith("/api/v1/probe/"):
            continue
        r = send(shared_server, method, path, token=probe)
        assert_problem(r, 403)
