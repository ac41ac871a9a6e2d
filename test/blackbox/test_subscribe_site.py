"""Subscribing on the public page and the subscriber admin API, as far as no mail is needed.

The flow through real mail (confirm, manage and unsubscribe links) is in
test_subscribe_mail.py; here: the forms in English and German without scripts or other
origins, what a post writes, answers that do not tell who is subscribed, 400s that name the
problem in the visitor's language, rate limits, broken links, the admin CRUD and CSV round
trip, and the roles.
"""

import csv
import io
import re
from urllib.parse import urlsplit

import pytest

from test_auth import ADMIN_ROUTES, concrete, route_id

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post_form(srv, data, lang="en", path="/subscribe"):
    return srv.request("POST", path, data=data, headers={**FORM, "Accept-Language": lang})


def subscribers(srv, query=""):
    return srv.ok("GET", "/api/v1/subscribers" + query)


def assert_public_html(r):
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Set-Cookie" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    assert "<script" not in r.text
    # Every URL the page loads or posts to is on this host.
    for attr in re.findall(r'(?:src|action)="([^"]*)"', r.text):
        assert not urlsplit(attr).netloc, attr
    for tag in re.findall(r"<link[^>]*>", r.text):
        href = re.search(r'href="([^"]*)"', tag).group(1)
        if 'rel="alternate"' not in tag:
            assert not urlsplit(href).netloc, tag


@pytest.fixture(scope="module")
def page(tocsin_bin, tmp_path_factory):
    """A server with a group, its component and a plain component, for read-only tests."""
    from conftest import Tocsin

    srv = Tocsin(tocsin_bin, tmp_path_factory.mktemp("subscribe") / "data").start()
    group = srv.create_group("Core")
    srv.api_component = srv.create_component("API", group_id=group["id"])
    srv.web_component = srv.create_component("Website")
    srv.group = group
    yield srv
    srv.terminate()


# ---- the form -------------------------------------------------------------------------------

def test_index_links_to_the_form(page):
    assert '<a href="/subscribe?lang=en">Subscribe to updates</a>' in page.html("/")
    assert '<a href="/subscribe?lang=de">Updates abonnieren</a>' in page.html("/?lang=de")


def test_form_in_english_without_javascript_or_other_origins(page):
    r = page.get("/subscribe")
    assert r.status_code == 200
    assert_public_html(r)
    assert '<html lang="en">' in r.text
    assert r.headers["Content-Language"] == "en"
    assert '<form method="post" action="/subscribe?lang=en">' in r.text
    assert 'type="email" name="target"' in r.text
    for c in (page.group, page.api_component, page.web_component):
        assert f'name="component" value="{c["id"]}"' in r.text
    # The component of the group is listed inside it.
    group_at = r.text.index(f'value="{page.group["id"]}"')
    assert r.text.index('<ul class="children">', group_at) < r.text.index(f'value="{page.api_component["id"]}"')
    for channel in ("webhook", "slack", "teams", "discord", "telegram"):
        assert f'<option value="{channel}"' in r.text


def test_form_in_german(page):
    for kwargs in ({"headers": {"Accept-Language": "de-DE,de;q=0.9"}}, {"params": {"lang": "de"}}):
        r = page.get("/subscribe", **kwargs)
        assert r.status_code == 200
        assert_public_html(r)
        assert '<html lang="de">' in r.text
        assert "Updates abonnieren" in r.text
        assert "E-Mail-Adresse" in r.text
        assert 'action="/subscribe?lang=de"' in r.text


def test_head_of_the_form(page):
    r = page.request("HEAD", "/subscribe")
    assert r.status_code == 200
    assert r.content == b""


# ---- posting ----------------------------------------------------------------------------------

def test_post_creates_an_unconfirmed_subscriber(server):
    web = server.create_component("Website")
    r = post_form(server, {"channel": "email", "target": "Erika@Example.DE", "scope": "some",
                           "component": web["id"], "language": "de"}, lang="de")
    assert r.status_code == 200, r.text
    assert_public_html(r)
    assert "Bitte bestätigen Sie Ihr Abonnement" in r.text
    [s] = subscribers(server)
    assert s["target"] == "Erika@example.de"
    assert s["confirmed"] is False
    assert s["language"] == "de"
    assert s["components"] == [web["id"]]
    assert s["source"] == "public"
    events = server.ok("GET", "/api/v1/notifications")
    assert [e["topic"] for e in events] == ["subscriber.confirm"]


