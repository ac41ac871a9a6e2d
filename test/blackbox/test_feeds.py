"""Atom and RSS feeds of incidents and maintenance; the iCal feed of maintenance windows."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from conftest import Tocsin

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def feeds(tocsin_bin, tmp_path_factory):
    srv = Tocsin(tocsin_bin, tmp_path_factory.mktemp("feeds") / "data").start()
    srv.ok("PATCH", "/api/v1/page", json={"name": "Feed & Co", "url": "https://status.example.com"})
    api = srv.create_component("API")
    srv.inc = srv.create_incident("Login <errors> & timeouts", components={api["id"]: "major_outage"},
                                  body="Users see **500** errors. <script>alert(1)</script>")
    srv.post_update(srv.inc["id"], status="resolved", body="Fixed, thanks for waiting.")
    start = dt.datetime(2030, 3, 1, 10, 0, tzinfo=dt.timezone.utc)
    srv.maint = srv.ok("POST", "/api/v1/maintenances", expect=201, json={
        "name": "Database upgrade; part 1, with a very long name that must be folded across lines in iCal output",
        "scheduled_for": "2030-03-01T10:00:00Z", "scheduled_until": "2030-03-01T12:30:00Z",
        "body": "Read-only mode, expect delays.\nSecond line."})
    srv.maint_start = start
    yield srv
    srv.terminate()


def fetch(srv, path):
    r = srv.get(path)
    assert r.status_code == 200, path
    return r


# ---- Atom -----------------------------------------------------------------------------------

def test_atom_parses_with_entries(feeds):
    r = fetch(feeds, "/history.atom")
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    assert root.tag == ATOM + "feed"
    entries = root.findall(ATOM + "entry")
    titles = [e.find(ATOM + "title").text for e in entries]
    assert "Login <errors> & timeouts" in titles
    assert any(t.startswith("Database upgrade") for t in titles)
    for e in entries:
        assert e.find(ATOM + "id").text
        assert e.find(ATOM + "updated").text
        assert e.find(ATOM + "link").get("href").startswith("https://status.example.com/incidents/")


def test_atom_entry_content_is_escaped_html_of_all_updates(feeds):
    root = ET.fromstring(fetch(feeds, "/history.atom").content)
    entry = [e for e in root.findall(ATOM + "entry") if e.find(ATOM + "title").text.startswith("Login")][0]
    content = entry.find(ATOM + "content")
    assert content.get("type") == "html"
    assert "<strong>500</strong>" in content.text
    assert "Fixed, thanks for waiting." in content.text
    assert "<script>" not in content.text


def test_atom_feed_in_german(feeds):
    root = ET.fromstring(fetch(feeds, "/history.atom?lang=de").content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert "Störungsverlauf" in root.find(ATOM + "title").text


# ---- RSS ------------------------------------------------------------------------------------

def test_rss_parses_with_items(feeds):
    r = fetch(feeds, "/history.rss")
    assert r.headers["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(r.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.find("title").text.startswith("Feed & Co")
    items = channel.findall("item")
    assert len(items) == 2
    for item in items:
        assert item.find("title").text
        assert item.find("link").text.startswith("https://status.example.com/incidents/")
        assert item.find("guid").text
        dt.datetime.strptime(item.find("pubDate").text, "%a, %d %b %Y %H:%M:%S GMT")


def test_rss_language(feeds):
    channel = ET.fromstring(fetch(feeds, "/history.rss?lang=de").content).find("channel")
    assert channel.find("language").text == "de"


def test_feeds_follow_changes(server):
    assert ET.fromstring(fetch(server, "/history.rss").content).find("channel").findall("item") == []
    server.create_incident("Fresh incident")
    items = ET.fromstring(fetch(server, "/history.rss").content).find("channel").findall("item")
    assert [i.find("title").text for i in items] == ["Fresh incident"]
    entries = ET.fromstring(fetch(server, "/history.atom").content).findall(ATOM + "entry")
    assert [e.find(ATOM + "title").text for e in entries] == ["Fresh incident"]


# ---- iCal -----------------------------------------------------------------------------------

def unfold(text):
    return text.replace("\r\n ", "").replace("\r\n\t", "")


def test_ical_structure_and_crlf(feeds):
    r = fetch(feeds, "/maintenance.ics")
    assert r.headers["Content-Type"].startswith("text/calendar")
    raw = r.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line must end with CRLF"
    lines = unfold(raw.decode("utf-8")).split("\r\n")
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1
    assert lines.count("END:VEVENT") == 1


def test_ical_lines_are_folded_to_75_octets(feeds):
    raw = fetch(feeds, "/maintenance.ics").content
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line


def test_ical_event_has_window_and_escaped_text(feeds):
    text = unfold(fetch(feeds, "/maintenance.ics").content.decode("utf-8"))
    lines = text.split("\r\n")
    assert "DTSTART:20300301T100000Z" in lines
    assert "DTEND:20300301T123000Z" in lines
    summary = [l for l in lines if l.startswith("SUMMARY:")][0]
    assert summary.startswith("SUMMARY:Database upgrade\\; part 1\\, with a very long name")
    description = [l for l in lines if l.startswith("DESCRIPTION:")][0]
    assert description == "DESCRIPTION:Read-only mode\\, expect delays.\\nSecond line."
    assert f"URL:https://status.example.com/incidents/{feeds.maint['id']}" in lines
    uid = [l for l in lines if l.startswith("UID:")][0]
    assert feeds.maint["id"] in uid


def test_ical_has_no_incidents(feeds):
    text = unfold(fetch(feeds, "/maintenance.ics").content.decode("utf-8"))
    assert "Login" not in text


def test_new_maintenance_appears_in_ical(server):
    assert b"BEGIN:VEVENT" not in fetch(server, "/maintenance.ics").content
    server.create_maintenance("Disk swap", dt.timedelta(days=1), dt.timedelta(hours=1))
    text = unfold(fetch(server, "/maintenance.ics").content.decode("utf-8"))
    assert "SUMMARY:Disk swap" in text.split("\r\n")


def test_ical_folding_never_splits_a_utf8_character(server):
    server.ok("POST", "/api/v1/maintenances", expect=201, json={
        "name": "Wartung der Zahlungsdienste für Überweisungen – " + "äöü€" * 15,
        "scheduled_for": "2030-03-01T10:00:00Z", "scheduled_until": "2030-03-01T11:00:00Z"})
    raw = fetch(server, "/maintenance.ics").content
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # raises if a fold cut a character in two
    assert "äöü€" * 15 in unfold(raw.decode("utf-8"))
