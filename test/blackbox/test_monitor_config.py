"""Monitors declared in the YAML config: synced at start, read-only in the API, re-read on
SIGHUP (a broken file keeps the running set), and config errors that point at line and column."""

import signal

import pytest

from conftest import poll, run_cli

MONITORS = "/api/v1/monitors"
HB_SECRET = "declared-backup-secret-0123456789"


def monitors_yaml(target_url, extra=""):
    # Line numbers matter: test_bad_url_exits_2_naming_file_line_and_column counts on url at line 5.
    return (
        "monitors:\n"
        "  - id: web\n"
        "    name: Website\n"
        "    type: http\n"
        f"    url: \"{target_url}\"\n"
        "    interval_s: 60\n"
        "  - id: backup\n"
        "    name: Backup job\n"
        "    type: heartbeat\n"
        "    interval_s: 3600\n"
        f"    heartbeat_token: \"{HB_SECRET}\"\n"
        + extra
    )


SECOND = (
    "  - id: api2\n"
    "    name: Second API\n"
    "    type: http\n"
    "    url: \"{url}\"\n"
    "    interval_s: 120\n"
    "    conditions:\n"
    "      - '[BODY].status == UP'\n"
)


def ids(srv):
    return sorted(m["id"] for m in srv.ok("GET", MONITORS))


def assert_problem(r, status):
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["Content-Type"] == "application/problem+json"
    return r.json()


@pytest.fixture
def declared(tocsin_factory, tmp_path, target):
    path = tmp_path / "tocsin.yaml"
    path.write_text(monitors_yaml(target.url))
    srv = tocsin_factory(config=str(path))
    return srv, path, target


def sighup_and_wait_for_log(srv, needle):
    """SIGHUP, then wait until the reload engine has logged `needle` once more than before."""
    before = srv.log_path.read_text(errors="replace").count(needle)
    srv.proc.send_signal(signal.SIGHUP)
    poll(lambda: srv.log_path.read_text(errors="replace").count(needle) > before,
         f"the reload to log {needle!r}", interval=0.1)


def test_declared_monitors_are_listed_with_source_config(declared):
    srv, path, target = declared
    listed = {m["id"]: m for m in srv.ok("GET", MONITORS)}
    assert sorted(listed) == ["backup", "web"]
    web = listed["web"]
    assert web["source"] == "config" and web["name"] == "Website" and web["url"] == target.url
    assert web["interval_s"] == 60 and web["type"] == "http"
    assert listed["backup"]["source"] == "config" and listed["backup"]["type"] == "heartbeat"
    assert HB_SECRET not in srv.api("GET", MONITORS).text
    # It runs like any other monitor.
    r = srv.api("POST", f"{MONITORS}/web/check")
    assert r.status_code == 200 and r.json()["outcome"] == "up", r.text
    assert target.hits >= 1
    # The declared heartbeat secret is its ping URL.
    r = srv.request("POST", f"/api/v1/heartbeats/{HB_SECRET}")
    assert r.status_code == 200 and r.json()["monitor_id"] == "backup", r.text


def test_declared_monitors_are_read_only_in_the_api(declared):
    srv, path, target = declared
    for method, body in (("PATCH", {"name": "Renamed"}), ("DELETE", None)):
        r = srv.api(method, f"{MONITORS}/web", json=body) if body else srv.api(method, f"{MONITORS}/web")
        assert "configuration" in assert_problem(r, 409)["detail"]
    assert srv.ok("GET", f"{MONITORS}/web")["name"] == "Website"
    # API monitors next to them are fine.
    r = srv.api("POST", MONITORS, json={"name": "Mine", "type": "http", "url": target.url, "interval_s": 60})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "api"


def test_declared_heartbeat_secret_cannot_be_rotated_in_the_api(declared):
    """The file holds the ping secret: a new one from the API would break the job that uses the
    file's secret now and be reverted by the next reload or restart."""
    srv, path, target = declared
    assert_problem(srv.api("POST", f"{MONITORS}/backup/heartbeat-token"), 409)
    assert srv.request("GET", f"/api/v1/heartbeats/{HB_SECRET}").status_code == 200


def test_sighup_adds_changes_and_removes_declared_monitors(declared):
    srv, path, target = declared
    path.write_text(monitors_yaml(target.url, SECOND.format(url=target.url)))
    srv.proc.send_signal(signal.SIGHUP)
    poll(lambda: ids(srv) == ["api2", "backup", "web"], "the second declared monitor after SIGHUP", interval=0.1)
    api2 = srv.ok("GET", f"{MONITORS}/api2")
    assert api2["source"] == "config" and api2["interval_s"] == 120
    assert api2["conditions"] == ["[BODY].status == UP"]
    target.set(body='{"status": "DOWN"}')
    r = srv.api("POST", f"{MONITORS}/api2/check").json()
    assert r["outcome"] == "down" and r["error"] == "condition"

    # Changing a field in the file changes the monitor, keeping its id and created_at.
    created = srv.ok("GET", f"{MONITORS}/web")["created_at"]
    path.write_text(monitors_yaml(target.url, SECOND.format(url=target.url)).replace("name: Website", "name: Web site"))
    srv.proc.send_signal(signal.SIGHUP)
    poll(lambda: srv.ok("GET", f"{MONITORS}/web")["name"] == "Web site", "the renamed monitor", interval=0.1)
    assert srv.ok("GET", f"{MONITORS}/web")["created_at"] == created

    # A monitor no longer declared goes away; API monitors stay.
    mine = srv.ok("POST", MONITORS, json={"name": "Mine", "type": "http", "url": target.url, "interval_s": 60},
                  expect=201)
    path.write_text(monitors_yaml(target.url))
    srv.proc.send_signal(signal.SIGHUP)
    poll(lambda: ids(srv) == sorted(["backup", "web", mine["id"]]), "api2 to be removed", interval=0.1)


