"""The public status page: HTML, languages, caching headers, compression, security."""

import datetime as dt
import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from conftest import page_section, raw_get


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs dict)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html):
    p = TagCollector()
    p.feed(html)
    p.close()
    return p.tags


@pytest.fixture(scope="module")
def demo(tocsin_bin, tmp_path_factory):
    """A server with the demo page plus an open incident, read by many tests."""
    from conftest import Tocsin

    srv = Tocsin(tocsin_bin, tmp_path_factory.mktemp("demo") / "data", demo=True).start()
    comps = srv.json("/api/v2/components.json")["components"]
    leaf = [c for c in comps if not c["group"]][0]
    srv.inc = srv.create_incident(
        "Login errors",
        body="Some users **cannot** sign in. See [the docs](https://docs.example.com/x).",
        components={leaf["id"]: "partial_outage"},
    )
    yield srv
    srv.terminate()


# ---- basic pages ----------------------------------------------------------------------------

def test_index_is_html_in_english_by_default(demo):
    r = demo.get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="en">' in r.text
    assert r.headers["Content-Language"] == "en"


def test_index_has_banner_components_and_active_incident(demo):
    html = demo.html("/")
    assert page_section(html, "overall")
    assert page_section(html, "components")
    assert "Login errors" in page_section(html, "active")
    assert "<strong>cannot</strong>" in html  # Markdown rendered


def test_demo_page_has_upcoming_maintenance_and_past_incident(demo):
    html = demo.html("/")
    assert page_section(html, "upcoming")
    listed = demo.json("/api/v2/incidents.json")["incidents"]
    assert any(i["status"] in ("resolved", "postmortem") for i in listed)
    assert demo.json("/api/v2/scheduled-maintenances/upcoming.json")["scheduled_maintenances"]


def test_index_html_alias_and_trailing_slash(demo):
    r = demo.get("/index.html")
    assert r.status_code == 200
    assert page_section(r.text, "components")
    iid = demo.inc["id"]
    assert demo.get(f"/incidents/{iid}/").status_code == 200


def test_incident_page(demo):
    html = demo.html(f"/incidents/{demo.inc['id']}")
    assert "Login errors" in html
    assert "Some users" in html


def test_history_page(demo):
    html = demo.html("/history")
    assert "<h1>" in html


def test_history_page_out_of_range_is_404(demo):
    assert demo.get("/history?page=999").status_code == 404
    assert demo.get("/history?page=abc").status_code == 404


def test_unknown_page_is_html_404(demo):
    r = demo.get("/no/such/page")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<html" in r.text


def test_unknown_api_path_is_problem_404(demo):
    r = demo.get("/api/v2/nothing.json")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"


def test_post_to_page_is_405(demo):
    r = demo.request("POST", "/", data=b"x")
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"]


def test_head_has_headers_and_no_body(demo):
    status, headers, body = raw_get(demo.port, "/")  # reference
    conn_status, conn_headers, conn_body = _head(demo.port, "/")
    assert conn_status == 200
    assert conn_body == b""
    assert conn_headers["content-length"] == str(len(body))
    assert conn_headers["etag"] == headers["etag"]


