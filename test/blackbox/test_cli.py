"""The `tocsin` command line: subcommands, flags, configuration errors, exit codes."""

import os
import re
import socket
import subprocess

import pytest
import requests

from conftest import START_TIMEOUT, Tocsin, run_cli, write_config


def serve_fails(tocsin_bin, tmp_path, *args, env=None):
    """Runs `tocsin serve ARGS` that must fail; returns (exit code, stderr + stdout)."""
    r = run_cli(tocsin_bin, "serve", "--data", str(tmp_path / "data"), *args, env=env, timeout=START_TIMEOUT)
    return r.returncode, r.stderr + r.stdout


# ---- version, help, migrate -----------------------------------------------------------------

def test_version(tocsin_bin):
    r = run_cli(tocsin_bin, "version")
    assert r.returncode == 0
    assert re.fullmatch(r"tocsin \d+\.\d+\.\d+\S*\n", r.stdout), r.stdout


def test_no_subcommand_is_an_error(tocsin_bin):
    r = run_cli(tocsin_bin)
    assert r.returncode == 2
    assert "subcommand" in (r.stderr + r.stdout).lower()


def test_unknown_subcommand_is_an_error(tocsin_bin):
    r = run_cli(tocsin_bin, "frobnicate")
    assert r.returncode == 2


def test_serve_help_explains_every_flag(tocsin_bin):
    r = run_cli(tocsin_bin, "serve", "--help")
    assert r.returncode == 0
    for flag in ("--listen", "--data", "--config", "--log-level", "--demo"):
        assert flag in r.stdout, flag
    for env in ("TOCSIN_LISTEN", "TOCSIN_DATA", "TOCSIN_CONFIG"):
        assert env in r.stdout, env


def test_migrate_creates_the_database(tocsin_bin, tmp_path):
    data = tmp_path / "fresh" / "data"
    r = run_cli(tocsin_bin, "migrate", "--data", str(data))
    assert r.returncode == 0, r.stderr
    assert re.search(r"schema at version \d+", r.stdout)
    assert (data / "tocsin.db").exists()


def test_migrate_twice_is_a_no_op(tocsin_bin, tmp_path):
    first = run_cli(tocsin_bin, "migrate", "--data", str(tmp_path / "d"))
    second = run_cli(tocsin_bin, "migrate", "--data", str(tmp_path / "d"))
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_migrated_database_serves(tocsin_bin, tmp_path):
    assert run_cli(tocsin_bin, "migrate", "--data", str(tmp_path / "d")).returncode == 0
    srv = Tocsin(tocsin_bin, tmp_path / "d").start()
    try:
        assert srv.get("/healthz").status_code == 200
    finally:
        srv.terminate()


