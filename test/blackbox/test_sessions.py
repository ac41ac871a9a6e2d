"""Signing in to the admin app: first-run setup, sessions in a cookie, CSRF, users and their
roles, failure limits, incident templates and the preview of a draft (issue 5)."""

import re

import requests

from conftest import HTTP_TIMEOUT

OWNER = {"email": "olga@example.com", "name": "Olga Owner", "password": "correct horse battery"}
COOKIE = "tocsin_session"


def assert_problem(r, status, type_=None):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    if type_ is not None:
        assert body["type"].endswith("/" + type_) or body["type"] == type_, body
    return body


def send(srv, method, path, **kwargs):
    """One request without a cookie jar: a test sends exactly the cookies it names."""
    kwargs.setdefault("timeout", HTTP_TIMEOUT)
    return requests.request(method, srv.url(path), allow_redirects=False, **kwargs)


def cookie_value(r):
    """The session secret from a response's Set-Cookie, or None."""
    header = r.headers.get("Set-Cookie", "")
    m = re.match(COOKIE + r"=([^;]*)", header)
    return m.group(1) if m else None


class Browser:
    """A signed-in browser: sends the cookie and (for unsafe methods) the CSRF token itself,
    so each test states exactly what goes over the wire."""

    def __init__(self, srv, secret, csrf):
        self.srv = srv
        self.secret = secret
        self.csrf = csrf

    def call(self, method, path, csrf=True, headers=None, **kwargs):
        h = {"Cookie": f"{COOKIE}={self.secret}"}
        if csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        return send(self.srv, method, path, headers=h, **kwargs)


def setup_owner(srv, **fields):
    r = send(srv, "POST", "/api/v1/setup", json={**OWNER, **fields})
    assert r.status_code == 201, r.text
    return Browser(srv, cookie_value(r), r.json()["csrf_token"])


