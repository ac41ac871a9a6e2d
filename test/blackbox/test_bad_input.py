"""Bad input to the admin API: RFC 7807 problem+json that names the offending field."""

import pytest

from conftest import raw_http


def assert_problem(r, status, field=None, type_suffix=None):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"].startswith("https://")
    assert isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert body.get("field") == field, body
        assert field in body["detail"], f"detail does not name {field}: {body['detail']}"
    if type_suffix is not None:
        assert body["type"].endswith("/" + type_suffix), body["type"]
    return body


def post_raw(srv, path, data, content_type="application/json", role="owner", method="POST"):
    return srv.api(method, path, role=role, data=data, headers={"Content-Type": content_type})


# ---- malformed bodies ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "data",
    [
        b'{"name": "API"',            # truncated
        b"{name: 'API'}",             # not JSON
        b'{"name": "API",}',          # trailing comma
        b"\xff\xfe{}",                # garbage bytes
    ],
    ids=["truncated", "unquoted", "trailing-comma", "garbage"],
)
def test_malformed_json_is_400(shared_server, data):
    r = post_raw(shared_server, "/api/v1/components", data)
    assert_problem(r, 400, type_suffix="invalid-json")
    assert "JSON" in r.json()["detail"]


@pytest.mark.parametrize("data", [b"[]", b'"API"', b"42", b"null"], ids=["array", "string", "number", "null"])
def test_json_that_is_not_an_object_is_400(shared_server, data):
    r = post_raw(shared_server, "/api/v1/components", data)
    assert_problem(r, 400, type_suffix="invalid-json")


def test_empty_body_is_400(shared_server):
    r = post_raw(shared_server, "/api/v1/components", b"")
    assert_problem(r, 400, type_suffix="invalid-json")


def test_deeply_nested_json_is_400(shared_server):
    data = b'{"name": "x", "metadata": ' + b"[" * 200 + b"]" * 200 + b"}"
    r = post_raw(shared_server, "/api/v1/incidents", data)
    assert_problem(r, 400)


# ---- wrong types -----------------------------------------------------------------------------

COMPONENT_WRONG_TYPES = [
    ({"name": 123}, "name"),
    ({"name": "x", "description": ["a"]}, "description"),
    ({"name": "x", "position": "first"}, "position"),
    ({"name": "x", "position": 1.5}, "position"),
    ({"name": "x", "showcase": "yes"}, "showcase"),
    ({"name": "x", "only_show_if_degraded": 1}, "only_show_if_degraded"),
    ({"name": "x", "group": "true"}, "group"),
    ({"name": "x", "group_id": 7}, "group_id"),
    ({"name": "x", "status": True}, "status"),
]


@pytest.mark.parametrize("body,field", COMPONENT_WRONG_TYPES, ids=[c[1] + "-" + type(c[0][c[1]]).__name__
                                                                   for c in COMPONENT_WRONG_TYPES])
def test_component_field_of_wrong_type_is_400(shared_server, body, field):
    r = shared_server.api("POST", "/api/v1/components", json=body)
    assert_problem(r, 400, field=field)


INCIDENT_WRONG_TYPES = [
    ({"name": "x", "components": ["a"]}, "components"),
    ({"name": "x", "component_ids": "abc"}, "component_ids"),
    ({"name": "x", "component_ids": [1]}, "component_ids[0]"),
    ({"name": "x", "body": {"text": "hi"}}, "body"),
    ({"name": "x", "deliver_notifications": "no"}, "deliver_notifications"),
    ({"name": "x", "display_at": "yesterday"}, "display_at"),
    ({"name": "x", "display_at": 1700000000}, "display_at"),
]


@pytest.mark.parametrize("body,field", INCIDENT_WRONG_TYPES, ids=[c[1] for c in INCIDENT_WRONG_TYPES])
def test_incident_field_of_wrong_type_is_400(shared_server, body, field):
    r = shared_server.api("POST", "/api/v1/incidents", json=body)
    assert_problem(r, 400, field=field)


def test_maintenance_time_that_is_not_iso8601_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/maintenances",
                          json={"name": "m", "scheduled_for": "next tuesday", "scheduled_until": "2030-01-01T00:00:00Z"})
    assert_problem(r, 400, field="scheduled_for")


