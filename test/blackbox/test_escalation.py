"""Escalation end to end (issue 7): a real server on 127.0.0.1, a real SMTP server (aiosmtpd), a
Twilio-style SMS/voice provider stand-in, an ntfy-style receiver and the page links.

Short delays: the config knob `escalation.minute` makes one policy minute last one second
(and `escalation.interval` fires due timers every 100 ms), so a level delay of 3 "minutes"
takes 3 seconds. Policies, rules and the API stay in minutes, as in production.
Every wait is bounded.
"""

import re
import time
import urllib.parse

import pytest

from conftest import parse_iso, run_cli
from receivers import HttpReceiver, MailSink, body_text

MINUTE_S = 1.0  # escalation.minute below
FROM = "pager@tocsin.test"
INBOUND_SECRET = "s3cret-inbound-hook-0123"


@pytest.fixture
def mail():
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def ntfy():
    """An ntfy-style server: records the topic POSTs."""
    r = HttpReceiver(lambda req: (200, {"Content-Type": "application/json"}, '{"id": "n1"}'))
    r.start()
    yield r
    r.stop()


@pytest.fixture
def phone():
    """The SMS/voice provider: answers like Twilio's Messages.json/Calls.json and records."""
    r = HttpReceiver(lambda req: (201, {"Content-Type": "application/json"}, '{"sid": "SM1", "status": "queued"}'))
    r.start()
    yield r
    r.stop()


def config(tmp_path, mail, phone):
    text = f"""
notifications:
  from: "tocsin pager <{FROM}>"
  smtp:
    url: "{mail.url}"
    tls: none
escalation:
  minute: "1s"
  interval: "100ms"
  min_gap_minutes: 0
  inbound_secret: "{INBOUND_SECRET}"
oncall:
  allow_http_urls: true
  phone:
    base_url: "{phone.url('')}"
    account_sid: "AC0123456789"
    auth_token: "token"
    from: "+15005550006"
"""
    path = tmp_path / "escalation.yaml"
    path.write_text(text)
    return str(path)


def add_user(srv, name, phone_number=None, voice=False, ntfy_topic=None):
    u = srv.ok("POST", "/api/v1/users", json={
        "email": f"{name}@users.tocsin.test", "name": name.title(), "role": "responder",
        "password": "correct horse battery staple"}, expect=201)
    uid = u["id"]
    methods = [srv.ok("POST", f"/api/v1/users/{uid}/contact-methods", json={
        "kind": "email", "label": "work mail", "address": f"{name}@pager.tocsin.test"},
        expect=201)]
    if phone_number:
        methods.append(srv.ok("POST", f"/api/v1/users/{uid}/contact-methods", json={
            "kind": "voice" if voice else "sms", "label": "mobile", "address": phone_number}, expect=201))
    if ntfy_topic:
        methods.append(srv.ok("POST", f"/api/v1/users/{uid}/contact-methods", json={
            "kind": "ntfy", "label": "phone app", "address": ntfy_topic}, expect=201))
    for m in methods:
        # An owner may vouch for a method (the verification round trip is test_people.py's).
        srv.ok("PATCH", f"/api/v1/users/{uid}/contact-methods/{m['id']}", json={"verified": True})
        srv.ok("POST", f"/api/v1/users/{uid}/notification-rules", json={
            "contact_method_id": m["id"], "urgency": "high", "delay_minutes": 0}, expect=201)
    return uid


def paged_service(srv, levels, repeat=0):
    policy = srv.ok("POST", "/api/v1/escalation-policies", json={
        "name": "Payments on call", "repeat": repeat,
        "levels": [{"targets": [{"type": "user", "id": uid}], "delay_minutes": delay} for uid, delay in levels]},
        expect=201)
    svc = srv.ok("POST", "/api/v1/services", json={"name": "Payments", "urgency": "high"}, expect=201)
    got = srv.ok("PUT", f"/api/v1/services/{svc['id']}/escalation", json={"escalation_policy_id": policy["id"]})
    assert got["escalation_policy_id"] == policy["id"]
    key = srv.ok("POST", f"/api/v1/services/{svc['id']}/keys", json={"dialect": "pagerduty", "name": "pd"},
                 expect=201)["secret"]
    return svc, key