def test_answer_is_the_same_for_known_and_unknown_addresses(server):
    server.ok("POST", "/api/v1/subscribers", json={"target": "known@example.com", "skip_confirmation": True},
              expect=201)
    known = post_form(server, {"target": "known@example.com", "language": "en"})
    unknown = post_form(server, {"target": "new@example.com", "language": "en"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    drop = ("Date", "Content-Length")
    assert {k: v for k, v in known.headers.items() if k not in drop} == \
           {k: v for k, v in unknown.headers.items() if k not in drop}
    topics = sorted(e["topic"] for e in server.ok("GET", "/api/v1/notifications"))
    assert topics == ["subscriber.confirm", "subscriber.welcome"]


@pytest.mark.parametrize("data,german", [
    ({"target": "erika@"}, "keine gültige E-Mail-Adresse"),
    ({"target": "a@b.example\r\nBcc: x@y.example"}, "keine gültige E-Mail-Adresse"),
    ({"channel": "slack", "target": "hooks.slack.com/services/x"}, "keine gültige Webadresse"),
    ({"channel": "telegram", "target": "not a chat"}, "keine gültige Telegram-Chat-ID"),
    ({"channel": "pigeon", "target": "x"}, "einen der angebotenen Kanäle"),
    ({"target": "a@example.com", "scope": "some", "component": "nosuchthing0"}, "Komponente gibt es nicht"),
    ({"target": "a@example.com", "scope": "some"}, "mindestens eine Komponente"),
], ids=["email", "header-injection", "url", "chat-id", "channel", "unknown-component", "no-component"])
def test_malformed_input_is_400_in_german(server, data, german):
    # A fresh server each: every post counts against the client's rate limit.
    r = post_form(server, data, lang="de")
    assert r.status_code == 400, r.text
    assert_public_html(r)
    assert german in r.text
    assert "Bitte prüfen Sie Ihre Eingabe" in r.text
    assert '<form method="post"' in r.text


def test_typed_value_comes_back_escaped(server):
    r = post_form(server, {"target": "<b>erika@"})
    assert r.status_code == 400
    assert 'value="&lt;b&gt;erika@"' in r.text
    assert "<b>erika" not in r.text


def test_other_media_types_and_big_forms_are_refused(server):
    r = server.request("POST", "/subscribe", json={"target": "a@example.com"}, headers={"Accept-Language": "de"})
    assert r.status_code == 415
    assert "Das Formular konnte nicht gelesen werden" in r.text
    r = post_form(server, {"target": "a@example.com", "padding": "x" * 20000}, lang="de")
    assert r.status_code == 413
    assert "Das Formular ist zu groß" in r.text


def test_too_many_posts_from_one_client_are_429(server):
    statuses = [post_form(server, {"target": f"user{i}@example.com"}).status_code for i in range(5)]
    assert statuses == [200] * 5
    r = post_form(server, {"target": "user5@example.com"}, lang="de")
    assert r.status_code == 429, r.text
    assert_public_html(r)
    assert "Zu viele Anfragen" in r.text
    assert 0 < int(r.headers["Retry-After"]) <= 3600
    assert len(subscribers(server)) == 5


def test_too_many_messages_to_one_address_are_429(server):
    for _ in range(3):
        assert post_form(server, {"target": "victim@example.com"}).status_code == 200
    r = post_form(server, {"target": "VICTIM@example.COM"})
    assert r.status_code == 429
    assert "Too many requests" in r.text
    confirmations = [e for e in server.ok("GET", "/api/v1/notifications") if e["topic"] == "subscriber.confirm"]
    assert len(confirmations) == 3


# ---- links --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/subscribe/confirm?token=AAAA",
    "/subscribe/confirm",
    "/subscribe/manage?token=bm90LWEtdG9rZW4",
    "/unsubscribe?token=",
])
def test_broken_links_are_400_in_the_visitors_language(page, path):
    r = page.get(path, headers={"Accept-Language": "de"})
    assert r.status_code == 400
    assert_public_html(r)
    assert "Dieser Link ist ungültig" in r.text
    r = page.get(path, headers={"Accept-Language": "en"})
    assert "This link is not valid" in r.text


def test_broken_one_click_unsubscribe_is_refused(page):
    r = page.request("POST", "/unsubscribe?token=AAAA", data="List-Unsubscribe=One-Click", headers=FORM)
    assert r.status_code == 400
    r = page.request("POST", "/subscribe/manage?token=AAAA", data="scope=all", headers=FORM)
    assert r.status_code == 400


# ---- the admin API ------------------------------------------------------------------------------