# ---- unknown enum values ---------------------------------------------------------------------

def test_unknown_component_status_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/components", json={"name": "x", "status": "broken"})
    body = assert_problem(r, 400, field="status")
    assert "major_outage" in body["detail"]  # lists the allowed values


def test_unknown_incident_status_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/incidents", json={"name": "x", "status": "panicking"})
    assert_problem(r, 400, field="status")


def test_unknown_impact_override_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/incidents", json={"name": "x", "impact_override": "huge"})
    assert_problem(r, 400, field="impact_override")


def test_unknown_status_in_components_map_is_400(server):
    c = server.create_component("API")
    r = server.api("POST", "/api/v1/incidents", json={"name": "x", "components": {c["id"]: "down"}})
    assert_problem(r, 400, field=f"components.{c['id']}")


def test_maintenance_status_on_an_incident_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/incidents", json={"name": "x", "status": "in_progress"})
    assert_problem(r, 400, field="status")


def test_incident_status_on_a_maintenance_update_is_400(server):
    import datetime as dt
    m = server.create_maintenance("m", dt.timedelta(hours=1), dt.timedelta(hours=1))
    r = server.api("POST", f"/api/v1/maintenances/{m['id']}/updates", json={"status": "investigating"})
    assert_problem(r, 400, field="status")


def test_unknown_token_role_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/tokens", json={"name": "x", "role": "admin"})
    assert_problem(r, 400, field="role")


def test_unknown_status_filter_is_400(shared_server):
    r = shared_server.api("GET", "/api/v1/incidents?status=exploded")
    assert_problem(r, 400, field="status")


@pytest.mark.parametrize("query,field", [("per_page=0", "per_page"), ("per_page=1000", "per_page"),
                                         ("page=-1", "page"), ("page=abc", "page"), ("since=soon", "since")])
def test_bad_list_query_is_400(shared_server, query, field):
    r = shared_server.api("GET", "/api/v1/incidents?" + query)
    assert_problem(r, 400, field=field)


# ---- unknown fields --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "path,body,field",
    [
        ("/api/v1/components", {"name": "x", "colour": "red"}, "colour"),
        ("/api/v1/incidents", {"name": "x", "severity": "high"}, "severity"),
        ("/api/v1/tokens", {"name": "x", "role": "owner", "expires": "never"}, "expires"),
    ],
    ids=["component", "incident", "token"],
)
def test_unknown_field_is_400(shared_server, path, body, field):
    r = shared_server.api("POST", path, json=body)
    assert_problem(r, 400, field=field, type_suffix="unknown-field")


def test_unknown_field_on_page_patch_is_400(shared_server):
    r = shared_server.api("PATCH", "/api/v1/page", json={"title": "x"})
    assert_problem(r, 400, field="title", type_suffix="unknown-field")


def test_unknown_field_in_footer_link_names_its_path(shared_server):
    r = shared_server.api("PATCH", "/api/v1/page", json={"footer_links": [{"label": "a", "url": "/a", "x": 1}]})
    assert_problem(r, 400, field="footer_links[0].x")


# ---- missing or invalid values ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/components", "/api/v1/incidents", "/api/v1/maintenances"])
def test_missing_name_is_400(shared_server, path):
    r = shared_server.api("POST", path, json={"description": "no name"} if "components" in path else {"body": "x"})
    assert_problem(r, 400, field="name")


@pytest.mark.parametrize("path", ["/api/v1/components", "/api/v1/incidents"])
def test_blank_name_is_400(shared_server, path):
    r = shared_server.api("POST", path, json={"name": "   "})
    assert_problem(r, 400, field="name")


def test_too_long_name_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/incidents", json={"name": "x" * 300})
    assert_problem(r, 400, field="name")


def test_maintenance_without_window_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/maintenances", json={"name": "m"})
    assert_problem(r, 400, field="scheduled_for")


def test_maintenance_ending_before_it_starts_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/maintenances", json={
        "name": "m", "scheduled_for": "2030-01-01T10:00:00Z", "scheduled_until": "2030-01-01T09:00:00Z"})
    assert_problem(r, 400, field="scheduled_until")


def test_incident_with_unknown_component_id_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/incidents", json={"name": "x", "component_ids": ["nope"]})
    assert_problem(r, 400, field="component_ids[0]")