def trigger(srv, key, dedup="checkout/5xx"):
    r = srv.request("POST", "/v2/enqueue", json={
        "routing_key": key, "event_action": "trigger", "dedup_key": dedup,
        "payload": {"summary": "Checkout fails with 5xx", "source": "checkout", "severity": "critical"}})
    assert r.status_code == 202, r.text
    for _ in range(200):
        alerts = srv.ok("GET", "/api/v1/alerts", params={"dedup_key": dedup})
        items = alerts if isinstance(alerts, list) else (alerts.get("alerts") or alerts.get("data") or [])
        if items and items[0].get("incident_id"):
            return items[0]["incident_id"]
        time.sleep(0.05)
    raise AssertionError("the alert did not land")


def wait_mail(mail, rcpt, n=1, deadline=30.0):
    got = mail.wait_for(rcpt, n=n, deadline=deadline)
    return got, time.monotonic()


def link_path(msg, verb):
    text = body_text(msg)
    m = re.search(r"https?://\S+?(/" + verb + r"/[A-Za-z0-9_\-=]+)", text)
    assert m, f"no /{verb}/ link in:\n{text}"
    return m.group(1)


def level_gap(srv, incident_id):
    """Seconds between the first two "escalated" rows of the incident's log (server clock)."""
    at = [parse_iso(e["at"]) for e in incident_log(srv, incident_id) if e["action"] == "escalated"]
    assert len(at) >= 2, at
    return (at[1] - at[0]).total_seconds()


def incident_log(srv, incident_id):
    inc = srv.ok("GET", f"/api/v1/alert-incidents/{incident_id}")
    return inc["log"]


def test_level_two_is_paged_after_its_delay_and_acknowledges_through_the_mail_link(tocsin_factory, tmp_path, mail,
                                                                                    phone, ntfy):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann", phone_number="+4915112345678")
    bob = add_user(srv, "bob", ntfy_topic=ntfy.url("/bob-pages"))
    # repeat=1: without an answer level 1 would be paged again after level 2's delay.
    _, key = paged_service(srv, [(ann, 3), (bob, 3)], repeat=1)
    incident = trigger(srv, key)

    # Level 1: ann by mail and SMS at once.
    _, t_ann = wait_mail(mail, "ann@pager.tocsin.test")
    sms = phone.wait_for(deadline=30)[0]
    assert sms["path"] == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    assert urllib.parse.parse_qs(sms["body"].decode())["To"] == ["+4915112345678"]

    # Nobody answers: level 2 (bob) after 3 policy minutes.
    bob_mails, t_bob = wait_mail(mail, "bob@pager.tocsin.test")
    assert t_bob - t_ann <= 3 * MINUTE_S + 10
    # On the server's clock: level 2 fired no sooner than level 1's delay after level 1.
    gap = level_gap(srv, incident)
    assert 3 * MINUTE_S <= gap <= 3 * MINUTE_S + 5, f"level 2 fired {gap:.2f}s after level 1"
    push = ntfy.wait_for(deadline=15)[0]
    assert push["path"] == "/bob-pages" and push["headers"]["priority"] == "5"
    assert "/ack/" in push["headers"]["actions"] and "Checkout fails" in push["body"].decode()

    # The outcome of bob's mail is recorded in the engine round after the SMTP answer.
    def all_sent():
        attempts = srv.ok("GET", f"/api/v1/alert-incidents/{incident}/escalation")["attempts"]
        return len(attempts) == 4 and all(a["state"] == "sent" for a in attempts)
    end = time.monotonic() + 15
    while time.monotonic() < end and not all_sent():
        time.sleep(0.05)
    assert all_sent()

    # The link in the mail: GET only asks (a mail scanner acknowledges nothing), POST acts once.
    ack = link_path(bob_mails[0]["msg"], "ack")
    page = srv.get(ack)
    assert page.status_code == 200 and "<form" in page.text and "Acknowledge" in page.text
    assert srv.ok("GET", f"/api/v1/alert-incidents/{incident}")["state"] == "triggered"
    done = srv.request("POST", ack)
    assert done.status_code == 200, done.text
    assert srv.ok("GET", f"/api/v1/alert-incidents/{incident}")["state"] == "acknowledged"
    assert srv.request("POST", ack).status_code == 409, "a page link works once"

    # Escalation stops: no repeat of level 1 after level 2's delay.
    time.sleep(3 * MINUTE_S + 2)
    assert len(mail.to("ann@pager.tocsin.test")) == 1
    assert len(mail.to("bob@pager.tocsin.test")) == 1
    esc = srv.ok("GET", f"/api/v1/alert-incidents/{incident}/escalation")
    assert esc["escalating"] is False
    assert [a["state"] for a in esc["attempts"]].count("sent") == 4
    assert len(ntfy.all()) == 1

    # The log shows every step, in order.
    actions = [e["action"] for e in incident_log(srv, incident)]
    steps = [a for a in actions if a in ("incident.opened", "escalated", "notify.sent", "acknowledged via link")]
    assert steps == ["incident.opened", "escalated", "notify.sent", "notify.sent", "escalated", "notify.sent",
                     "notify.sent", "acknowledged via link"], actions
    texts = [e["text"] for e in incident_log(srv, incident) if e["action"] == "escalated"]
    assert texts == ["Level 1 paged Ann", "Level 2 paged Bob"]


