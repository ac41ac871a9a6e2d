"""Concurrent clients: parallel writes all commit, and the CLI can write while the server runs."""

import threading

import requests

from conftest import HTTP_TIMEOUT, run_cli


def test_parallel_writes_all_commit(server):
    token = server.token("owner")
    codes = []
    lock = threading.Lock()

    def worker(n):
        with requests.Session() as s:
            for i in range(10):
                r = s.post(server.url("/api/v1/components"), json={"name": f"c{n}-{i}"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT)
                with lock:
                    codes.append(r.status_code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert codes == [201] * 60
    comps = server.json("/api/v2/components.json")["components"]
    assert len(comps) == 60
    assert len({c["position"] for c in comps}) == 60, "positions must stay unique under concurrency"


def test_cli_token_create_while_server_writes(server):
    token = server.token("owner")
    stop = threading.Event()
    failures = []

    def writer():
        with requests.Session() as s:
            n = 0
            while not stop.is_set() and n < 500:
                r = s.post(server.url("/api/v1/components"), json={"name": f"w{n}"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT)
                if r.status_code != 201:
                    failures.append((r.status_code, r.text))
                n += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        results = [run_cli(server.binary, "token", "create", "--role", "responder", "--data", server.data_dir)
                   for _ in range(5)]
    finally:
        stop.set()
        t.join(timeout=60)
    assert [r.returncode for r in results] == [0] * 5, [r.stderr for r in results]
    assert not failures
    for r in results:
        assert server.api("GET", "/api/v1/components", token=r.stdout.strip().splitlines()[-1]).status_code == 200


def test_readers_see_whole_snapshots_during_writes(server):
    """Every summary.json read while incidents change is a complete, parseable document."""
    c = server.create_component("API")
    stop = threading.Event()
    bad = []

    def reader():
        with requests.Session() as s:
            while not stop.is_set():
                r = s.get(server.url("/api/v2/summary.json"), timeout=HTTP_TIMEOUT)
                try:
                    doc = r.json()
                    assert set(doc) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
                except Exception as e:  # noqa: BLE001 - collected and reported below
                    bad.append(repr(e))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for n in range(10):
            inc = server.create_incident(f"Flap {n}", components={c["id"]: "major_outage"})
            server.post_update(inc["id"], status="resolved", body="ok")
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=30)
    assert not bad
