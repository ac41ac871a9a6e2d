"""Subscribing through the public page with real mail: the real binary, its notification
dispatcher and an SMTP server (aiosmtpd) on 127.0.0.1.

Every form is read from the page and sent the way a browser without JavaScript sends it
(application/x-www-form-urlencoded, the checked radios and boxes, the selected options, the
named button). Links in messages point at notifications.public_url; they are followed on the
test server by replacing that prefix with the server's own address.

Covers the English and German double opt-in (a GET of the confirmation link only asks; the
button's POST confirms), the welcome with manage and unsubscribe links and RFC 8058 headers,
incident mail, unsubscribing (GET asks, POST deletes), component subscriptions, a language
change on the manage page, a repeated form for a confirmed address (the manage link by mail,
the same answer as for a new address), header injection, a webhook's confirmation, and the
rate limits.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from conftest import poll
from receivers import HttpReceiver, MailSink, body_text

FROM = "status@tocsin.test"
PUBLIC = "http://status.acme.test"


@pytest.fixture
def mail():
    sink = MailSink().start()
    yield sink
    sink.stop()


def mail_config(tmp_path, smtp_url, per_client=100000, per_address=1000, limits=True, name="subscribe-mail.yaml"):
    """Like notify_config in test_notifications.py, plus the subscribe form's rate limits
    (high by default: most tests post more often than a visitor would; limits=False keeps the
    server's defaults)."""
    lines = [
        "notifications:",
        f"  from: \"Acme Status <{FROM}>\"",
        f"  public_url: \"{PUBLIC}\"",
        "  smtp:",
        f"    url: \"{smtp_url}\"",
        "    tls: none",
        "    connections: 4",
        "  retry:",
        "    base_seconds: 1",
        "    max_seconds: 2",
        "    max_attempts: 4",
    ]
    if limits:
        lines += ["  subscribe:", f"    per_client_per_hour: {per_client}", f"    per_address_per_hour: {per_address}"]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


# ---- a browser without JavaScript ------------------------------------------------------------


class _FormParser(HTMLParser):
    """The forms of a page: action, method and their controls (attribute values unescaped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "controls": []})
            return
        if not self.forms:
            return
        controls = self.forms[-1]["controls"]
        if tag == "input":
            controls.append({"kind": a.get("type", "text").lower(), "name": a.get("name"), "value": a.get("value", ""),
                             "checked": "checked" in a})
        elif tag == "button" and a.get("name"):
            controls.append({"kind": "button", "name": a["name"], "value": a.get("value", "")})
        elif tag == "select":
            self._select = {"kind": "select", "name": a.get("name"), "options": []}
            controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html):
    p = _FormParser()
    p.feed(html)
    p.close()
    return p.forms


def form_data(form, fill=None, check=None):
    """What a browser posts for `form`: `fill` sets text fields and selects by name, `check`
    ({name: [values]}) replaces which radios and boxes of that name are checked."""
    fill, check = fill or {}, check or {}
    pairs = []
    for c in form["controls"]:
        name = c.get("name")
        if not name:
            continue
        kind = c["kind"]
        if kind in ("radio", "checkbox"):
            on = c["value"] in check[name] if name in check else c["checked"]
            if on:
                pairs.append((name, c["value"]))
        elif kind == "select":
            options = c["options"]
            chosen = next((v for v, sel in options if sel), options[0][0] if options else "")
            pairs.append((name, fill.get(name, chosen)))
        elif kind in ("submit", "image", "reset", "file"):
            continue
        else:  # text, email, hidden, password, button with a name
            pairs.append((name, fill.get(name, c["value"])))
    return pairs


def submit(srv, form, fill=None, check=None, lang="en"):
    assert form["method"] == "post", form
    assert not urlsplit(form["action"]).netloc, form["action"]
    return srv.request("POST", form["action"], data=form_data(form, fill, check),
                       headers={"Accept-Language": lang})


def email_form(srv, lang="en"):
    r = srv.get("/subscribe", headers={"Accept-Language": lang})
    assert r.status_code == 200, r.text
    [form] = [f for f in forms_of(r.text) if any(c.get("name") == "channel" and c.get("value") == "email"
                                                 for c in f["controls"])]
    return form


def subscribe_by_form(srv, address, lang="en", fill=None, check=None):
    """Fills in the e-mail form of the page in `lang` and sends it; returns the response."""
    return submit(srv, email_form(srv, lang), fill={"target": address, **(fill or {})}, check=check, lang=lang)


# ---- links and state -----------------------------------------------------------------------------


def links(msg, path):
    """The links of the text part to `path` on the public URL."""
    return re.findall(re.escape(PUBLIC + path) + r"\?token=[A-Za-z0-9_.~%-]+", body_text(msg))


def local(url):
    """A link of a message, as a path on the test server."""
    assert url.startswith(PUBLIC + "/"), url
    return url[len(PUBLIC):]


def list_unsubscribe(msg):
    m = re.fullmatch(r"<([^>]+)>", msg["List-Unsubscribe"] or "")
    assert m, msg["List-Unsubscribe"]
    return m.group(1)


def subscribers(srv):
    return srv.ok("GET", "/api/v1/subscribers")


def settled(srv):
    """Waits until every queued notification is fanned out and each delivery recorded (an
    SMTP server has accepted every message that was sent): afterwards, no more mail comes."""
    def done():
        rows = srv.ok("GET", "/api/v1/notifications?limit=500")
        return all(r["dispatched_at"] and r["progress"]["pending"] == 0 and r["progress"]["failing"] == 0
                   for r in rows)

    poll(done, "every notification to be dispatched and recorded", deadline=30)


def confirm_by_link(srv, url, lang_words):
    """GET the confirmation link (asks), then the button's POST (confirms). Returns both pages."""
    ask = srv.get(local(url))
    assert ask.status_code == 200, ask.text
    assert lang_words in ask.text
    [form] = forms_of(ask.text)
    done = submit(srv, form)
    assert done.status_code == 200, done.text
    return ask, done


def subscribe_and_confirm(srv, mail, address, lang="en", **kwargs):
    """The whole double opt-in; returns the welcome message."""
    r = subscribe_by_form(srv, address, lang=lang, **kwargs)
    assert r.status_code == 200, r.text
    confirm = mail.wait_for(address, 1)[0]["msg"]
    [url] = links(confirm, "/subscribe/confirm")
    confirm_by_link(srv, url, "Abonnement bestätigen" if lang == "de" else "Confirm subscription")
    return mail.wait_for(address, 2)[1]["msg"]


# ---- (a) English double opt-in, incident, unsubscribe ---------------------------------------------


def test_english_double_opt_in_incident_mail_and_unsubscribe(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
    api = srv.create_component("API")
    address = "ops@customer.test"

    # The page's form, as a browser posts it: everything on the page, English.
    form = email_form(srv)
    assert form["action"] == "/subscribe?lang=en"
    data = form_data(form, fill={"target": address})
    assert ("channel", "email") in data and ("scope", "all") in data and ("language", "en") in data
    r = submit(srv, form, fill={"target": address})
    assert r.status_code == 200, r.text
    assert "Please confirm your subscription" in r.text
    [s] = subscribers(srv)
    assert s["target"] == address and s["confirmed"] is False and s["language"] == "en"

    # The confirmation request.
    confirm = mail.wait_for(address, 1)[0]["msg"]
    assert confirm["Subject"].startswith("Confirm your subscription to")
    assert confirm["From"] == f"Acme Status <{FROM}>"
    assert confirm["To"] == address
    text = body_text(confirm)
    assert "Please confirm that you want to receive status updates" in text
    assert "without confirmation" in text
    [confirm_url] = links(confirm, "/subscribe/confirm")
    assert confirm_url in body_text(confirm, "html")
    # As designed: every message to a subscriber carries the one-click unsubscribe headers,
    # the confirmation request too (unsubscribing deletes the unconfirmed request).
    assert urlsplit(list_unsubscribe(confirm)).path == "/unsubscribe"
    assert confirm["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert confirm["Auto-Submitted"] == "auto-generated"

    # Opening the link (or a mail scanner doing so) only asks.
    ask = srv.get(local(confirm_url))
    assert ask.status_code == 200, ask.text
    assert ask.headers["Content-Language"] == "en"
    assert "Confirm subscription</button>" in ask.text
    assert address in ask.text
    [button] = forms_of(ask.text)
    assert button["method"] == "post"
    assert urlsplit(button["action"]).path == "/subscribe/confirm"
    assert urlsplit(button["action"]).query.startswith(urlsplit(confirm_url).query + "&")
    assert srv.request("HEAD", local(confirm_url)).status_code == 200
    assert [x["confirmed"] for x in subscribers(srv)] == [False]
    settled(srv)
    assert len(mail.to(address)) == 1, "no welcome before confirming"

    # The button confirms.
    done = submit(srv, button)
    assert done.status_code == 200, done.text
    assert "Subscription confirmed" in done.text
    [s] = subscribers(srv)
    assert s["confirmed"] is True and s["confirmed_at"]
    manage_href = re.search(r'href="(/subscribe/manage\?token=[^"]+)"', done.text).group(1).replace("&amp;", "&")
    assert srv.get(manage_href).status_code == 200

    # The welcome: manage and unsubscribe links, RFC 8058 headers.
    welcome = mail.wait_for(address, 2)[1]["msg"]
    assert welcome["Subject"].startswith("You are subscribed to")
    text = body_text(welcome)
    assert "You will now receive incident and maintenance updates" in text
    [manage] = links(welcome, "/subscribe/manage")
    [unsubscribe] = links(welcome, "/unsubscribe")
    assert list_unsubscribe(welcome) == unsubscribe
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = srv.get(local(manage))
    assert page.status_code == 200 and "Manage your subscription" in page.text and address in page.text

    # An incident reaches the subscriber.
    inc = srv.create_incident("API unavailable", body="We are investigating.", components={api["id"]: "major_outage"})
    incident = mail.wait_for(address, 3)[2]["msg"]
    assert "API unavailable" in incident["Subject"]
    text = body_text(incident)
    assert "We are investigating." in text and "Manage subscription:" in text
    assert PUBLIC + "/incidents/" + inc["id"] in text
    [unsubscribe] = links(incident, "/unsubscribe")
    assert list_unsubscribe(incident) == unsubscribe

    # Unsubscribing: the GET asks and deletes nothing, the button's POST deletes.
    ask = srv.get(local(unsubscribe))
    assert ask.status_code == 200, ask.text
    assert f"Do you want to stop the messages to {address}?" in ask.text
    assert len(subscribers(srv)) == 1
    [button] = forms_of(ask.text)
    gone = submit(srv, button)
    assert gone.status_code == 200, gone.text
    assert "Your address has been deleted." in gone.text
    assert subscribers(srv) == []

    # Nothing more is sent.
    srv.post_update(inc["id"], status="resolved", body="Fixed.")
    settled(srv)
    assert len(mail.to(address)) == 3
    assert mail.count() == 3


# ---- (b) German -------------------------------------------------------------------------------


def test_german_visitor_gets_german_confirmation_and_welcome(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
    address = "kunde@beispiel.test"
    form = email_form(srv, lang="de")
    assert form["action"] == "/subscribe?lang=de"
    assert ("language", "de") in form_data(form), "the visitor's language is preselected"
    r = submit(srv, form, fill={"target": address}, lang="de")
    assert r.status_code == 200, r.text
    assert "Bitte bestätigen Sie Ihr Abonnement" in r.text
    assert subscribers(srv)[0]["language"] == "de"

    confirm = mail.wait_for(address, 1)[0]["msg"]
    assert confirm["Subject"].startswith("Bestätigen Sie Ihr Abonnement von")
    text = body_text(confirm)
    assert "Bitte bestätigen Sie, dass Sie die Statusmeldungen" in text
    assert "ohne Bestätigung erhalten Sie nichts" in text
    assert 'lang="de"' in body_text(confirm, "html")
    [url] = links(confirm, "/subscribe/confirm")

    ask = srv.get(local(url))  # no Accept-Language: the subscriber's language
    assert ask.status_code == 200
    assert '<html lang="de">' in ask.text
    assert "Abonnement bestätigen</button>" in ask.text
    assert subscribers(srv)[0]["confirmed"] is False
    [button] = forms_of(ask.text)
    done = submit(srv, button)
    assert done.status_code == 200
    assert "Abonnement bestätigt" in done.text and "Abonnement verwalten" in done.text
    assert subscribers(srv)[0]["confirmed"] is True

    welcome = mail.wait_for(address, 2)[1]["msg"]
    assert re.fullmatch(r"Sie haben .+ abonniert", welcome["Subject"]), welcome["Subject"]
    text = body_text(welcome)
    assert "Ab jetzt erhalten Sie Meldungen zu Störungen und Wartungsarbeiten" in text
    assert "Abonnement verwalten: " + links(welcome, "/subscribe/manage")[0] in text
    assert "Abmelden: " + links(welcome, "/unsubscribe")[0] in text
    assert list_unsubscribe(welcome) == links(welcome, "/unsubscribe")[0]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    manage = srv.get(local(links(welcome, "/subscribe/manage")[0]))
    assert manage.status_code == 200 and "Abonnement verwalten" in manage.text


# ---- (c) components ---------------------------------------------------------------------------


def test_component_subscription_hears_only_about_that_component(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
    api = srv.create_component("API")
    web = srv.create_component("Website")
    address = "api-only@customer.test"
    subscribe_and_confirm(srv, mail, address, check={"scope": ["some"], "component": [api["id"]]})
    [s] = subscribers(srv)
    assert s["components"] == [api["id"]] and s["confirmed"] is True

    srv.create_incident("Website slow", body="Looking.", components={web["id"]: "degraded_performance"})
    srv.create_incident("API down", body="Looking.", components={api["id"]: "major_outage"})
    got = mail.wait_for(address, 3)
    settled(srv)
    subjects = [m["msg"]["Subject"] for m in mail.to(address)]
    assert len(subjects) == 3, subjects  # confirmation, welcome, the API incident
    assert "API down" in subjects[2]
    assert not any("Website slow" in s for s in subjects), subjects
    assert "API" in body_text(got[2]["msg"])


# ---- (d) the manage page ------------------------------------------------------------------------


def test_manage_page_switches_the_mail_language_to_german(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
    api = srv.create_component("API")
    address = "ops@customer.test"
    welcome = subscribe_and_confirm(srv, mail, address)
    inc = srv.create_incident("API slow", body="Looking into it.", components={api["id"]: "degraded_performance"})
    english = mail.wait_for(address, 3)[2]["msg"]
    assert "Status: " in body_text(english) and "Manage subscription:" in body_text(english)

    [manage] = links(welcome, "/subscribe/manage")
    page = srv.get(local(manage))
    assert page.status_code == 200, page.text
    [form] = forms_of(page.text)
    assert ("language", "en") in form_data(form)
    saved = submit(srv, form, fill={"language": "de"})
    assert saved.status_code == 200, saved.text
    assert "Your changes have been saved." in saved.text  # the page keeps the language it was shown in
    assert subscribers(srv)[0]["language"] == "de"

    srv.post_update(inc["id"], status="identified", body="Ein Index fehlte.")
    german = mail.wait_for(address, 4)[3]["msg"]
    text = body_text(german)
    assert "Ein Index fehlte." in text
    assert "Zustand: " in text and "Abonnement verwalten: " in text and "Abmelden: " in text
    assert "Manage subscription" not in text


# ---- (e) the form again for a confirmed address ------------------------------------------------------


def test_form_for_a_confirmed_address_mails_the_manage_link_with_the_same_answer(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
    known = "known@customer.test"
    subscribe_and_confirm(srv, mail, known)

    again = subscribe_by_form(srv, known, fill={"language": "de"})
    first = subscribe_by_form(srv, "new@customer.test", fill={"language": "de"})
    assert again.status_code == first.status_code == 200
    assert again.content == first.content, "the answer must not tell who is subscribed"
    drop = ("Date",)
    assert {k: v for k, v in again.headers.items() if k not in drop} == \
           {k: v for k, v in first.headers.items() if k not in drop}

    reminder = mail.wait_for(known, 3)[2]["msg"]
    # The owner's language, not the one in the form: a stranger changes nothing.
    assert reminder["Subject"].startswith("You are subscribed to")
    [manage] = links(reminder, "/subscribe/manage")
    page = srv.get(local(manage))
    assert page.status_code == 200 and known in page.text
    new_confirm = mail.wait_for("new@customer.test", 1)[0]["msg"]
    assert new_confirm["Subject"].startswith("Bestätigen Sie Ihr Abonnement")
    settled(srv)
    assert len(mail.to(known)) == 3 and len(mail.to("new@customer.test")) == 1
    by_target = {s["target"]: s for s in subscribers(srv)}
    assert by_target[known]["language"] == "en" and by_target[known]["confirmed"] is True
    assert by_target["new@customer.test"]["confirmed"] is False


def test_webhook_confirmation_and_repeated_form_send_no_welcome(tocsin_factory, tmp_path, mail):
    hook = HttpReceiver().start()
    try:
        srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
        page = srv.get("/subscribe")
        [chat] = [f for f in forms_of(page.text) if any(c["kind"] == "select" and c["name"] == "channel"
                                                         for c in f["controls"])]
        target = hook.url("/in")
        r = submit(srv, chat, fill={"channel": "webhook", "target": target})
        assert r.status_code == 200, r.text
        req = hook.wait_for(1)[0]
        assert req["json"]["event"] == "subscription.confirm"
        url = req["json"]["confirm_url"]
        assert url.startswith(PUBLIC + "/subscribe/confirm?token=")
        confirm_by_link(srv, url, "Confirm subscription")
        assert subscribers(srv)[0]["confirmed"] is True

        again = submit(srv, chat, fill={"channel": "webhook", "target": target})
        other = submit(srv, chat, fill={"channel": "webhook", "target": hook.url("/other")})
        assert again.status_code == other.status_code == 200
        assert again.content == other.content
        hook.wait_for(1, predicate=lambda q: q["path"] == "/other")
        settled(srv)
        topics = [n["topic"] for n in srv.ok("GET", "/api/v1/notifications")]
        assert "subscriber.welcome" not in topics, topics
        assert [q["path"] for q in hook.all()].count("/in") == 1
        assert srv.ok("GET", "/api/v1/deliveries", params={"state": "dead"}) == []
        assert mail.count() == 0
    finally:
        hook.stop()


# ---- (f) bad input, rate limits -------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "a@b.test\r\nBcc: victim@evil.test",
    "a@b.test\nSubject: hi",
    "a@b.test\rBcc: victim@evil.test",
    "a@b.test, victim@evil.test",
    "<a@b.test>",
    "Victim <victim@evil.test>",
], ids=["crlf-bcc", "lf-subject", "cr-bcc", "two-addresses", "angle-brackets", "display-name"])
def test_header_injection_in_the_address_is_a_400_and_sends_nothing(tocsin_factory, tmp_path, mail, target):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url))
    r = subscribe_by_form(srv, target)
    assert r.status_code == 400, r.text
    assert "This is not a valid e-mail address." in r.text
    assert "<form" in r.text
    assert subscribers(srv) == []
    settled(srv)
    assert srv.ok("GET", "/api/v1/notifications") == []
    assert mail.count() == 0


def test_too_many_posts_from_one_client_are_429_and_send_nothing(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url, limits=False))  # 10 an hour, 5 at once
    for i in range(5):
        r = subscribe_by_form(srv, f"user{i}@customer.test")
        assert r.status_code == 200, (i, r.text)
    r = subscribe_by_form(srv, "user5@customer.test")
    assert r.status_code == 429, r.text
    assert "Too many requests" in r.text
    assert 0 < int(r.headers["Retry-After"]) <= 3600
    for i in range(5):
        mail.wait_for(f"user{i}@customer.test", 1)
    settled(srv)
    assert mail.to("user5@customer.test") == []
    assert mail.count() == 5
    assert len(subscribers(srv)) == 5


def test_too_many_requests_for_one_address_are_429_and_mail_it_at_most_three_times(tocsin_factory, tmp_path, mail):
    srv = tocsin_factory(config=mail_config(tmp_path, mail.url, per_address=3))
    for _ in range(3):
        assert subscribe_by_form(srv, "victim@customer.test").status_code == 200
    r = subscribe_by_form(srv, "VICTIM@customer.TEST")
    assert r.status_code == 429, r.text
    mail.wait_for("victim@customer.test", 3)
    settled(srv)
    assert len(mail.to("victim@customer.test")) == 3