def test_migrate_on_unusable_folder_fails(tocsin_bin, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_cli(tocsin_bin, "migrate", "--data", str(blocker / "sub"))
    assert r.returncode != 0
    assert r.stderr.strip()


# ---- tokens ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["owner", "responder", "stakeholder"])
def test_token_create_prints_a_working_token(server, role):
    r = run_cli(server.binary, "token", "create", "--role", role, "--data", server.data_dir)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert len(token) >= 20
    assert server.api("GET", "/api/v1/components", token=token).status_code == 200
    can_write = server.api("POST", "/api/v1/components", token=token, json={"name": "x"}).status_code == 201
    assert can_write == (role != "stakeholder")
    owner_only = server.api("GET", "/api/v1/tokens", token=token).status_code == 200
    assert owner_only == (role == "owner")


def test_token_create_gives_a_new_token_each_time(server):
    assert server.create_token("owner") != server.create_token("owner")


def test_token_create_with_unknown_role_fails(tocsin_bin, tmp_path):
    r = run_cli(tocsin_bin, "token", "create", "--role", "admin", "--data", str(tmp_path / "d"))
    assert r.returncode == 2
    assert "role" in r.stderr.lower()


def test_user_create(tocsin_bin, tmp_path):
    r = run_cli(tocsin_bin, "user", "create", "--email", "ops@example.com", "--role", "owner", "--password-stdin",
                "--data", str(tmp_path / "d"), stdin="correct horse battery staple\n")
    assert r.returncode == 0, r.stderr
    assert "ops@example.com" in r.stdout


# ---- serve: flags and environment -----------------------------------------------------------

@pytest.mark.parametrize("listen", ["nonsense", "127.0.0.1:99999", "127.0.0.1:http", "300.1.1.1:80"])
def test_bad_listen_exits_2_with_a_message(tocsin_bin, tmp_path, listen):
    code, out = serve_fails(tocsin_bin, tmp_path, "--listen", listen)
    assert code == 2
    assert "listen" in out.lower() or "address" in out.lower(), out


def test_listen_on_a_busy_port_exits_2(tocsin_bin, tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        code, out = serve_fails(tocsin_bin, tmp_path, "--listen", f"127.0.0.1:{busy.getsockname()[1]}")
        assert code == 2
        assert "listen" in out.lower()
    finally:
        busy.close()


def test_listen_from_environment(tocsin_factory):
    srv = tocsin_factory(start=False, env={"TOCSIN_LISTEN": "127.0.0.1:0"})
    srv.command = lambda: [srv.binary, "serve", "--data", srv.data_dir]
    srv.start()
    assert srv.get("/healthz").status_code == 200


def test_data_from_environment(tocsin_factory, tmp_path):
    target = tmp_path / "from-env"
    srv = tocsin_factory(start=False, data_dir=target, env={"TOCSIN_DATA": str(target)})
    srv.command = lambda: [srv.binary, "serve", "--listen", "127.0.0.1:0"]
    srv.start()
    assert (target / "tocsin.db").exists()


def test_config_file_from_environment(tocsin_factory, tmp_path):
    config = write_config(tmp_path / "env.yaml", page={"name": "From Env Config"})
    srv = tocsin_factory(start=False, env={"TOCSIN_CONFIG": config})
    srv.start()
    assert srv.json("/api/v2/status.json")["page"]["name"] == "From Env Config"


def test_flag_wins_over_config_listen(tocsin_factory, tmp_path):
    srv = tocsin_factory(server={"listen": "127.0.0.1:1"})  # port 1 would need root
    assert srv.get("/healthz").status_code == 200


def test_demo_flag_seeds_a_demo_page(tocsin_factory):
    srv = tocsin_factory(demo=True)
    s = srv.json("/api/v2/summary.json")
    assert len(s["components"]) >= 2
    assert s["scheduled_maintenances"]
    assert any(i["status"] in ("resolved", "postmortem") for i in srv.json("/api/v2/incidents.json")["incidents"])


def test_demo_flag_does_not_seed_twice(tocsin_factory):
    srv = tocsin_factory(demo=True)
    count = len(srv.json("/api/v2/components.json")["components"])
    srv.restart()
    assert len(srv.json("/api/v2/components.json")["components"]) == count


def test_demo_flag_leaves_a_used_database_alone(tocsin_factory, tmp_path):
    srv = tocsin_factory()
    srv.create_component("Mine")
    srv.terminate()
    srv.demo = True
    srv.start()
    assert [c["name"] for c in srv.json("/api/v2/components.json")["components"]] == ["Mine"]


# ---- serve: configuration file --------------------------------------------------------------

def test_config_page_settings_are_applied(tocsin_factory):
    srv = tocsin_factory(page={"name": "Acme Status", "url": "https://status.acme.example",
                               "time_zone": "Europe/Berlin", "default_language": "de"})
    page = srv.json("/api/v2/status.json")["page"]
    assert page["name"] == "Acme Status"
    assert page["url"] == "https://status.acme.example"
    assert page["time_zone"] == "Europe/Berlin"
    assert '<html lang="de">' in srv.html("/")


def test_config_storage_data_dir(tocsin_factory, tmp_path):
    target = tmp_path / "configured-data"
    config = write_config(tmp_path / "c.yaml", storage={"data_dir": str(target)})
    srv = tocsin_factory(start=False, config=config, data_dir=target)
    srv.command = lambda: [srv.binary, "serve", "--listen", "127.0.0.1:0", "--config", config]
    srv.start()
    assert (target / "tocsin.db").exists()


def test_config_all_known_keys_are_accepted(tocsin_factory):
    srv = tocsin_factory(
        server={"body_limit": 65536, "header_limit": 8192, "read_timeout_ms": 5000, "idle_timeout_ms": 10000,
                "io_threads": 2, "blocking_threads": 2},
        log={"level": "warn"},
        engines={"maintenance_interval_ms": 1000},
        page={"name": "All keys"},
    )
    assert srv.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "sections,key",
    [
        ({"server": {"bogus": 1}}, "server.bogus"),
        ({"serverr": {"listen": "127.0.0.1:0"}}, "serverr"),
        ({"page": {"colour": "red"}}, "page.colour"),
        ({"engines": {"maintenance_interval": 100}}, "engines.maintenance_interval"),
        ({"storage": {"path": "x"}}, "storage.path"),
    ],
    ids=["server.bogus", "top-level", "page.colour", "engines", "storage"],
)
def test_unknown_config_key_exits_2_naming_the_key(tocsin_bin, tmp_path, sections, key):
    config = write_config(tmp_path / "bad.yaml", **sections)
    code, out = serve_fails(tocsin_bin, tmp_path, "--listen", "127.0.0.1:0", "--config", config)
    assert code == 2
    assert key in out, out
    assert "unknown key" in out
    assert "line" in out  # the position in the file
    assert "Traceback" not in out and "terminate called" not in out


@pytest.mark.parametrize(
    "sections,key",
    [
        ({"server": {"body_limit": "huge"}}, "server.body_limit"),
        ({"server": {"read_timeout_ms": "soon"}}, "server.read_timeout_ms"),
        ({"engines": {"maintenance_interval_ms": "often"}}, "engines.maintenance_interval_ms"),
    ],
)
def test_config_value_of_wrong_type_exits_2_naming_the_key(tocsin_bin, tmp_path, sections, key):
    config = write_config(tmp_path / "bad.yaml", **sections)
    code, out = serve_fails(tocsin_bin, tmp_path, "--listen", "127.0.0.1:0", "--config", config)
    assert code == 2
    assert key in out, out


@pytest.mark.parametrize(
    "sections,key",
    [
        ({"server": {"io_threads": 0}}, "io_threads"),
        ({"server": {"body_limit": 10}}, "body_limit"),
        ({"page": {"time_zone": "Nowhere/Special"}}, "time_zone"),
        ({"page": {"default_language": "xx"}}, "default_language"),
        ({"page": {"url": "ftp://status.example"}}, "url"),
    ],
)
def test_config_invalid_value_exits_2_naming_the_key(tocsin_bin, tmp_path, sections, key):
    config = write_config(tmp_path / "bad.yaml", **sections)
    code, out = serve_fails(tocsin_bin, tmp_path, "--listen", "127.0.0.1:0", "--config", config)
    assert code == 2
    assert key in out, out


def test_config_that_is_not_yaml_exits_2(tocsin_bin, tmp_path):
    config = tmp_path / "broken.yaml"
    config.write_text("server:\n  listen: [unclosed\n")
    code, out = serve_fails(tocsin_bin, tmp_path, "--listen", "127.0.0.1:0", "--config", str(config))
    assert code == 2
    assert "broken.yaml" in out


def test_missing_config_file_exits_2(tocsin_bin, tmp_path):
    code, out = serve_fails(tocsin_bin, tmp_path, "--listen", "127.0.0.1:0", "--config", str(tmp_path / "none.yaml"))
    assert code == 2
    assert "none.yaml" in out


def test_empty_config_file_is_fine(tocsin_factory, tmp_path):
    config = tmp_path / "empty.yaml"
    config.write_text("")
    srv = tocsin_factory(config=str(config))
    assert srv.get("/healthz").status_code == 200


def test_unusable_data_folder_exits_2(tocsin_bin, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run_cli(tocsin_bin, "serve", "--listen", "127.0.0.1:0", "--data", str(blocker / "sub"), timeout=START_TIMEOUT)
    assert r.returncode == 2
    assert "data" in (r.stderr + r.stdout).lower()
