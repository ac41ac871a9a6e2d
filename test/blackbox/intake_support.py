"""Helpers shared by the intake tests: services, integration keys and alerts through the admin API.

The admin API shapes live here only, so the dialect tests read as the senders see tocsin.
"""

import time

import pytest

from conftest import POLL_DEADLINE

ROUTING_KEY_LEN = 32


def create_service(srv, name="Payments"):
    r = srv.api("POST", "/api/v1/services", json={"name": name})
    if r.status_code in (404, 405):
        # The services admin API (helper "core") is not in this build yet: nothing to send to.
        pytest.skip("POST /api/v1/services is not in this build; the intake tests need services and keys")
    assert r.status_code == 201, f"POST /api/v1/services -> {r.status_code}: {r.text}"
    return r.json()


def create_key(srv, service_id, dialect, mapping=None, name=None):
    """A new integration key of `dialect`; returns its secret (shown once)."""
    body = {"dialect": dialect, "name": name or f"{dialect} key"}
    if mapping is not None:
        body["mapping"] = mapping
    k = srv.ok("POST", f"/api/v1/services/{service_id}/keys", json=body, expect=201)
    assert k.get("secret"), k
    return k["secret"]


def service_with_key(srv, dialect, mapping=None, name="Payments"):
    svc = create_service(srv, name)
    return svc, create_key(srv, svc["id"], dialect, mapping=mapping)


def _items(body, key):
    if isinstance(body, list):
        return body
    return body.get(key) or body.get("data") or []


def alerts(srv, service_id=None, dedup_key=None, state=None, limit=1000):
    params = {"limit": limit}
    if service_id:
        params["service_id"] = service_id
    if dedup_key is not None:
        params["dedup_key"] = dedup_key
    if state:
        params["state"] = state
    return _items(srv.ok("GET", "/api/v1/alerts", params=params), "alerts")


def all_alerts(srv, service_id):
    """Every alert of a service, following the pages (newest first, `before` a tiny id)."""
    out, seen = [], set()
    params = {"service_id": service_id, "limit": 1000}
    for _ in range(1000):
        page = _items(srv.ok("GET", "/api/v1/alerts", params=params), "alerts")
        for a in page:
            if a["id"] not in seen:
                seen.add(a["id"])
                out.append(a)
        if len(page) < params["limit"]:
            return out
        params["before"] = min(a["tiny_id"] for a in page)
    pytest.fail("alert list paging did not end")


def incidents(srv, service_id):
    return _items(srv.ok("GET", "/api/v1/alert-incidents", params={"service_id": service_id, "limit": 1000}),
                  "incidents")


def one_alert(srv, service_id, dedup_key, state=None):
    found = alerts(srv, service_id, dedup_key=dedup_key, state=state)
    found = [a for a in found if a["dedup_key"] == dedup_key]
    assert len(found) == 1, f"expected one alert with key {dedup_key!r}, got {found}"
    return found[0]


def wait_for(fn, what, deadline=POLL_DEADLINE, interval=0.1):
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
        except AssertionError as e:  # not there yet
            last = e
        else:
            if last:
                return last
        time.sleep(interval)
    pytest.fail(f"timed out after {deadline:.0f}s waiting for {what}; last: {last!r}")