def test_sighup_with_a_broken_file_keeps_the_running_monitors(declared):
    srv, path, target = declared
    path.write_text(monitors_yaml(target.url, SECOND.format(url=target.url)))
    srv.proc.send_signal(signal.SIGHUP)
    poll(lambda: ids(srv) == ["api2", "backup", "web"], "the second declared monitor after SIGHUP", interval=0.1)

    # YAML syntax error.
    path.write_text("monitors:\n  - id: web\n    name: [unclosed\n")
    sighup_and_wait_for_log(srv, "not applied")
    assert srv.running()
    assert ids(srv) == ["api2", "backup", "web"]
    assert srv.ok("GET", f"{MONITORS}/web")["url"] == target.url

    # Valid YAML, invalid monitor.
    path.write_text(monitors_yaml("ftp://example.com/"))
    sighup_and_wait_for_log(srv, "not applied")
    assert srv.running()
    assert ids(srv) == ["api2", "backup", "web"]
    assert srv.ok("GET", f"{MONITORS}/web")["url"] == target.url
    assert srv.get("/healthz").status_code == 200

    # A good file is applied again afterwards.
    path.write_text(monitors_yaml(target.url))
    srv.proc.send_signal(signal.SIGHUP)
    poll(lambda: ids(srv) == ["backup", "web"], "the fixed file to apply", interval=0.1)


def serve_with(tocsin_bin, tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = run_cli(tocsin_bin, "serve", "--listen", "127.0.0.1:0", "--data", str(tmp_path / "data"),
                "--config", str(path))
    return r, str(path)


def test_bad_url_exits_2_naming_file_line_and_column(tocsin_bin, tmp_path):
    r, path = serve_with(tocsin_bin, tmp_path, monitors_yaml("ftp://example.com/health"))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "tocsin listening" not in r.stdout
    assert path in r.stderr, r.stderr
    assert "monitors[0].url" in r.stderr, r.stderr
    # `    url: "ftp://..."`: line 5, the value starts at column 10.
    assert "line 5, column 10" in r.stderr, r.stderr


@pytest.mark.parametrize("by,field,line", [
    ("    interval_s: 60\n    colour: red\n", "monitors[0].colour", 7),
    ("    interval_s: 5\n", "monitors[0].interval_s", 6),
    ("    interval_s: 60\n    conditions:\n      - '[STATUS] = 200'\n", "monitors[0].conditions[0]", 8),
])
def test_bad_declared_field_exits_2_with_its_line(tocsin_bin, tmp_path, by, field, line):
    # The first monitor's `    interval_s: 60` (line 6) is replaced by `by`.
    text = monitors_yaml("http://127.0.0.1:9/").replace("    interval_s: 60\n", by, 1)
    r, path = serve_with(tocsin_bin, tmp_path, text)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert path in r.stderr and field in r.stderr, r.stderr
    assert f"line {line}," in r.stderr, r.stderr


@pytest.mark.parametrize("text,needle", [
    ("monitors:\n  - name: No id\n    type: http\n    url: \"http://127.0.0.1:9/\"\n", "monitors[0].id"),
    ("monitors:\n  - id: a\n    name: A\n    type: http\n    url: \"http://127.0.0.1:9/\"\n"
     "  - id: a\n    name: B\n    type: http\n    url: \"http://127.0.0.1:9/\"\n", "monitors[1].id"),
    ("monitors:\n  - id: hb\n    name: HB\n    type: heartbeat\n", "heartbeat_token"),
    ("monitors:\n  - id: web\n    name: [unclosed\n", "bad.yaml:"),
    ("monitoring:\n  raw_retention_days: 1\n", "monitoring.raw_retention_days"),
    ("monitoring:\n  colour: red\n", "monitoring.colour"),
])
def test_other_config_errors_exit_2(tocsin_bin, tmp_path, text, needle):
    r, path = serve_with(tocsin_bin, tmp_path, text)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert path in r.stderr and needle in r.stderr, r.stderr


def test_declared_monitor_linking_a_missing_component_exits_2(tocsin_bin, tmp_path):
    text = monitors_yaml("http://127.0.0.1:9/").replace(
        "    interval_s: 60\n", "    interval_s: 60\n    components: [nosuchcomponent]\n", 1)
    r, path = serve_with(tocsin_bin, tmp_path, text)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "monitors[0].components[0].component_id" in r.stderr, r.stderr
