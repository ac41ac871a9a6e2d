"""People on call (issue 7): profiles, contact methods verified through a code sent over the
method itself, notification rules and teams. The real binary on 127.0.0.1 with a real SMTP
server (aiosmtpd) and, in this process, an HTTP receiver standing in for the Twilio-compatible
SMS/voice provider and for an ntfy server.
"""

import base64
import re
from urllib.parse import parse_qs

import pytest

from receivers import HttpReceiver, MailSink, body_text
from test_sessions import add_user, assert_problem, send, setup_owner, sign_in

FROM = "pages@tocsin.test"
PUBLIC = "http://tocsin.acme.test"
SID = "AC0123456789"
AUTH_TOKEN = "provider-secret"
PHONE_FROM = "+15005550006"
PASSWORD = "a long enough password"


@pytest.fixture
def mail():
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def provider():
    """Answers like Twilio's Messages/Calls resources (201 with a sid) and like ntfy (200)."""
    def behave(req):
        if "/2010-04-01/Accounts/" in req["path"]:
            return 201, {"Content-Type": "application/json"}, '{"sid": "SM1", "status": "queued"}'
        return 200, {"Content-Type": "application/json"}, '{"id": "n1"}'

    r = HttpReceiver(behave).start()
    yield r
    r.stop()


def people_config(tmp_path, smtp_url, provider_url, attempts=3):
    text = f"""notifications:
  from: "Acme Pages <{FROM}>"
  public_url: "{PUBLIC}"
  smtp:
    url: "{smtp_url}"
    tls: none
oncall:
  allow_http_urls: true
  phone:
    base_url: "{provider_url}"
    account_sid: "{SID}"
    auth_token: "{AUTH_TOKEN}"
    from: "{PHONE_FROM}"
  verification:
    max_attempts: {attempts}
    resend_seconds: 0
"""
    path = tmp_path / "people.yaml"
    path.write_text(text)
    return str(path)


@pytest.fixture
def team_server(tocsin_factory, tmp_path, mail, provider):
    """A server with an owner (Olga) and a responder (Rita), both signed in."""
    srv = tocsin_factory(config=people_config(tmp_path, mail.url, provider.url("")))
    owner = setup_owner(srv)
    rita_user = add_user(owner, "rita@example.com", "responder", password=PASSWORD)
    rita = sign_in(srv, "rita@example.com", PASSWORD)
    owner_id = owner.call("GET", "/api/v1/session").json()["user"]["id"]
    return srv, owner, owner_id, rita, rita_user["id"]


def ok(r, status=(200, 201, 204)):
    status = status if isinstance(status, tuple) else (status,)
    assert r.status_code in status, f"{r.status_code}: {r.text}"
    return r.json() if r.content else None


def six_digits(text):
    m = re.search(r"\b(\d{6})\b", text)
    assert m, f"no 6-digit code in {text!r}"
    return m.group(1)


def add_method(browser, user_id, **body):
    return ok(browser.call("POST", f"/api/v1/users/{user_id}/contact-methods", json=body), 201)


def methods_path(user_id, mid=""):
    return f"/api/v1/users/{user_id}/contact-methods" + (f"/{mid}" if mid else "")


# ---- verification ---------------------------------------------------------------------------


