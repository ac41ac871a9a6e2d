"""Notifications end to end: the real binary, a real SMTP server (aiosmtpd) and real HTTP
receivers on 127.0.0.1. Covers threading, signatures, retries with backoff, dead letters, the
policy, chat and Mastodon payloads, the manage link in chats and webhooks (followed to
unsubscribe), and a kill -9 in the middle of a 5,000-recipient fan-out.
"""

import hashlib
import hmac
import re
import time
from datetime import timedelta
from email.utils import parseaddr

import pytest

from conftest import poll
from receivers import HttpReceiver, MailSink, body_text
from test_subscribe_mail import forms_of, submit

FROM = "status@tocsin.test"
PUBLIC = "http://status.acme.test"
MANAGE = PUBLIC + "/subscribe/manage?token="


@pytest.fixture
def mail():
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def receivers():
    started = []

    def make(behave=None):
        r = HttpReceiver(behave).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


def notify_config(tmp_path, smtp_url=None, extra="", name="notify.yaml"):
    """A config with a notifications section; `extra` is YAML indented under notifications."""
    lines = ["notifications:", f"  from: \"Acme Status <{FROM}>\"", f"  public_url: \"{PUBLIC}\""]
    if smtp_url:
        lines += ["  smtp:", f"    url: \"{smtp_url}\"", "    tls: none", "    connections: 4"]
    lines += ["  retry:", "    base_seconds: 1", "    max_seconds: 2", "    max_attempts: 4"]
    if extra:
        lines += ["  " + line if line else line for line in extra.strip("\n").splitlines()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def add_subscriber(srv, channel, target, **fields):
    body = {"channel": channel, "target": target, "skip_confirmation": True, **fields}
    return srv.ok("POST", "/api/v1/subscribers", json=body, expect=201)


def deliveries(srv, **params):
    return srv.ok("GET", "/api/v1/deliveries", params=params)


# ---- e-mail ---------------------------------------------------------------------------------


def test_updates_of_one_incident_thread_together_in_the_mail_client(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=notify_config(tmp_path, mail.url))
    api = srv.create_component("API")
    add_subscriber(srv, "email", "ops@customer.test", language="en")

    inc = srv.create_incident("API unavailable", body="We are **investigating**.", components={api["id"]: "major_outage"})
    first = mail.wait_for("ops@customer.test", 1)[0]["msg"]
    srv.post_update(inc["id"], status="identified", body="A bad deploy; rolling back.")
    second = mail.wait_for("ops@customer.test", 2)[1]["msg"]

    assert "API unavailable" in first["Subject"]
    assert parseaddr(first["From"])[1] == FROM
    assert first["Message-ID"] and second["Message-ID"] and first["Message-ID"] != second["Message-ID"]
    # The second message replies to the first: every update lands in one thread.
    assert second["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in second["References"]
    # RFC 8058 one-click unsubscribe headers, and the link in the body.
    unsubscribe = re.match(r"<([^>]+)>", first["List-Unsubscribe"]).group(1)
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = body_text(first)
    assert "investigating" in text.lower() and "API" in text and unsubscribe in text
    assert "http://status.acme.test/incidents/" + inc["id"] in text
    html = body_text(first, "html")
    # Self-contained HTML: nothing is loaded from anywhere when the mail is opened.
    assert "<html" in html.lower() and not re.search(r'(src|srcset)\s*=\s*["\']?https?:', html, re.I)

    # One click unsubscribes (the path of the link, on this server): the address is gone.
    path = unsubscribe.replace("http://status.acme.test", "")
    r = srv.request("POST", path, data="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert srv.ok("GET", "/api/v1/subscribers") == []
    srv.post_update(inc["id"], status="resolved", body="Fixed.")
    time.sleep(1.5)
    assert len(mail.to("ops@customer.test")) == 2


def test_german_subscriber_gets_german_mail_with_times_in_the_page_time_zone(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=notify_config(tmp_path, mail.url))
    srv.ok("PATCH", "/api/v1/page", json={"time_zone": "Europe/Berlin"})
    db = srv.create_component("Datenbank")
    add_subscriber(srv, "email", "kunde@beispiel.test", language="de")
    srv.create_incident("Datenbank langsam", body="Wir untersuchen das.", components={db["id"]: "degraded_performance"})
    msg = mail.wait_for("kunde@beispiel.test")[0]["msg"]
    text = body_text(msg)
    assert "Datenbank langsam" in msg["Subject"]
    assert "Wir untersuchen das." in text
    assert re.search(r"Untersuch|Beeinträchtig|Störung", text), text
    assert re.search(r"\b(MEZ|MESZ|CET|CEST|\+01:00|\+02:00)\b", text), text


def test_component_subscriber_hears_only_about_their_components(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=notify_config(tmp_path, mail.url))
    api = srv.create_component("API")
    web = srv.create_component("Website")
    add_subscriber(srv, "email", "api-only@customer.test", components=[api["id"]])
    add_subscriber(srv, "email", "everything@customer.test")
    srv.create_incident("Website slow", body="Looking.", components={web["id"]: "degraded_performance"})
    srv.create_incident("API down", body="Looking.", components={api["id"]: "major_outage"})
    mail.wait_for("everything@customer.test", 2)
    got = mail.wait_for("api-only@customer.test", 1)
    time.sleep(1.0)
    assert [m["msg"]["Subject"] for m in mail.to("api-only@customer.test")] == [got[0]["msg"]["Subject"]]
    assert "API down" in got[0]["msg"]["Subject"]


def test_policy_min_impact_and_silent_updates(tocsin_factory, tmp_path, mail):
    cfg = notify_config(tmp_path, mail.url, extra="policy:\n  email:\n    min_impact: major\n")
    srv = tocsin_factory(config=cfg)
    api = srv.create_component("API")
    add_subscriber(srv, "email", "boss@customer.test")
    srv.create_incident("Slightly slow", body="Minor.", components={api["id"]: "degraded_performance"})
    big = srv.create_incident("Everything down", body="Major.", components={api["id"]: "major_outage"})
    srv.post_update(big["id"], status="identified", body="Quiet note.", deliver_notifications=False)
    srv.post_update(big["id"], status="resolved", body="Back.")
    got = mail.wait_for("boss@customer.test", 2)
    time.sleep(1.0)
    subjects = [m["msg"]["Subject"] for m in mail.to("boss@customer.test")]
    assert len(subjects) == 2, subjects
    assert all("Everything down" in s for s in subjects)
    assert "Back." in body_text(got[1]["msg"])


def test_rejected_recipient_is_dead_lettered_with_the_smtp_error(tocsin_factory, tmp_path, mail):
    mail.reject_rcpt.add("gone@customer.test")
    srv = tocsin_factory(config=notify_config(tmp_path, mail.url))
    add_subscriber(srv, "email", "gone@customer.test")
    add_subscriber(srv, "email", "here@customer.test")
    srv.create_incident("Outage", body="Down.")
    mail.wait_for("here@customer.test")
    dead = poll(lambda: deliveries(srv, state="dead"), "a dead letter")
    assert len(dead) == 1 and dead[0]["attempts"] == 1
    assert "550" in dead[0]["last_error"]


# ---- webhooks and chats ---------------------------------------------------------------------


def test_webhook_is_signed_and_carries_the_idempotency_key(tocsin_factory, tmp_path, receivers):
    hook = receivers()
    srv = tocsin_factory(config=notify_config(tmp_path))
    secret = "s3cret-for-signing-webhooks"
    add_subscriber(srv, "webhook", hook.url("/tocsin"), secret=secret)
    inc = srv.create_incident("Queue backlog", body="Jobs are delayed.")
    req = hook.wait_for(1)[0]
    h = req["headers"]
    expected = hmac.new(secret.encode(), h["x-tocsin-timestamp"].encode() + b"." + req["body"], hashlib.sha256)
    assert h["x-tocsin-signature"] == "v1=" + expected.hexdigest()
    assert abs(int(h["x-tocsin-timestamp"]) - time.time()) < 120
    assert h["idempotency-key"] and h["idempotency-key"] == req["json"]["idempotency_key"]
    assert req["json"]["incident"]["id"] == inc["id"]
    assert req["json"]["incident"]["name"] == "Queue backlog"
    assert req["json"]["update"]["body"] == "Jobs are delayed."
    assert req["json"]["manage_url"].startswith(MANAGE)


def test_webhook_manage_url_leads_to_the_manage_page_which_unsubscribes(tocsin_factory, tmp_path, receivers):
    hook = receivers()
    srv = tocsin_factory(config=notify_config(tmp_path))
    target = hook.url("/tocsin")
    add_subscriber(srv, "webhook", target)
    srv.create_incident("Queue backlog", body="Jobs are delayed.")
    manage_url = hook.wait_for(1)[0]["json"]["manage_url"]
    assert manage_url.startswith(MANAGE), manage_url

    # The link, followed on this server: the manage page of this webhook.
    page = srv.get(manage_url[len(PUBLIC):])
    assert page.status_code == 200, page.text
    assert "Manage your subscription" in page.text and target in page.text
    # Its unsubscribe link asks (deletes nothing); the button's POST deletes.
    unsubscribe = re.search(r'href="(/unsubscribe\?token=[^"]+)"', page.text).group(1).replace("&amp;", "&")
    ask = srv.get(unsubscribe)
    assert ask.status_code == 200, ask.text
    assert len(srv.ok("GET", "/api/v1/subscribers")) == 1
    [button] = forms_of(ask.text)
    gone = submit(srv, button)
    assert gone.status_code == 200, gone.text
    assert srv.ok("GET", "/api/v1/subscribers") == []


def test_webhook_failing_three_times_is_delivered_once_after_backoff(tocsin_factory, tmp_path, receivers):
    calls = []

    def flaky(req):
        calls.append(req["at"])
        return (503, {}, "busy") if len(calls) <= 3 else (200, {}, "ok")

    hook = receivers(flaky)
    srv = tocsin_factory(config=notify_config(tmp_path))
    add_subscriber(srv, "webhook", hook.url("/flaky"))
    srv.create_incident("Flaky receiver", body="x")
    hook.wait_for(4, deadline=40)
    sent = poll(lambda: deliveries(srv, state="sent"), "the delivery to be recorded as sent")
    assert sent[0]["attempts"] == 4
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    # Backoff base 1 s (doubling, capped at 2 s, jittered down to half): never immediate.
    assert all(g >= 0.4 for g in gaps), gaps
    time.sleep(2.5)
    assert len([r for r in hook.all() if r["status"] == 200]) == 1
    keys = {r["headers"]["idempotency-key"] for r in hook.all()}
    assert len(keys) == 1  # every retry carries the same key


def test_webhook_that_never_accepts_is_dead_lettered_and_visible(tocsin_factory, tmp_path, receivers):
    hook = receivers(lambda req: (500, {}, "boom"))
    srv = tocsin_factory(config=notify_config(tmp_path))
    sub = add_subscriber(srv, "webhook", hook.url("/down"))
    srv.create_incident("Receiver down", body="x")
    dead = poll(lambda: deliveries(srv, state="dead"), "the delivery to be dead-lettered", deadline=40)
    assert dead[0]["attempts"] == 4 and dead[0]["subscriber_id"] == sub["id"]
    assert "500" in dead[0]["last_error"]
    assert len(hook.all()) == 4
    # An admin can send it again.
    srv.ok("POST", f"/api/v1/deliveries/{dead[0]['id']}/retry", expect=(200, 202, 204))
    hook.wait_for(5)


def test_private_targets_are_refused_when_configured(tocsin_factory, tmp_path, receivers):
    hook = receivers()
    cfg = notify_config(tmp_path, extra="http:\n  refuse_private_targets: true\n")
    srv = tocsin_factory(config=cfg)
    add_subscriber(srv, "webhook", hook.url("/internal"))
    srv.create_incident("Should not reach", body="x")
    dead = poll(lambda: deliveries(srv, state="dead"), "a refused delivery")
    assert "private" in dead[0]["last_error"].lower()
    assert hook.all() == []


def test_chat_payloads_use_each_platforms_format(tocsin_factory, tmp_path, receivers):
    slack, teams, discord, telegram = receivers(), receivers(), receivers(), receivers(
        lambda req: (200, {"Content-Type": "application/json"}, '{"ok":true,"result":{}}'))
    cfg = notify_config(tmp_path, extra=f"telegram:\n  bot_token: \"123:ABC\"\n  api_url: \"{telegram.url('')}\"\n")
    srv = tocsin_factory(config=cfg)
    api = srv.create_component("API")
    add_subscriber(srv, "slack", slack.url("/services/T000/B000/XXX"))
    add_subscriber(srv, "teams", teams.url("/workflows/abc"))
    add_subscriber(srv, "discord", discord.url("/api/webhooks/1/abc"))
    add_subscriber(srv, "telegram", "-1001234567890")
    inc = srv.create_incident("Login broken", body="Users cannot sign in.", components={api["id"]: "major_outage"})
    link = "http://status.acme.test/incidents/" + inc["id"]

    s = slack.wait_for(1)[0]["json"]
    assert "blocks" in s and link in str(s) and "Login broken" in str(s["blocks"])
    t = teams.wait_for(1)[0]["json"]
    card = t["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and link in str(card["content"])
    d = discord.wait_for(1)[0]["json"]
    assert isinstance(d["embeds"][0]["color"], int) and d["embeds"][0]["url"].startswith(link)
    g = telegram.wait_for(1)[0]
    assert g["path"] == "/bot123:ABC/sendMessage"
    assert g["json"]["chat_id"] in ("-1001234567890", -1001234567890)
    assert g["json"]["parse_mode"] == "HTML" and "Login broken" in g["json"]["text"]
    for body in (str(s), str(card), str(d), g["json"]["text"]):
        assert "API" in body  # the affected component everywhere
    # Every subscriber's own link to change components or language, or to unsubscribe.
    assert re.search(r"<" + re.escape(MANAGE) + r"[^|>]+\|Manage or unsubscribe>", str(s["attachments"])), s
    actions = card["content"]["actions"]
    assert any(a["type"] == "Action.OpenUrl" and a["url"].startswith(MANAGE) for a in actions), actions
    assert re.search(r"\[Manage or unsubscribe\]\(" + re.escape(MANAGE), d["embeds"][0]["description"]), d
    assert re.search(r'<a href="' + re.escape(MANAGE) + r'[^"]+">Manage or unsubscribe</a>', g["json"]["text"]), g


def test_mastodon_posts_incidents_and_threads_updates(tocsin_factory, tmp_path, receivers):
    ids = iter(range(1000, 2000))

    def statuses(req):
        return 200, {"Content-Type": "application/json"}, '{"id":"%d"}' % next(ids)

    masto = receivers(statuses)
    cfg = notify_config(tmp_path, extra=f"mastodon:\n  instance: \"{masto.url('')}\"\n  access_token: \"tok\"\n")
    srv = tocsin_factory(config=cfg)
    inc = srv.create_incident("Payments failing", body="Investigating.")
    srv.post_update(inc["id"], status="resolved", body="Fixed.")
    posts = masto.wait_for(2)
    assert [p["path"] for p in posts] == ["/api/v1/statuses", "/api/v1/statuses"]
    assert posts[0]["headers"]["authorization"] == "Bearer tok"
    assert posts[0]["headers"]["idempotency-key"] != posts[1]["headers"]["idempotency-key"]
    from urllib.parse import parse_qs
    first = parse_qs(posts[0]["body"].decode())
    second = parse_qs(posts[1]["body"].decode())
    assert "Payments failing" in first["status"][0] and len(first["status"][0]) <= 500
    assert "in_reply_to_id" not in first
    assert second["in_reply_to_id"] == ["1000"]


def test_maintenance_reminder_goes_out_before_the_window(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=notify_config(tmp_path, mail.url))
    add_subscriber(srv, "email", "ops@customer.test")
    srv.create_maintenance("Database upgrade", timedelta(minutes=3), timedelta(hours=1),
                           body="We upgrade the database.", scheduled_remind_prior_minutes=10)
    got = mail.wait_for("ops@customer.test", 2, deadline=30)
    subjects = [m["msg"]["Subject"] for m in got]
    assert all("Database upgrade" in s for s in subjects), subjects
    assert subjects[0] != subjects[1]  # the announcement and the reminder say different things


# ---- nothing lost, nothing twice -------------------------------------------------------------


def test_kill_during_fan_out_of_5000_then_every_subscriber_has_exactly_one_message(tocsin_factory, tmp_path, mail):
    in_flight = 400  # the dispatcher's window of messages handed to SMTP and not yet recorded
    srv = tocsin_factory(config=notify_config(tmp_path, mail.url, extra=f"max_in_flight: {in_flight}"))
    n = 5000
    csv = "channel,target,language,components,confirmed\n" + "".join(
        f"email,user{i:05d}@fanout.test,en,,true\n" for i in range(n))
    r = srv.api("POST", "/api/v1/subscribers/import", data=csv, headers={"Content-Type": "text/csv"})
    assert r.status_code in (200, 201), r.text
    assert r.json()["imported"] == n
    srv.create_incident("Mass outage", body="Everyone is affected.")
    poll(lambda: mail.count() >= 800, "the fan-out to be under way", deadline=60)
    srv.kill9()
    at_kill = mail.count()
    assert at_kill < n, "the fan-out finished before the kill; nothing was tested"
    srv.start()
    poll(lambda: len({m["rcpt"] for m in mail.snapshot()}) >= n, "every subscriber to get the message", deadline=240)
    time.sleep(1.0)
    per_rcpt = {}
    for m in mail.snapshot():
        per_rcpt.setdefault(m["rcpt"], set()).add(m["msg"]["Message-ID"])
    assert len(per_rcpt) == n
    # One message per subscriber: a repeat after the crash carries the same Message-ID, so the
    # recipient's mail system shows it once.
    assert all(len(ids) == 1 for ids in per_rcpt.values())
    raw_repeats = mail.count() - n
    # Only the messages in flight at the kill can have been sent twice (accepted by the server
    # but not yet recorded): bounded by the in-flight window, not by the fan-out size or the load.
    assert raw_repeats <= in_flight, raw_repeats
    progress = srv.ok("GET", "/api/v1/notifications")
    update = next(p for p in progress if p["topic"] == "incident.update")
    assert update["progress"]["sent"] == n and update["progress"]["pending"] == 0
    print(f"kill at {at_kill} of {n}; repeats of in-flight messages after restart: {raw_repeats}")


# ---- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "a@b.test\r\nBcc: victim@evil.test",
    "a@b.test\nSubject: hi",
    "<a@b.test>",
    "a@b.test, c@d.test",
    "no-at-sign",
    "x" * 300 + "@b.test",
])
def test_header_injection_and_malformed_addresses_are_refused(shared_server, target):
    r = shared_server.api("POST", "/api/v1/subscribers",
                          json={"channel": "email", "target": target, "skip_confirmation": True})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "target"


@pytest.mark.parametrize("url", [
    "ftp://example.test/hook",
    "http://user:pw@example.test/hook",
    "javascript:alert(1)",
    "http://",
    "http://exa mple.test/",
])
def test_bad_webhook_urls_are_refused(shared_server, url):
    r = shared_server.api("POST", "/api/v1/subscribers", json={"channel": "webhook", "target": url})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "target"


def test_bad_notification_config_names_the_key(tocsin_bin, tmp_path):
    from conftest import run_cli
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("notifications:\n  smtp:\n    url: \"http://mail.test\"\n")
    r = run_cli(tocsin_bin, "serve", "--listen", "127.0.0.1:0", "--data", str(tmp_path / "d"), "--config", str(cfg))
    assert r.returncode != 0
    assert "notifications.smtp.url" in r.stderr + r.stdout