def test_admin_crud(server):
    comp = server.create_component("API")
    created = server.ok("POST", "/api/v1/subscribers", role="responder", expect=201, json={
        "subscriber": {"channel": "webhook", "target": "https://example.com/hook", "components": [comp["id"]],
                       "secret": "sign-with-this", "skip_confirmation": True}})
    assert created["has_secret"] is True and created["confirmed"] is True
    sid = created["id"]
    got = server.api("GET", f"/api/v1/subscribers/{sid}", role="responder")
    assert got.status_code == 200 and "sign-with-this" not in got.text
    patched = server.ok("PATCH", f"/api/v1/subscribers/{sid}", role="responder", json={"language": "de"})
    assert patched["language"] == "de" and patched["components"] == [comp["id"]]
    dup = server.api("POST", "/api/v1/subscribers", role="responder",
                     json={"channel": "webhook", "target": "https://example.com/hook"})
    assert dup.status_code == 409
    bad = server.api("POST", "/api/v1/subscribers", role="responder", json={"target": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "target"
    assert server.api("DELETE", f"/api/v1/subscribers/{sid}", role="responder").status_code == 204
    assert server.api("GET", f"/api/v1/subscribers/{sid}", role="responder").status_code == 404


def test_csv_import_export_round_trip(server):
    comp = server.create_component("API")
    text = ("channel,target,language,components,confirmed,created_at\r\n"
            f"email,erika@example.de,de,{comp['id']},true,2025-12-24T18:00:00.000Z\r\n"
            'webhook,"https://example.com/h?a=1,2",en,,true,\r\n'
            "email,not an address,en,,true,\r\n"
            "telegram,@status_updates,en,,false,\r\n")
    r = server.api("POST", "/api/v1/subscribers/import", data=text.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["imported"] == 3 and report["skipped_existing"] == 0 and report["failed"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(4, "target")]

    again = server.ok("POST", "/api/v1/subscribers/import", data=text.encode(), headers={"Content-Type": "text/csv"})
    assert again["imported"] == 0 and again["skipped_existing"] == 3

    exported = server.api("GET", "/api/v1/subscribers/export")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.headers["Content-Disposition"] == 'attachment; filename="subscribers.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text, newline="")))
    by_target = {row["target"]: row for row in rows}
    assert set(by_target) == {"erika@example.de", "https://example.com/h?a=1,2", "@status_updates"}
    assert by_target["erika@example.de"]["components"] == comp["id"]
    assert by_target["erika@example.de"]["created_at"] == "2025-12-24T18:00:00.000Z"
    assert by_target["@status_updates"]["confirmed"] == "false"

    for s in subscribers(server):
        assert server.api("DELETE", f"/api/v1/subscribers/{s['id']}").status_code == 204
    back = server.ok("POST", "/api/v1/subscribers/import", data=exported.content, headers={"Content-Type": "text/csv"})
    assert back["imported"] == 3 and back["errors"] == []
    assert sorted(server.api("GET", "/api/v1/subscribers/export").text.splitlines()) == \
           sorted(exported.text.splitlines())


def test_list_pages_by_keyset(server):
    for i in range(5):
        server.ok("POST", "/api/v1/subscribers", json={"target": f"u{i}@example.com"}, expect=201)
    seen, url, pages = [], "/api/v1/subscribers?limit=2", 0
    while url and pages < 10:
        r = server.api("GET", url)
        assert r.status_code == 200 and r.headers["X-Total-Count"] == "5"
        seen += [s["id"] for s in r.json()]
        link = r.headers.get("Link")
        url = link[1:link.index(">")] if link else None
        pages += 1
    assert len(seen) == 5 and seen == sorted(seen)


RESPONDER_READS = [r for r in ADMIN_ROUTES if r[0] == "GET" and r[2] == "responder"]


@pytest.mark.parametrize("route", RESPONDER_READS, ids=route_id)
def test_stakeholders_cannot_read_subscribers_or_deliveries(page, route):
    r = page.api(route[0], concrete(route[1]), role="stakeholder")
    assert r.status_code == 403, r.text


@pytest.mark.parametrize("route", RESPONDER_READS, ids=route_id)
def test_responders_can_read_subscribers_and_deliveries(page, route):
    r = page.api(route[0], concrete(route[1]), role="responder")
    assert r.status_code == (404 if "{" in route[1] else 200), r.text


def test_stakeholder_cannot_write_subscribers(page):
    for method, path, kwargs in (
            ("POST", "/api/v1/subscribers", {"json": {"target": "a@example.com"}}),
            ("POST", "/api/v1/subscribers/import", {"data": b"target\na@example.com\n",
                                                    "headers": {"Content-Type": "text/csv"}}),
            ("GET", "/api/v1/subscribers/export", {}),
            ("POST", "/api/v1/deliveries/1/retry", {})):
        r = page.api(method, path, role="stakeholder", **kwargs)
        assert r.status_code == 403, (method, path, r.text)
    assert page.api("GET", "/api/v1/subscribers/export", role="responder").status_code == 403