def sign_in(srv, email, password):
    r = send(srv, "POST", "/api/v1/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return Browser(srv, cookie_value(r), r.json()["csrf_token"])


def add_user(owner, email, role, password="a long enough password", **fields):
    r = owner.call("POST", "/api/v1/users",
                   json={"email": email, "name": email.split("@")[0], "role": role, "password": password, **fields})
    assert r.status_code == 201, r.text
    return r.json()


# ---- first run -------------------------------------------------------------------------------


def test_first_run_creates_the_owner_once(server):
    assert server.json("/api/v1/setup") == {"needs_owner": True}
    r = send(server, "POST", "/api/v1/setup", json={**OWNER, "language": "de"})
    assert r.status_code == 201, r.text
    session = r.json()
    assert session["user"]["email"] == OWNER["email"]
    assert session["user"]["role"] == "owner"
    assert session["user"]["language"] == "de"
    assert session["csrf_token"] and session["expires_at"]
    assert cookie_value(r)
    assert server.json("/api/v1/setup") == {"needs_owner": False}

    again = send(server, "POST", "/api/v1/setup", json={**OWNER, "email": "mallory@example.com"})
    assert_problem(again, 409, "conflict")
    # The first owner can still sign in; the second one was not created.
    sign_in(server, OWNER["email"], OWNER["password"])
    r = send(server, "POST", "/api/v1/session", json={"email": "mallory@example.com", "password": OWNER["password"]})
    assert_problem(r, 401, "invalid-credentials")


def test_setup_validates_fields(server):
    r = send(server, "POST", "/api/v1/setup", json={**OWNER, "password": "short"})
    assert assert_problem(r, 400)["field"] == "password"
    r = send(server, "POST", "/api/v1/setup", json={**OWNER, "email": "not-an-address"})
    assert assert_problem(r, 400)["field"] == "email"
    r = send(server, "POST", "/api/v1/setup", json={**OWNER, "language": "fr"})
    assert assert_problem(r, 400)["field"] == "language"
    assert server.json("/api/v1/setup") == {"needs_owner": True}


def test_cli_user_counts_as_the_owner_and_can_sign_in(server):
    from conftest import run_cli

    r = run_cli(server.binary, "user", "create", "--email", "cli@example.com", "--role", "owner", "--password-stdin",
                "--data", server.data_dir, stdin="a password from the cli\n")
    assert r.returncode == 0, r.stderr
    assert server.json("/api/v1/setup") == {"needs_owner": False}
    me = sign_in(server, "cli@example.com", "a password from the cli")
    assert me.call("GET", "/api/v1/session").json()["user"]["role"] == "owner"


# ---- signing in ------------------------------------------------------------------------------


def test_wrong_password_and_unknown_email_get_the_same_401(server):
    setup_owner(server)
    wrong = send(server, "POST", "/api/v1/session", json={"email": OWNER["email"], "password": "not the password"})
    unknown = send(server, "POST", "/api/v1/session", json={"email": "nobody@example.com", "password": "whatever1234"})
    a = assert_problem(wrong, 401, "invalid-credentials")
    b = assert_problem(unknown, 401, "invalid-credentials")
    assert a == b
    assert "Set-Cookie" not in wrong.headers and "Set-Cookie" not in unknown.headers


def test_session_cookie_attributes(server):
    setup_owner(server)
    r = send(server, "POST", "/api/v1/session", json={"email": OWNER["email"], "password": OWNER["password"]})
    assert r.status_code == 200, r.text
    header = r.headers["Set-Cookie"]
    attrs = [a.strip().lower() for a in header.split(";")]
    assert attrs[0].startswith(COOKIE + "=") and len(attrs[0]) > len(COOKIE) + 40
    assert "httponly" in attrs
    assert "samesite=strict" in attrs
    assert "path=/" in attrs
    assert "secure" not in attrs  # plain HTTP, no proxy header

    behind_tls = send(server, "POST", "/api/v1/session", json={"email": OWNER["email"], "password": OWNER["password"]},
                                headers={"X-Forwarded-Proto": "https"})
    assert "secure" in [a.strip().lower() for a in behind_tls.headers["Set-Cookie"].split(";")]


def test_session_reads_and_csrf_guards_writes(server):
    owner = setup_owner(server)
    me = owner.call("GET", "/api/v1/session")
    assert me.status_code == 200, me.text
    assert me.json()["user"]["email"] == OWNER["email"]
    assert me.json()["csrf_token"] == owner.csrf
    # Reads need no CSRF token.
    assert owner.call("GET", "/api/v1/components").status_code == 200

    no_token = owner.call("POST", "/api/v1/components", csrf=False, json={"name": "API"})
    assert_problem(no_token, 403, "csrf")
    wrong_token = owner.call("POST", "/api/v1/components", csrf=False, json={"name": "API"},
                             headers={"X-CSRF-Token": "0" * 64})
    assert_problem(wrong_token, 403, "csrf")
    ok = owner.call("POST", "/api/v1/components", json={"name": "API"})
    assert ok.status_code == 201, ok.text


def test_foreign_origin_is_refused(server):
    owner = setup_owner(server)
    r = owner.call("POST", "/api/v1/components", json={"name": "API"}, headers={"Origin": "http://evil.example"})
    assert_problem(r, 403, "csrf")
    r = owner.call("GET", "/api/v1/components", headers={"Origin": "http://evil.example"})
    assert_problem(r, 403, "csrf")
    same = owner.call("POST", "/api/v1/components", json={"name": "API"},
                      headers={"Origin": f"http://127.0.0.1:{server.port}"})
    assert same.status_code == 201, same.text
    login = send(server, "POST", "/api/v1/session", json={"email": OWNER["email"], "password": OWNER["password"]},
                           headers={"Origin": "http://evil.example"})
    assert_problem(login, 403, "csrf")


def test_sign_out_ends_the_session(server):
    owner = setup_owner(server)
    assert_problem(owner.call("DELETE", "/api/v1/session", csrf=False), 403, "csrf")
    r = owner.call("DELETE", "/api/v1/session")
    assert r.status_code == 204, r.text
    cleared = r.headers["Set-Cookie"]
    assert cleared.startswith(COOKIE + "=;") and "Max-Age=0" in cleared
    assert_problem(owner.call("GET", "/api/v1/session"), 401)
    assert_problem(owner.call("GET", "/api/v1/components"), 401)


def test_session_routes_need_a_session_not_a_token(server):
    assert_problem(send(server, "GET", "/api/v1/session"), 401)
    r = server.api("GET", "/api/v1/session", role="owner")
    assert_problem(r, 403, "session-required")


def test_password_change_keeps_this_session_and_ends_the_others(server):
    first = setup_owner(server)
    second = sign_in(server, OWNER["email"], OWNER["password"])
    r = first.call("POST", "/api/v1/session/password",
                   json={"current_password": "not it at all", "new_password": "a brand new password"})
    assert assert_problem(r, 400)["field"] == "current_password"
    r = first.call("POST", "/api/v1/session/password",
                   json={"current_password": OWNER["password"], "new_password": "a brand new password"})
    assert r.status_code == 204, r.text
    assert first.call("GET", "/api/v1/session").status_code == 200
    assert_problem(second.call("GET", "/api/v1/session"), 401)
    sign_in(server, OWNER["email"], "a brand new password")


def test_too_many_failures_get_429_with_retry_after(server):
    setup_owner(server)
    statuses = []
    for _ in range(8):
        r = send(server, "POST", "/api/v1/session", json={"email": OWNER["email"], "password": "guess guess guess"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            break
    assert statuses[0] == 401 and statuses[-1] == 429, statuses
    assert int(r.headers["Retry-After"]) > 0
    assert_problem(r, 429)
    # While limited, even the right password is not checked.
    right = send(server, "POST", "/api/v1/session", json={"email": OWNER["email"], "password": OWNER["password"]})
    assert right.status_code == 429


def test_session_settings_come_from_the_config(tocsin_factory):
    srv = tocsin_factory(admin={"session_idle": "30m", "session_lifetime": "1d", "secure_cookie": "always"})
    r = send(srv, "POST", "/api/v1/setup", json=OWNER)
    assert r.status_code == 201, r.text
    attrs = [a.strip().lower() for a in r.headers["Set-Cookie"].split(";")]
    assert "secure" in attrs
    assert "max-age=86400" in attrs


def test_unknown_admin_config_key_is_refused(tocsin_factory, tmp_path):
    from conftest import run_cli, write_config

    config = write_config(tmp_path / "bad.yaml", admin={"session_idel": "1h"})
    r = run_cli(tocsin_factory(start=False).binary, "serve", "--listen", "127.0.0.1:0", "--data",
                str(tmp_path / "d"), "--config", config, timeout=30)
    assert r.returncode == 2
    assert "admin.session_idel" in r.stderr + r.stdout


# ---- roles and users -------------------------------------------------------------------------


def test_stakeholder_session_cannot_post_an_incident(server):
    owner = setup_owner(server)
    add_user(owner, "sam@example.com", "stakeholder")
    sam = sign_in(server, "sam@example.com", "a long enough password")
    assert sam.call("GET", "/api/v1/incidents").status_code == 200
    r = sam.call("POST", "/api/v1/incidents", json={"name": "Outage"})
    body = assert_problem(r, 403, "forbidden")
    assert "stakeholder" in body["detail"]
    assert_problem(sam.call("GET", "/api/v1/users"), 403)


def test_owner_manages_users(server):
    owner = setup_owner(server)
    created = add_user(owner, "rita@example.com", "responder", language="de")
    assert created["role"] == "responder" and created["language"] == "de"
    assert created["last_login_at"] is None
    assert "password" not in str(created) and "argon2" not in str(created)
    dup = owner.call("POST", "/api/v1/users",
                     json={"email": "RITA@example.com", "name": "R", "role": "owner", "password": "another password"})
    assert_problem(dup, 409)
    bad = owner.call("POST", "/api/v1/users",
                     json={"email": "x@example.com", "name": "X", "role": "probe", "password": "another password"})
    assert assert_problem(bad, 400)["field"] == "role"

    sign_in(server, "rita@example.com", "a long enough password")
    listed = owner.call("GET", "/api/v1/users").json()["data"]
    assert [u["email"] for u in listed] == [OWNER["email"], "rita@example.com"]
    assert all(u["last_login_at"] for u in listed)

    r = owner.call("PATCH", f"/api/v1/users/{created['id']}", json={"name": "Rita R", "role": "owner"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Rita R" and r.json()["role"] == "owner"
    assert_problem(owner.call("PATCH", "/api/v1/users/nosuchuser", json={"name": "x"}), 404)
    assert owner.call("DELETE", f"/api/v1/users/{created['id']}").status_code == 204
    assert_problem(owner.call("DELETE", f"/api/v1/users/{created['id']}"), 404)


def test_last_owner_cannot_be_deleted_or_demoted(server):
    owner = setup_owner(server)
    me = owner.call("GET", "/api/v1/session").json()["user"]
    assert_problem(owner.call("DELETE", f"/api/v1/users/{me['id']}"), 409)
    assert_problem(owner.call("PATCH", f"/api/v1/users/{me['id']}", json={"role": "responder"}), 409)
    # With a second owner, the first may step down.
    add_user(owner, "otto@example.com", "owner")
    r = owner.call("PATCH", f"/api/v1/users/{me['id']}", json={"role": "responder"})
    assert r.status_code == 200, r.text


def test_deleted_user_session_stops_working(server):
    owner = setup_owner(server)
    rita = add_user(owner, "rita@example.com", "responder")
    session = sign_in(server, "rita@example.com", "a long enough password")
    assert session.call("GET", "/api/v1/session").status_code == 200
    assert owner.call("DELETE", f"/api/v1/users/{rita['id']}").status_code == 204
    assert_problem(session.call("GET", "/api/v1/components"), 401)


def test_role_change_ends_that_users_sessions(server):
    owner = setup_owner(server)
    rita = add_user(owner, "rita@example.com", "responder")
    session = sign_in(server, "rita@example.com", "a long enough password")
    r = owner.call("PATCH", f"/api/v1/users/{rita['id']}", json={"role": "stakeholder"})
    assert r.status_code == 200, r.text
    assert_problem(session.call("GET", "/api/v1/session"), 401)
    again = sign_in(server, "rita@example.com", "a long enough password")
    assert again.call("GET", "/api/v1/session").json()["user"]["role"] == "stakeholder"


# ---- templates -------------------------------------------------------------------------------


def test_templates_crud_and_validation(server):
    owner = setup_owner(server)
    body = {"kind": "incident", "name": "DB down", "title": "Database unavailable", "status": "investigating",
            "body": "We are looking into it."}
    created = owner.call("POST", "/api/v1/templates", json=body)
    assert created.status_code == 201, created.text
    t = created.json()
    assert {k: t[k] for k in body} == body
    assert t["id"] and t["created_at"] and t["updated_at"]

    assert_problem(owner.call("POST", "/api/v1/templates", json=body), 409)
    wrong_status = owner.call("POST", "/api/v1/templates", json={**body, "name": "x", "status": "scheduled"})
    assert assert_problem(wrong_status, 400)["field"] == "status"
    wrong_kind = owner.call("POST", "/api/v1/templates", json={**body, "name": "x", "kind": "outage"})
    assert assert_problem(wrong_kind, 400)["field"] == "kind"
    no_title = owner.call("POST", "/api/v1/templates", json={k: v for k, v in body.items() if k != "title"})
    assert assert_problem(no_title, 400)["field"] == "title"
    unknown = owner.call("POST", "/api/v1/templates", json={**body, "name": "y", "colour": "red"})
    assert assert_problem(unknown, 400)["field"] == "colour"

    # Changing the kind needs a status of the new kind.
    r = owner.call("PATCH", f"/api/v1/templates/{t['id']}", json={"kind": "maintenance"})
    assert assert_problem(r, 400)["field"] == "status"
    r = owner.call("PATCH", f"/api/v1/templates/{t['id']}", json={"kind": "maintenance", "status": "scheduled",
                                                                   "name": "DB upgrade"})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "maintenance" and r.json()["name"] == "DB upgrade"

    listed = server.api("GET", "/api/v1/templates", role="stakeholder").json()["data"]
    assert [x["id"] for x in listed] == [t["id"]]
    assert server.api("GET", f"/api/v1/templates/{t['id']}", role="stakeholder").json()["status"] == "scheduled"
    assert_problem(server.api("POST", "/api/v1/templates", role="stakeholder", json=body), 403)
    assert owner.call("DELETE", f"/api/v1/templates/{t['id']}").status_code == 204
    assert_problem(owner.call("GET", f"/api/v1/templates/{t['id']}"), 404)


# ---- preview ---------------------------------------------------------------------------------


def test_preview_sanitises_markdown_and_renders_german_mail(server):
    owner = setup_owner(server)
    component = owner.call("POST", "/api/v1/components", json={"name": "Datenbank"}).json()
    draft = {
        "kind": "incident",
        "title": "Datenbank langsam",
        "status": "identified",
        "impact": "major",
        "body": "**Fixed** soon.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))",
        "components": [{"id": component["id"], "status": "partial_outage"}],
    }
    r = owner.call("POST", "/api/v1/preview", json=draft)
    assert r.status_code == 200, r.text
    p = r.json()
    assert "<strong>Fixed</strong>" in p["body_html"]
    assert "<script" not in p["body_html"]
    assert "javascript:" not in p["body_html"]
    de = p["email"]["de"]
    assert "Datenbank langsam" in de["subject"]
    assert "Ursache erkannt" in de["subject"]
    assert "Datenbank" in de["text"]
    assert "<script" not in de["html"]
    en = p["email"]["en"]
    assert "Identified" in en["subject"]
    assert "Datenbank langsam" in p["chat"]["en"]
    assert "Fixed soon." in p["chat"]["en"]


def test_preview_names_bad_fields(server):
    owner = setup_owner(server)
    r = owner.call("POST", "/api/v1/preview", json={"kind": "incident", "title": "x", "status": "investigating",
                                                    "components": [{"id": "nosuchcomponent", "status": "major_outage"}]})
    assert assert_problem(r, 400)["field"] == "components[0].id"
    r = owner.call("POST", "/api/v1/preview", json={"kind": "maintenance", "title": "x", "status": "investigating"})
    assert assert_problem(r, 400)["field"] == "status"
    assert_problem(server.api("POST", "/api/v1/preview", role="stakeholder", json={"title": "x"}), 403)