def test_kill_9_between_levels_then_the_next_level_fires_once_on_time(tocsin_factory, tmp_path, mail, phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann")
    bob = add_user(srv, "bob")
    _, key = paged_service(srv, [(ann, 5), (bob, 5)])
    incident = trigger(srv, key)
    _, t_ann = wait_mail(mail, "ann@pager.tocsin.test")
    srv.kill9_and_restart()
    _, t_bob = wait_mail(mail, "bob@pager.tocsin.test")
    assert t_bob - t_ann <= 5 * MINUTE_S + 15, "level 2 was late after the restart"
    gap = level_gap(srv, incident)
    assert 5 * MINUTE_S <= gap <= 5 * MINUTE_S + 5, f"level 2 fired {gap:.2f}s after level 1"
    time.sleep(2)
    assert len(mail.to("bob@pager.tocsin.test")) == 1
    assert len(mail.to("ann@pager.tocsin.test")) == 1
    actions = [e["action"] for e in incident_log(srv, incident)]
    assert actions.count("escalated") == 2, actions
    timers = srv.ok("GET", f"/api/v1/alert-incidents/{incident}/escalation")["timers"]
    levels = [(t["kind"], t["level"], t["state"]) for t in timers if t["kind"] == "level"]
    assert levels == [("level", 1, "done"), ("level", 2, "done")]


def test_sms_reply_code_resolves_and_escalate_now_pages_the_next_level(tocsin_factory, tmp_path, mail, phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann", phone_number="+4915112345678")
    bob = add_user(srv, "bob")
    _, key = paged_service(srv, [(ann, 60), (bob, 60)])
    incident = trigger(srv, key)
    wait_mail(mail, "ann@pager.tocsin.test")
    # Escalate now: bob at once, without waiting an hour.
    r = srv.api("POST", f"/api/v1/alert-incidents/{incident}/escalate", json={})
    assert r.status_code == 202, r.text
    wait_mail(mail, "bob@pager.tocsin.test", deadline=15)
    # ann answers the SMS with its code.
    sms = phone.wait_for(deadline=15)[0]
    body = urllib.parse.parse_qs(sms["body"].decode())["Body"][0]
    code = re.search(r"\b(\d{4})\b", body).group(1)
    wrong = srv.request("POST", "/hooks/oncall/sms/not-the-secret-at-all", data={"From": "+4915112345678",
                                                                                  "Body": "resolve " + code})
    assert wrong.status_code == 404
    r = srv.request("POST", f"/hooks/oncall/sms/{INBOUND_SECRET}", data={"From": "+4915112345678",
                                                                           "Body": "resolve " + code})
    assert r.status_code == 200 and "resolved" in r.text, r.text
    assert srv.ok("GET", f"/api/v1/alert-incidents/{incident}")["state"] == "resolved"
    actions = [e["action"] for e in incident_log(srv, incident)]
    assert "escalate" in actions and "resolved via sms" in actions, actions


def test_policy_api_validates_and_names_the_field(tocsin_factory, tmp_path, mail, phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann")
    cases = [
        ({"name": "x"}, "levels"),
        ({"name": "x", "levels": []}, "levels"),
        ({"name": "x", "levels": [{"targets": [], "delay_minutes": 5}]}, "levels[0].targets"),
        ({"name": "x", "levels": [{"targets": [{"type": "user", "id": ann}], "delay_minutes": 0}]},
         "levels[0].delay_minutes"),
        ({"name": "x", "levels": [{"targets": [{"type": "group", "id": ann}], "delay_minutes": 5}]},
         "levels[0].targets[0].type"),
        ({"name": "x", "levels": [{"targets": [{"type": "user", "id": "nobody"}], "delay_minutes": 5}]},
         "levels[0].targets[0].id"),
        ({"name": "x", "repeat": 10, "levels": [{"targets": [{"type": "user", "id": ann}], "delay_minutes": 5}]},
         "repeat"),
    ]
    for body, field in cases:
        r = srv.api("POST", "/api/v1/escalation-policies", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json().get("field") == field, (body, r.text)
    p = srv.ok("POST", "/api/v1/escalation-policies", json={
        "name": "ok", "levels": [{"targets": [{"type": "user", "id": ann}], "delay_minutes": 5}]}, expect=201)
    svc = srv.ok("POST", "/api/v1/services", json={"name": "Svc"}, expect=201)
    srv.ok("PUT", f"/api/v1/services/{svc['id']}/escalation", json={"escalation_policy_id": p["id"]})
    assert srv.api("DELETE", f"/api/v1/escalation-policies/{p['id']}").status_code == 409
    bad = srv.api("PUT", f"/api/v1/services/{svc['id']}/escalation", json={"escalation_policy_id": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "escalation_policy_id"
    assert srv.api("GET", "/api/v1/escalation-policies", role=None).status_code == 401


def test_cli_escalates_an_incident_to_a_level(tocsin_factory, tocsin_bin, tmp_path, mail, phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann")
    bob = add_user(srv, "bob")
    _, key = paged_service(srv, [(ann, 60), (bob, 60)])
    incident = trigger(srv, key)
    wait_mail(mail, "ann@pager.tocsin.test")
    srv.terminate()
    data = ["--data", srv.data_dir]
    out = run_cli(tocsin_bin, "alerts", "escalate", incident, "--level", "2", "--as", "lead", *data)
    assert out.returncode == 0 and "escalated" in out.stdout, out.stdout + out.stderr
    missing = run_cli(tocsin_bin, "alerts", "escalate", "nonexistent", *data)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    srv.start()
    wait_mail(mail, "bob@pager.tocsin.test", deadline=15)
    log = incident_log(srv, incident)
    assert any(e["action"] == "escalate" and e["actor"] == "lead" and e["via"] == "cli" for e in log), log


def test_voice_key_press_acknowledges(tocsin_factory, tmp_path, mail, phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann", phone_number="+4915112345678", voice=True)
    bob = add_user(srv, "bob")
    _, key = paged_service(srv, [(ann, 60), (bob, 60)])
    incident = trigger(srv, key)
    call = phone.wait_for(deadline=30)[0]
    assert call["path"] == "/2010-04-01/Accounts/AC0123456789/Calls.json"
    twiml = urllib.parse.parse_qs(call["body"].decode())["Twiml"][0]
    action = re.search(r'action="([^"]+)"', twiml).group(1).replace("&amp;", "&")
    parsed = urllib.parse.urlsplit(action)
    assert parsed.path == f"/hooks/oncall/voice/{INBOUND_SECRET}", action
    # A wrong key is refused; 1 acknowledges.
    bad = srv.request("POST", parsed.path + "?" + parsed.query,
                      data={"From": "+15005550006", "To": "+4915112345678", "Direction": "outbound-api",
                            "Digits": "7"})
    assert bad.status_code == 400, bad.text
    r = srv.request("POST", parsed.path + "?" + parsed.query,
                    data={"From": "+15005550006", "To": "+4915112345678", "Direction": "outbound-api", "Digits": "1"})
    assert r.status_code == 200 and "<Say>" in r.text and "acknowledged" in r.text, r.text
    assert srv.ok("GET", f"/api/v1/alert-incidents/{incident}")["state"] == "acknowledged"
    assert "acknowledged via voice" in [e["action"] for e in incident_log(srv, incident)]


def test_a_failed_push_is_retried_and_every_try_is_in_the_log(tocsin_factory, tmp_path, mail, phone):
    """The ntfy-style receiver answers 503 twice, then accepts: the page arrives on the third
    try (backoff from half a policy minute), and the log shows each failure and retry."""
    calls = []

    def flaky(req):
        calls.append(req)
        if len(calls) <= 2:
            return 503, {"Content-Type": "text/plain"}, "busy"
        return 200, {"Content-Type": "application/json"}, '{"id": "n1"}'

    ntfy = HttpReceiver(flaky)
    ntfy.start()
    try:
        srv = tocsin_factory(config=config(tmp_path, mail, phone))
        ann = add_user(srv, "ann", ntfy_topic=ntfy.url("/ann-pages"))
        _, key = paged_service(srv, [(ann, 60)])
        incident = trigger(srv, key)
        got = ntfy.wait_for(n=3, deadline=30)
        assert [r["status"] for r in got[:3]] == [503, 503, 200]
        # 0.5 and 1 policy minute apart (minute = 1 s), never sooner.
        assert got[1]["at"] - got[0]["at"] >= 0.5 * MINUTE_S - 0.05
        assert got[2]["at"] - got[1]["at"] >= 1.0 * MINUTE_S - 0.05

        def ntfy_rows():
            return [e for e in incident_log(srv, incident) if e["action"].startswith("notify.")
                    and "Push" in e["text"]]
        end = time.monotonic() + 15
        while time.monotonic() < end and not any(e["action"] == "notify.sent" for e in ntfy_rows()):
            time.sleep(0.05)
        rows = [(e["action"], e["text"]) for e in ntfy_rows()]
        assert [a for a, _ in rows] == ["notify.failed", "notify.retry", "notify.failed", "notify.retry",
                                        "notify.sent"], rows
        assert "retrying in 500 ms (try 2 of 4)" in rows[0][1], rows
        assert "(try 3) sent" in rows[4][1], rows
        time.sleep(2 * MINUTE_S)
        assert len(ntfy.all()) == 3, "a delivered try is not sent again"
    finally:
        ntfy.stop()


def test_a_slack_ok_false_answer_is_a_failure_with_the_error(tocsin_factory, tmp_path, mail, phone):
    slack = HttpReceiver(lambda req: (200, {"Content-Type": "application/json"},
                                      '{"ok": false, "error": "channel_not_found"}'))
    slack.start()
    try:
        path = config(tmp_path, mail, phone)
        with open(path, "a") as f:
            f.write(f'  slack:\n    bot_token: "xoxb-test"\n    api_url: "{slack.url("/api").rstrip("/")}"\n')
        srv = tocsin_factory(config=path)
        ann = add_user(srv, "ann")
        m = srv.ok("POST", f"/api/v1/users/{ann}/contact-methods", json={
            "kind": "slack", "label": "slack", "address": "U0123ABCD"}, expect=201)
        srv.ok("PATCH", f"/api/v1/users/{ann}/contact-methods/{m['id']}", json={"verified": True})
        srv.ok("POST", f"/api/v1/users/{ann}/notification-rules", json={
            "contact_method_id": m["id"], "urgency": "high", "delay_minutes": 0}, expect=201)
        _, key = paged_service(srv, [(ann, 60)])
        incident = trigger(srv, key)
        slack.wait_for(deadline=30)

        def slack_attempt():
            attempts = srv.ok("GET", f"/api/v1/alert-incidents/{incident}/escalation")["attempts"]
            return [a for a in attempts if a.get("channel") == "slack"]
        end = time.monotonic() + 15
        while time.monotonic() < end and not any(a["state"] == "failed" for a in slack_attempt()):
            time.sleep(0.05)
        attempts = slack_attempt()
        assert [a["state"] for a in attempts] == ["failed"], attempts
        texts = [e["text"] for e in incident_log(srv, incident) if e["action"] == "notify.failed"]
        assert any("slack: channel_not_found" in t and "not retried" in t for t in texts), texts
    finally:
        slack.stop()


def test_handoff_notice_by_mail_before_the_shift_and_not_again_after_a_restart(tocsin_factory, tmp_path, mail,
                                                                                 phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann")
    methods = srv.ok("GET", f"/api/v1/users/{ann}/contact-methods")
    methods = methods if isinstance(methods, list) else methods["data"]
    srv.ok("POST", f"/api/v1/users/{ann}/notification-rules", json={
        "contact_method_id": methods[0]["id"], "urgency": "low", "delay_minutes": 0}, expect=201)
    bob = add_user(srv, "bob")
    # ann's shift starts in 5 s; the notice is due 10 policy minutes (10 s) before: at once.
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
    srv.ok("POST", "/api/v1/schedules", json={
        "name": "Payments primary", "time_zone": "Europe/Berlin",
        "layers": [{"name": "hourly", "kind": "custom", "start": start, "turn_length_hours": 1,
                    "user_ids": [ann, bob]}]}, expect=201)
    got = mail.wait_for("ann@pager.tocsin.test", deadline=20)
    text = re.sub(r"\s+", " ", body_text(got[0]["msg"]))
    assert "You are on call for Payments primary from " in text, text
    assert "CET to " in text or "CEST to " in text, text
    srv.kill9_and_restart()
    time.sleep(3)
    assert len(mail.to("ann@pager.tocsin.test")) == 1, "a restart does not send the notice again"
    assert mail.to("bob@pager.tocsin.test") == [], "bob's shift is an hour away"


def test_an_incident_opened_in_a_silence_is_paged_when_the_silence_ends_or_is_deleted(tocsin_factory, tmp_path,
                                                                                       mail, phone):
    srv = tocsin_factory(config=config(tmp_path, mail, phone))
    ann = add_user(srv, "ann")
    svc, key = paged_service(srv, [(ann, 60)])
    ends = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 6))  # 5 to 6 s ahead
    timed = srv.ok("POST", "/api/v1/silences", json={"service_id": svc["id"], "comment": "deploy",
                                                     "ends_at": ends}, expect=201)
    incident = trigger(srv, key, dedup="quiet")
    assert srv.ok("GET", f"/api/v1/alert-incidents/{incident}")["silenced"] is True
    time.sleep(2)
    assert mail.to("ann@pager.tocsin.test") == [], "silenced: nobody is paged"
    # The silence ends (no event of its own): escalation starts within a few seconds of it.
    got = mail.wait_for("ann@pager.tocsin.test", deadline=20)
    assert len(got) == 1
    log = incident_log(srv, incident)
    started = [e for e in log if e["action"] == "escalation.started"]
    assert started and "silence ended" in started[0]["text"], log
    assert (parse_iso(started[0]["at"]) - parse_iso(ends)).total_seconds() < 5
    srv.api("DELETE", f"/api/v1/silences/{timed['id']}")
    r = srv.request("POST", "/v2/enqueue", json={"routing_key": key, "event_action": "resolve", "dedup_key": "quiet"})
    assert r.status_code == 202, r.text
    end = time.monotonic() + 10
    while time.monotonic() < end and srv.ok("GET", f"/api/v1/alert-incidents/{incident}")["state"] != "resolved":
        time.sleep(0.05)

    # An open-ended silence, deleted while the incident is open: paged then.
    forever = srv.ok("POST", "/api/v1/silences", json={"service_id": svc["id"], "comment": "maintenance"},
                     expect=201)
    second = trigger(srv, key, dedup="quiet-2")
    assert second != incident
    time.sleep(2)
    assert len(mail.to("ann@pager.tocsin.test")) == 1
    assert srv.api("DELETE", f"/api/v1/silences/{forever['id']}").status_code == 204
    mail.wait_for("ann@pager.tocsin.test", n=2, deadline=20)
    assert any(e["action"] == "escalation.started" for e in incident_log(srv, second))