def test_incident_with_scheduled_window_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/incidents", json={
        "name": "x", "scheduled_for": "2030-01-01T10:00:00Z", "scheduled_until": "2030-01-01T11:00:00Z"})
    assert_problem(r, 400, field="scheduled_for")


def test_component_in_unknown_group_is_400(shared_server):
    r = shared_server.api("POST", "/api/v1/components", json={"name": "x", "group_id": "nosuchgroup"})
    assert_problem(r, 400, field="group_id")


def test_bad_page_time_zone_is_400(shared_server):
    r = shared_server.api("PATCH", "/api/v1/page", json={"time_zone": "Mars/Olympus_Mons"})
    assert_problem(r, 400, field="time_zone")


def test_bad_page_language_is_400(shared_server):
    r = shared_server.api("PATCH", "/api/v1/page", json={"default_language": "xx"})
    assert_problem(r, 400, field="default_language")


def test_javascript_footer_link_is_400(shared_server):
    r = shared_server.api("PATCH", "/api/v1/page", json={"footer_links": [{"label": "x", "url": "javascript:alert(1)"}]})
    assert_problem(r, 400, field="footer_links[0].url")


def test_frame_ancestor_that_would_inject_csp_is_400(shared_server):
    r = shared_server.api("PATCH", "/api/v1/page", json={"frame_ancestors": ["https://a.example; script-src *"]})
    assert_problem(r, 400, field="frame_ancestors[0]")


# ---- not found / wrong method ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/components/nope", "/api/v1/incidents/nope", "/api/v1/maintenances/nope"])
def test_unknown_id_is_404_problem(shared_server, path):
    assert_problem(shared_server.api("GET", path), 404)


def test_unknown_update_id_is_404(server):
    inc = server.create_incident("x")
    r = server.api("PATCH", f"/api/v1/incidents/{inc['id']}/updates/nope", json={"body": "y"})
    assert_problem(r, 404)


def test_wrong_method_on_admin_route_is_405_with_allow(shared_server):
    r = shared_server.api("PUT", "/api/v1/components", json={"name": "x"})
    assert_problem(r, 405)
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allow == {"GET", "POST"}


# ---- media type and size ---------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_non_json_content_type_is_415(shared_server, content_type):
    r = post_raw(shared_server, "/api/v1/components", b'{"name": "x"}', content_type=content_type)
    assert_problem(r, 415)


def test_json_with_charset_is_accepted(server):
    r = post_raw(server, "/api/v1/components", b'{"name": "x"}', content_type="application/json; charset=utf-8")
    assert r.status_code == 201, r.text


def test_logo_with_wrong_content_type_is_415(shared_server):
    r = post_raw(shared_server, "/api/v1/page/logo", b"GIF89a", content_type="image/gif", method="PUT")
    assert_problem(r, 415)


def test_json_body_over_256_kib_is_413(shared_server):
    # Under the server's 1 MiB body limit, over the JSON limit of the API.
    data = b'{"name": "x", "description": "' + b"a" * (300 * 1024) + b'"}'
    r = post_raw(shared_server, "/api/v1/components", data)
    assert_problem(r, 413)


def test_body_over_server_limit_is_413_before_it_is_sent(shared_server):
    # Only the head is sent: the server must refuse from Content-Length alone.
    head = (
        "POST /api/v1/components HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        f"Authorization: Bearer {shared_server.token('owner')}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {8 * 1024 * 1024}\r\n"
        "\r\n"
    ).encode()
    answer = raw_http(shared_server.port, head)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"application/problem+json" in answer


def test_body_over_configured_limit_is_413(tocsin_factory):
    srv = tocsin_factory(server={"body_limit": 4096})
    data = b'{"name": "x", "description": "' + b"a" * 8000 + b'"}'
    head = (
        "POST /api/v1/components HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        f"Authorization: Bearer {srv.token('owner')}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode()
    answer = raw_http(srv.port, head)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    # A body within the limit still works on the same server.
    assert srv.api("POST", "/api/v1/components", json={"name": "small"}).status_code == 201


def test_logo_over_512_kib_is_413(shared_server):
    r = post_raw(shared_server, "/api/v1/page/logo", b"\x89PNG" + b"\0" * (600 * 1024),
                 content_type="image/png", method="PUT")
    assert_problem(r, 413)
