"""Components and component groups through the admin API, as the page and v2 JSON show them."""

import pytest

from conftest import page_component_status


def test_create_component_answers_201_with_v2_fields(server):
    r = server.api("POST", "/api/v1/components", json={"name": "API", "description": "Public REST API"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["name"] == "API"
    assert c["description"] == "Public REST API"
    assert c["status"] == "operational"
    assert c["group"] is False
    assert c["group_id"] is None
    assert c["position"] == 1


def test_positions_count_up_from_one(server):
    positions = [server.create_component(f"C{n}")["position"] for n in range(3)]
    assert positions == [1, 2, 3]


def test_components_json_lists_components_in_position_order(server):
    b = server.create_component("B", position=2)
    a = server.create_component("A", position=1)
    names = [c["name"] for c in server.json("/api/v2/components.json")["components"]]
    assert names == ["A", "B"]
    assert [c["id"] for c in server.ok("GET", "/api/v1/components")] == [a["id"], b["id"]]


def test_get_component(server):
    c = server.create_component("API")
    got = server.ok("GET", f"/api/v1/components/{c['id']}")
    assert got == c


def test_patch_component_status_shows_on_page_and_json(server):
    c = server.create_component("API")
    got = server.ok("PATCH", f"/api/v1/components/{c['id']}", json={"status": "partial_outage"})
    assert got["status"] == "partial_outage"
    assert server.component_status(c["id"]) == "partial_outage"
    assert page_component_status(server.html("/"), "API") == "partial_outage"
    assert server.json("/api/v2/status.json")["status"]["indicator"] != "none"


@pytest.mark.parametrize(
    "statuses,indicator,description",
    [
        (["operational", "operational"], "none", "All Systems Operational"),
        (["degraded_performance", "operational"], "minor", "Partially Degraded Service"),
        (["partial_outage", "operational"], "minor", "Minor Service Outage"),
        (["major_outage", "operational"], "major", "Partial System Outage"),
        (["major_outage", "major_outage"], "critical", "Major System Outage"),
        (["under_maintenance", "operational"], "maintenance", "Service Under Maintenance"),
    ],
    ids=["all-ok", "degraded", "partial", "one-major", "all-major", "maintenance"],
)
def test_status_indicator_from_component_statuses(server, statuses, indicator, description):
    for n, st in enumerate(statuses):
        server.create_component(f"C{n}", status=st)
    assert server.json("/api/v2/status.json")["status"] == {"indicator": indicator, "description": description}


def test_single_component_major_outage_is_major_service_outage(server):
    server.create_component("Only", status="major_outage")
    assert server.json("/api/v2/status.json")["status"] == {"indicator": "critical",
                                                           "description": "Major Service Outage"}


def test_rename_and_describe_component(server):
    c = server.create_component("API")
    server.ok("PATCH", f"/api/v1/components/{c['id']}", json={"name": "Public API", "description": "REST"})
    html = server.html("/")
    assert "Public API" in html
    assert "REST" in html


def test_delete_component(server):
    c = server.create_component("Legacy")
    assert server.api("DELETE", f"/api/v1/components/{c['id']}").status_code == 204
    assert server.api("GET", f"/api/v1/components/{c['id']}").status_code == 404
    assert server.json("/api/v2/components.json")["components"] == []
    assert "Legacy" not in server.html("/")


def test_patch_unknown_component_is_404(server):
    r = server.api("PATCH", "/api/v1/components/nope", json={"status": "major_outage"})
    assert r.status_code == 404


def test_only_show_if_degraded_hides_operational_component(server):
    c = server.create_component("Hidden when fine", only_show_if_degraded=True)
    assert "Hidden when fine" not in server.html("/")
    server.ok("PATCH", f"/api/v1/components/{c['id']}", json={"status": "major_outage"})
    assert "Hidden when fine" in server.html("/")


# ---- groups ---------------------------------------------------------------------------------

def test_group_lists_its_components(server):
    g = server.create_group("Core")
    a = server.create_component("API", group_id=g["id"])
    b = server.create_component("DB", group_id=g["id"])
    server.create_component("Loose")
    groups = [c for c in server.json("/api/v2/components.json")["components"] if c["group"]]
    assert len(groups) == 1
    assert sorted(groups[0]["components"]) == sorted([a["id"], b["id"]])
    assert server.ok("GET", f"/api/v1/components/{g['id']}")["components"] == [a["id"], b["id"]]


def test_child_names_its_group(server):
    g = server.create_group("Core")
    a = server.create_component("API", group_id=g["id"])
    assert a["group_id"] == g["id"]
    assert "components" not in a


def test_group_status_follows_worst_child(server):
    g = server.create_group("Core")
    a = server.create_component("API", group_id=g["id"])
    server.create_component("DB", group_id=g["id"], status="degraded_performance")
    assert server.component_status(g["id"]) == "degraded_performance"
    server.ok("PATCH", f"/api/v1/components/{a['id']}", json={"status": "major_outage"})
    assert server.component_status(g["id"]) == "major_outage"


def test_group_shows_children_on_page(server):
    g = server.create_group("Core")
    server.create_component("API", group_id=g["id"], status="partial_outage")
    html = server.html("/")
    assert page_component_status(html, "Core") == "partial_outage"
    assert page_component_status(html, "API") == "partial_outage"
    assert html.index("Core") < html.index(">API<")


def test_setting_a_group_status_directly_is_400(server):
    g = server.create_group("Core")
    r = server.api("PATCH", f"/api/v1/components/{g['id']}", json={"status": "major_outage"})
    assert r.status_code == 400
    assert r.json()["field"] == "status"


def test_group_inside_group_is_400(server):
    g = server.create_group("Core")
    r = server.api("POST", "/api/v1/components", json={"name": "Inner", "group": True, "group_id": g["id"]})
    assert r.status_code == 400
    assert r.json()["field"] == "group_id"


def test_component_inside_non_group_is_400(server):
    plain = server.create_component("Plain")
    r = server.api("POST", "/api/v1/components", json={"name": "Child", "group_id": plain["id"]})
    assert r.status_code == 400
    assert r.json()["field"] == "group_id"


def test_move_component_out_of_group(server):
    g = server.create_group("Core")
    a = server.create_component("API", group_id=g["id"])
    got = server.ok("PATCH", f"/api/v1/components/{a['id']}", json={"group_id": None})
    assert got["group_id"] is None
    assert server.ok("GET", f"/api/v1/components/{g['id']}")["components"] == []


def test_incident_on_a_group_is_400(server):
    g = server.create_group("Core")
    r = server.api("POST", "/api/v1/incidents", json={"name": "x", "components": {g["id"]: "major_outage"}})
    assert r.status_code == 400
    assert r.json()["field"] == f"components.{g['id']}"


def test_ungrouping_a_group_with_children_is_refused_and_children_stay_visible(server):
    g = server.create_group("Core")
    server.create_component("API", group_id=g["id"])
    r = server.api("PATCH", f"/api/v1/components/{g['id']}", json={"group": False})
    assert r.status_code == 400
    assert r.json()["field"] == "group"
    assert server.component(g["id"])["group"] is True
    assert page_component_status(server.html("/"), "API") == "operational"


def test_deleting_a_group_frees_its_children(server):
    g = server.create_group("Core")
    a = server.create_component("API", group_id=g["id"])
    assert server.api("DELETE", f"/api/v1/components/{g['id']}").status_code == 204
    assert server.component(a["id"])["group_id"] is None
    assert page_component_status(server.html("/"), "API") == "operational"