def test_email_method_is_verified_with_the_code_from_the_mail(team_server, mail):
    srv, _, _, rita, rita_id = team_server
    m = add_method(rita, rita_id, kind="email", address="rita.pager@example.com", label="work")
    assert m["verified"] is False and m["kind"] == "email" and m["label"] == "work"

    sent = ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/verify"))
    assert sent["sent"] is True and sent["expires_at"]
    msg = mail.wait_for("rita.pager@example.com")[0]["msg"]
    assert FROM in msg["From"]
    code = six_digits(body_text(msg))

    wrong = "000000" if code != "000000" else "111111"
    assert_problem(rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": wrong}), 400)
    done = ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": code}))
    assert done["verified"] is True
    listed = ok(rita.call("GET", methods_path(rita_id)))["data"]
    assert [x["verified"] for x in listed] == [True]
    # The code is used up: confirming again finds nothing pending.
    assert_problem(rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": code}), 409)


def test_sms_method_is_verified_with_the_code_the_provider_received(team_server, provider):
    srv, _, _, rita, rita_id = team_server
    m = add_method(rita, rita_id, kind="sms", address="+4915112345678")
    ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/verify"))

    req = provider.wait_for(1, predicate=lambda r: r["path"].endswith("/Messages.json"))[0]
    assert req["method"] == "POST"
    assert req["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert req["headers"]["content-type"].startswith("application/x-www-form-urlencoded")
    expected = "Basic " + base64.b64encode(f"{SID}:{AUTH_TOKEN}".encode()).decode()
    assert req["headers"]["authorization"] == expected
    form = parse_qs(req["body"].decode())
    assert form["To"] == ["+4915112345678"] and form["From"] == [PHONE_FROM]
    code = six_digits(form["Body"][0])

    done = ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": code}))
    assert done["verified"] is True


def test_ntfy_method_gets_its_code_posted_to_the_topic(team_server, provider):
    srv, _, _, rita, rita_id = team_server
    topic = provider.url("/rita-pages")
    m = add_method(rita, rita_id, kind="ntfy", address=topic)
    ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/verify"))
    req = provider.wait_for(1, predicate=lambda r: r["path"] == "/rita-pages")[0]
    assert req["method"] == "POST" and req["headers"].get("title")
    code = six_digits(req["body"].decode())
    assert ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": code}))["verified"]


def test_wrong_codes_count_and_the_limit_voids_the_code(team_server, mail):
    srv, _, _, rita, rita_id = team_server  # the config allows 3 attempts
    m = add_method(rita, rita_id, kind="email", address="limit@example.com")
    ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/verify"))
    code = six_digits(body_text(mail.wait_for("limit@example.com")[0]["msg"]))
    wrong = "000000" if code != "000000" else "111111"
    confirm = methods_path(rita_id, m["id"]) + "/confirm"
    first = assert_problem(rita.call("POST", confirm, json={"code": wrong}), 400)
    assert first["field"] == "code" and "2 attempts left" in first["detail"]
    assert_problem(rita.call("POST", confirm, json={"code": wrong}), 400)
    assert_problem(rita.call("POST", confirm, json={"code": wrong}), 409)
    # The right code no longer helps: the code is void after the limit.
    assert_problem(rita.call("POST", confirm, json={"code": code}), 409)
    assert ok(rita.call("GET", methods_path(rita_id, m["id"])))["verified"] is False
    # A new code works.
    ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/verify"))
    fresh = six_digits(body_text(mail.wait_for("limit@example.com", 2)[1]["msg"]))
    assert ok(rita.call("POST", confirm, json={"code": fresh}))["verified"] is True


def test_changing_the_address_makes_the_method_unverified(team_server, mail):
    srv, _, _, rita, rita_id = team_server
    m = add_method(rita, rita_id, kind="email", address="old@example.com")
    ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/verify"))
    code = six_digits(body_text(mail.wait_for("old@example.com")[0]["msg"]))
    ok(rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": code}))
    changed = ok(rita.call("PATCH", methods_path(rita_id, m["id"]), json={"address": "new@example.com"}))
    assert changed["address"] == "new@example.com" and changed["verified"] is False
    # Only owners may mark a method verified by hand.
    r = rita.call("PATCH", methods_path(rita_id, m["id"]), json={"verified": True})
    assert_problem(r, 403)


# ---- profile, rules, teams ------------------------------------------------------------------


def test_profile_keeps_time_zone_and_language(team_server):
    srv, _, _, rita, rita_id = team_server
    p = ok(rita.call("GET", f"/api/v1/users/{rita_id}/profile"))
    assert p["time_zone"] == "UTC" and p["language"] == "en"
    p = ok(rita.call("PATCH", f"/api/v1/users/{rita_id}/profile", json={"time_zone": "Europe/Berlin", "language": "de"}))
    assert p["time_zone"] == "Europe/Berlin" and p["language"] == "de"
    assert ok(rita.call("GET", f"/api/v1/users/{rita_id}/profile"))["time_zone"] == "Europe/Berlin"


def test_notification_rules_per_urgency_with_delays(team_server):
    srv, _, _, rita, rita_id = team_server
    push = add_method(rita, rita_id, kind="ntfy", address="https://ntfy.example/rita")
    sms = add_method(rita, rita_id, kind="sms", address="+4915112345678")
    rules = f"/api/v1/users/{rita_id}/notification-rules"
    ok(rita.call("POST", rules, json={"contact_method_id": sms["id"], "urgency": "high", "delay_minutes": 2}), 201)
    first = ok(rita.call("POST", rules, json={"contact_method_id": push["id"], "urgency": "high", "delay_minutes": 0}), 201)
    ok(rita.call("POST", rules, json={"contact_method_id": sms["id"], "urgency": "low", "delay_minutes": 0}), 201)
    listed = ok(rita.call("GET", rules))["data"]
    assert [(r["urgency"], r["delay_minutes"]) for r in listed] == [("high", 0), ("high", 2), ("low", 0)]
    dup = rita.call("POST", rules, json={"contact_method_id": sms["id"], "urgency": "high", "delay_minutes": 2})
    assert_problem(dup, 409)
    ok(rita.call("PATCH", f"{rules}/{first['id']}", json={"delay_minutes": 1}))
    # Deleting a method deletes its rules.
    ok(rita.call("DELETE", methods_path(rita_id, sms["id"])), 204)
    assert [r["delay_minutes"] for r in ok(rita.call("GET", rules))["data"]] == [1]


def test_teams_with_members_roles_and_positions(team_server):
    srv, owner, owner_id, rita, rita_id = team_server
    team = ok(owner.call("POST", "/api/v1/teams", json={"name": "Payments", "description": "money"}), 201)
    assert team["members"] == []
    ok(owner.call("PUT", f"/api/v1/teams/{team['id']}/members/{rita_id}", json={"role": "member", "position": 2}))
    got = ok(owner.call("PUT", f"/api/v1/teams/{team['id']}/members/{owner_id}", json={"role": "manager", "position": 1}))
    assert [(m["user_id"], m["role"]) for m in got["members"]] == [(owner_id, "manager"), (rita_id, "member")]
    assert_problem(owner.call("POST", "/api/v1/teams", json={"name": "payments"}), 409)
    # Everyone reads teams; only owners change them.
    assert ok(rita.call("GET", f"/api/v1/teams/{team['id']}"))["name"] == "Payments"
    assert_problem(rita.call("PATCH", f"/api/v1/teams/{team['id']}", json={"name": "X"}), 403)
    ok(owner.call("DELETE", f"/api/v1/teams/{team['id']}/members/{rita_id}"), 204)
    assert len(ok(owner.call("GET", f"/api/v1/teams/{team['id']}"))["members"]) == 1
    ok(owner.call("DELETE", f"/api/v1/teams/{team['id']}"), 204)
    assert_problem(owner.call("GET", f"/api/v1/teams/{team['id']}"), 404)


def test_web_push_key_is_a_p256_point_that_survives_a_restart(team_server):
    srv, _, _, rita, _ = team_server
    key = ok(rita.call("GET", "/api/v1/web-push/key"))["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    srv.restart()
    again = sign_in(srv, "rita@example.com", PASSWORD)
    assert ok(again.call("GET", "/api/v1/web-push/key"))["public_key"] == key


# ---- bad input and access -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "pager", "address": "x"}, "kind"),
        ({"address": "rita@example.com"}, "kind"),
        ({"kind": "email", "address": "not-an-address"}, "address"),
        ({"kind": "sms", "address": "015112345678"}, "address"),
        ({"kind": "voice", "address": "+49 151 1234"}, "address"),
        ({"kind": "webhook", "address": "ftp://hooks.example/x"}, "address"),
        ({"kind": "email"}, "address"),
        ({"kind": "email", "address": "a@example.com", "surprise": 1}, "surprise"),
        ({"kind": "web_push", "address": "https://push.example/x", "data": {"keys": {"p256dh": "x"}}}, "data.keys.p256dh"),
    ],
)
def test_bad_contact_methods_name_the_field(team_server, body, field):
    srv, _, _, rita, rita_id = team_server
    problem = assert_problem(rita.call("POST", methods_path(rita_id), json=body), 400)
    assert problem["field"] == field, problem


def test_bad_profile_rules_and_teams_name_the_field(team_server):
    srv, owner, _, rita, rita_id = team_server
    bad = rita.call("PATCH", f"/api/v1/users/{rita_id}/profile", json={"time_zone": "Mars/Olympus_Mons"})
    assert assert_problem(bad, 400)["field"] == "time_zone"
    bad = rita.call("PATCH", f"/api/v1/users/{rita_id}/profile", json={"language": "fr"})
    assert assert_problem(bad, 400)["field"] == "language"
    m = add_method(rita, rita_id, kind="email", address="rules@example.com")
    rules = f"/api/v1/users/{rita_id}/notification-rules"
    cases = [
        ({"contact_method_id": m["id"], "urgency": "urgent"}, "urgency"),
        ({"contact_method_id": m["id"], "urgency": "high", "delay_minutes": 5000}, "delay_minutes"),
        ({"contact_method_id": "nope", "urgency": "high"}, "contact_method_id"),
        ({"urgency": "high"}, "contact_method_id"),
    ]
    for body, field in cases:
        assert assert_problem(rita.call("POST", rules, json=body), 400)["field"] == field, body
    confirm = rita.call("POST", methods_path(rita_id, m["id"]) + "/confirm", json={"code": "12ab56"})
    assert assert_problem(confirm, 400)["field"] == "code"
    assert assert_problem(owner.call("POST", "/api/v1/teams", json={"description": "x"}), 400)["field"] == "name"
    team = ok(owner.call("POST", "/api/v1/teams", json={"name": "Ops"}), 201)
    bad = owner.call("PUT", f"/api/v1/teams/{team['id']}/members/{rita_id}", json={"role": "boss"})
    assert assert_problem(bad, 400)["field"] == "role"
    bad = owner.call("PUT", f"/api/v1/teams/{team['id']}/members/nobody", json={"role": "member"})
    assert assert_problem(bad, 400)["field"] == "user_id"


def test_people_routes_need_credentials_and_the_right_user(team_server):
    srv, owner, owner_id, rita, rita_id = team_server
    for method, path in [
        ("GET", methods_path(rita_id)),
        ("POST", methods_path(rita_id)),
        ("GET", f"/api/v1/users/{rita_id}/profile"),
        ("GET", "/api/v1/teams"),
        ("GET", "/api/v1/web-push/key"),
    ]:
        r = send(srv, method, path, **({"json": {}} if method == "POST" else {}))
        assert_problem(r, 401)
    # A responder manages only their own methods; the owner manages everyone's.
    mine = add_method(owner, owner_id, kind="email", address="olga.pager@example.com")
    assert_problem(rita.call("GET", methods_path(owner_id)), 403)
    assert_problem(rita.call("DELETE", methods_path(owner_id, mine["id"])), 403)
    assert_problem(rita.call("POST", methods_path(owner_id), json={"kind": "email", "address": "x@example.com"}), 403)
    theirs = add_method(owner, rita_id, kind="email", address="rita.other@example.com")
    assert [m["id"] for m in ok(rita.call("GET", methods_path(rita_id)))["data"]] == [theirs["id"]]
    assert_problem(rita.call("POST", "/api/v1/teams", json={"name": "Mine"}), 403)
    # Owners may mark a method verified by hand (for addresses checked another way).
    assert ok(owner.call("PATCH", methods_path(rita_id, theirs["id"]), json={"verified": True}))["verified"] is True
    # A token is nobody's user: it reaches other users' data only with the owner role.
    assert_problem(srv.api("GET", methods_path(rita_id), role="responder"), 403)
    assert ok(srv.api("GET", methods_path(rita_id), role="owner"))["data"]
    assert_problem(srv.api("GET", methods_path("nosuchuser"), role="owner"), 404)


def test_a_slack_ok_false_answer_fails_the_verification_with_slacks_error(tocsin_factory, tmp_path, mail):
    """chat.postMessage answers 200 with {"ok": false, "error": ...} when it did not post."""
    slack = HttpReceiver(lambda req: (200, {"Content-Type": "application/json"},
                                      '{"ok": false, "error": "channel_not_found"}')).start()
    try:
        path = people_config(tmp_path, mail.url, slack.url(""))
        with open(path, "a") as f:
            f.write(f'  slack:\n    bot_token: "xoxb-test"\n    api_url: "{slack.url("/api").rstrip("/")}"\n')
        srv = tocsin_factory(config=path)
        owner = setup_owner(srv)
        owner_id = owner.call("GET", "/api/v1/session").json()["user"]["id"]
        m = add_method(owner, owner_id, kind="slack", address="U0123ABCD")
        r = owner.call("POST", methods_path(owner_id, m["id"]) + "/verify")
        assert r.status_code == 502, r.text
        assert "slack: channel_not_found" in r.json()["detail"], r.text
        assert slack.wait_for(1)[0]["path"] == "/api/chat.postMessage"
    finally:
        slack.stop()