def _head(port, path):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("HEAD", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_stylesheet_and_favicon_are_served(demo):
    css = demo.get("/assets/page.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "prefers-color-scheme: dark" in css.text  # dark mode without JavaScript
    assert demo.get("/assets/theme.css").status_code == 200
    icon = demo.get("/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["Content-Type"] == "image/svg+xml"


def test_page_works_without_javascript(demo):
    for path in ("/", f"/incidents/{demo.inc['id']}", "/history"):
        assert not [t for t, _ in tags_of(demo.html(path)) if t == "script"], path


def test_no_cookies_for_visitors(demo):
    for path in ("/", "/api/v2/summary.json", "/history.atom", "/maintenance.ics"):
        assert "Set-Cookie" not in demo.get(path).headers


# ---- languages ------------------------------------------------------------------------------

def test_lang_query_gives_german(demo):
    r = demo.get("/?lang=de")
    assert '<html lang="de">' in r.text
    assert r.headers["Content-Language"] == "de"
    assert "Komponenten" in r.text
    assert "Aktuelle Störungen" in r.text


def test_accept_language_gives_german(demo):
    r = demo.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in r.text
    assert "Komponenten" in r.text
    assert "Accept-Language" in r.headers["Vary"]


def test_accept_language_prefers_higher_q(demo):
    r = demo.get("/", headers={"Accept-Language": "en;q=0.4, de;q=0.8"})
    assert '<html lang="de">' in r.text


def test_lang_query_wins_over_accept_language(demo):
    r = demo.get("/?lang=en", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in r.text


def test_unsupported_language_falls_back_to_default(demo):
    r = demo.get("/?lang=fr", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in r.text


def test_german_incident_page_has_german_status_and_dates(demo):
    html = demo.html(f"/incidents/{demo.inc['id']}?lang=de")
    assert '<html lang="de">' in html
    assert "Wird untersucht" in html
    month_de = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                "November", "Dezember"]
    assert any(m in html for m in month_de)


def test_default_language_setting_makes_german_the_default(server):
    server.ok("PATCH", "/api/v1/page", json={"default_language": "de"})
    assert '<html lang="de">' in server.html("/")
    assert '<html lang="en">' in server.html("/?lang=en")


# ---- caching --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/api/v2/summary.json", "/history.atom", "/maintenance.ics"])
def test_if_none_match_gives_304(demo, path):
    r = demo.get(path)
    etag = r.headers["ETag"]
    assert etag.startswith('"')
    again = demo.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag


def test_last_modified_is_an_http_date(demo):
    lm = demo.get("/").headers["Last-Modified"]
    dt.datetime.strptime(lm, "%a, %d %b %Y %H:%M:%S GMT")


def test_stale_etag_gives_200(demo):
    r = demo.get("/", headers={"If-None-Match": '"0000000000000000"'})
    assert r.status_code == 200


def test_etag_changes_after_a_change(server):
    before = server.get("/api/v2/summary.json").headers["ETag"]
    server.create_component("API")
    r = server.get("/api/v2/summary.json", headers={"If-None-Match": before})
    assert r.status_code == 200
    assert r.headers["ETag"] != before


def test_etag_differs_per_language(demo):
    assert demo.get("/?lang=en").headers["ETag"] != demo.get("/?lang=de").headers["ETag"]


# ---- compression ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/api/v2/summary.json", "/history.rss", "/assets/page.css"])
def test_gzip_when_accepted(demo, path):
    _, plain_headers, plain = raw_get(demo.port, path)
    status, headers, body = raw_get(demo.port, path, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain)
    assert headers["etag"] != plain_headers["etag"]
    assert "content-encoding" not in plain_headers


def test_gzip_refused_with_q0(demo):
    _, headers, _ = raw_get(demo.port, "/", {"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in headers


def test_gzip_304_uses_gzip_etag(demo):
    _, headers, _ = raw_get(demo.port, "/", {"Accept-Encoding": "gzip"})
    status, _, body = raw_get(demo.port, "/", {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert status == 304
    assert body == b""


# ---- security -------------------------------------------------------------------------------

def test_security_headers_on_html(demo):
    h = demo.get("/").headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "no-referrer"
    csp = h["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("path", ["/", "/history", "/no/such/page", "/api/v2/summary.json", "/history.atom"])
def test_csp_has_no_third_party_origin(demo, path):
    csp = demo.get(path).headers["Content-Security-Policy"]
    assert not re.search(r"https?:|\*|//", csp), csp


def test_json_has_nosniff_and_cors(demo):
    h = demo.get("/api/v2/summary.json").headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Access-Control-Allow-Origin"] == "*"


def test_frame_ancestors_setting_allows_the_embed(server):
    server.ok("PATCH", "/api/v1/page", json={"frame_ancestors": ["https://intranet.example.com"]})
    h = server.get("/").headers
    assert "frame-ancestors https://intranet.example.com" in h["Content-Security-Policy"]
    assert "X-Frame-Options" not in h


def _foreign_urls(html, own_hosts):
    bad = []
    for tag, attrs in tags_of(html):
        if tag not in ("link", "script", "img", "iframe", "source", "video", "audio", "embed", "object"):
            continue
        for attr in ("src", "href", "srcset", "data"):
            value = attrs.get(attr)
            if not value:
                continue
            parts = urlsplit(value.strip())
            if value.strip().startswith("//") or parts.scheme in ("http", "https"):
                if parts.hostname not in own_hosts:
                    bad.append((tag, attr, value))
    return bad


@pytest.mark.parametrize("path", ["/", "/?lang=de", "/history", "/no/such/page"])
def test_html_loads_nothing_from_other_hosts(demo, path):
    r = demo.get(path)
    assert _foreign_urls(r.text, {"127.0.0.1"}) == []


def test_incident_page_loads_nothing_from_other_hosts_even_with_remote_image(server):
    inc = server.create_incident("Images", body="![chart](https://cdn.example.net/chart.png) and "
                                                "<img src=\"https://evil.example/x.png\">")
    html = server.html(f"/incidents/{inc['id']}")
    assert _foreign_urls(html, {"127.0.0.1"}) == []
    assert _foreign_urls(server.html("/"), {"127.0.0.1"}) == []


def test_page_url_setting_is_the_only_absolute_host(server):
    server.ok("PATCH", "/api/v1/page", json={"url": "https://status.example.com"})
    html = server.html("/")
    assert _foreign_urls(html, {"status.example.com"}) == []


def test_markdown_script_and_javascript_links_are_neutralised(server):
    body = ("Hello <script>alert('x')</script> world.\n\n"
            "[click me](javascript:alert(1)) and [ok](https://example.com/ok)\n\n"
            "<a href=\"javascript:alert(2)\">raw</a> <img src=x onerror=alert(3)>\n\n"
            "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
            "[caps](JaVaScRiPt:alert(4)) [entity](java&#115;cript:alert(5)) ![bs](/\\evil.example/x.png) "
            "[proto](//evil.example/x)")
    inc = server.create_incident("XSS attempt", body=body)
    for path in ("/", f"/incidents/{inc['id']}"):
        html = server.html(path)
        tags = tags_of(html)
        assert not [t for t, _ in tags if t == "script"], path
        assert not [a for _, a in tags if any("javascript:" in (v or "").lower() for v in a.values())], path
        assert not [a for _, a in tags if any(k.startswith("on") for k in a)], path
        hrefs = [a.get("href", "") for t, a in tags if t == "a"]
        assert not [h for h in hrefs if h.lower().startswith("data:")], path
        urls = [v for _, a in tags for k, v in a.items() if k in ("href", "src") and v]
        assert not [u for u in urls if u.startswith("//") or u.startswith("/\\") or u.startswith("\\")], path
        assert "https://example.com/ok" in hrefs, path


def test_html_special_characters_in_names_are_escaped(server):
    server.create_component("<b>Bold</b> & co")
    html = server.html("/")
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html


def test_footer_links_and_page_name_show(server):
    server.ok("PATCH", "/api/v1/page", json={"name": "Acme Status",
                                             "footer_links": [{"label": "Support", "url": "https://acme.example/help"}]})
    html = server.html("/")
    assert "<title>Acme Status" in html
    assert 'href="https://acme.example/help"' in html


def test_logo_is_served_by_tocsin_itself(server):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    r = server.api("PUT", "/api/v1/page/logo", data=png, headers={"Content-Type": "image/png"})
    assert r.status_code == 204
    got = server.get("/assets/logo")
    assert got.status_code == 200
    assert got.content == png
    assert got.headers["Content-Type"] == "image/png"
    assert '<img src="/assets/logo"' in server.html("/")
    assert server.api("DELETE", "/api/v1/page/logo").status_code == 204
    assert server.get("/assets/logo").status_code == 404


def test_page_times_follow_page_time_zone(server):
    server.ok("PATCH", "/api/v1/page", json={"time_zone": "Europe/Berlin"})
    html = server.html("/")
    assert "Europe/Berlin" in html or "CET" in html or "CEST" in html


# ---- text completeness ----------------------------------------------------------------------

ENGLISH_UI = ["All Systems Operational", "Operational", "Components", "Active incidents", "Past incidents",
              "Scheduled maintenance", "Incident history", "View incident history", "Affected components",
              "Scheduled window", "Last updated", "Investigating", "No incidents reported.", "Skip to content",
              "Powered by tocsin", "Back to the current status"]


def _text_nodes(html):
    class Texts(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.out = []

        def handle_data(self, data):
            if data.strip():
                self.out.append(data.strip())

    p = Texts()
    p.feed(html)
    return p.out


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("path", ["/", "/history", "/no/such/page", "incident"])
def test_no_unfilled_placeholders(demo, lang, path):
    if path == "incident":
        path = f"/incidents/{demo.inc['id']}"
    html = demo.get(path + ("&" if "?" in path else "?") + "lang=" + lang).text
    leftovers = [t for t in _text_nodes(html) if re.search(r"\{[a-z_]+\}", t)]
    assert leftovers == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_footer_names_the_page_time_zone(server, lang):
    server.ok("PATCH", "/api/v1/page", json={"time_zone": "America/Tijuana"})
    footer = re.search(r'<p class="tz">(.*?)</p>', server.html(f"/?lang={lang}"), re.S)
    assert footer, "no time zone note in the footer"
    assert re.search(r"Tijuana|PST|PDT", footer.group(1)), footer.group(1)


@pytest.mark.parametrize("path", ["/", "/history", "incident"])
def test_german_page_has_no_english_ui_text(demo, path):
    if path == "incident":
        path = f"/incidents/{demo.inc['id']}"
    texts = set(_text_nodes(demo.html(path + "?lang=de")))
    assert not texts & set(ENGLISH_UI), texts & set(ENGLISH_UI)


# ---- history --------------------------------------------------------------------------------

def test_history_is_paginated(server):
    names = [f"Closed incident {n:02d}" for n in range(23)]
    for n, name in enumerate(names):
        server.create_incident(name, status="resolved", body="done",
                               display_at=f"2025-{1 + n // 10:02d}-{1 + n % 10:02d}T12:00:00Z")
    first = server.html("/history")
    assert 'rel="next"' in first
    assert "Closed incident 22" in first  # newest first
    assert "Closed incident 00" not in first
    second = server.html("/history?page=2")
    assert "Closed incident 00" in second
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    assert server.get("/history?page=3").status_code == 404


def test_history_groups_by_month(server):
    server.create_incident("January thing", status="resolved", display_at="2025-01-15T12:00:00Z")
    server.create_incident("March thing", status="resolved", display_at="2025-03-15T12:00:00Z")
    html = server.html("/history")
    assert "January 2025" in html and "March 2025" in html
    assert html.index("March 2025") < html.index("January 2025")
    de = server.html("/history?lang=de")
    assert "Januar 2025" in de and "März 2025" in de


def test_history_links_keep_the_language(server):
    for n in range(21):
        server.create_incident(f"Old {n}", status="resolved", display_at=f"2025-01-{1 + n:02d}T12:00:00Z")
    html = server.html("/history?lang=de")
    assert 'href="/history?page=2&amp;lang=de"' in html or 'href="/history?page=2&lang=de"' in html
