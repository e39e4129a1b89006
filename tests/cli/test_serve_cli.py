"""`homeroom serve`: the start-up path without a server, then one real server over HTTP.

The first tests stop at uvicorn's door (`uvicorn.run` is replaced by a recorder); the last one starts the
command in a subprocess on a free port, signs in over real HTTP as a demo persona and stops it with
Ctrl-C (SIGINT), the way the README's run command is used.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

import httpx2
import pytest
from fastapi import FastAPI
from rich.console import Console
from sqlalchemy import text
from tests.cli.conftest import FAST_HASHING_ENV, Invoke
from typer.testing import CliRunner

from homeroom.cli import serve
from homeroom.cli.main import app
from homeroom.config import Settings
from homeroom.scenarios.demo import demo_profiles, demo_scenario
from homeroom.scenarios.tenants import DEMO_PASSWORD
from homeroom.store.database import engine_for

DEMO_TENANTS = ["demo-math", "demo-assessment-platform", "demo-district-license", "demo-literacy"]


def _printed(startup: serve.Startup) -> list[str]:
    out = io.StringIO()
    serve.print_startup(Console(file=out, width=200), startup)
    return out.getvalue().splitlines()


def _tables(lines: list[str]) -> dict[str, list[list[str]]]:
    """The printed tables as {tenant: [[username, roles, status, password], ...]}."""
    tables: dict[str, list[list[str]]] = {}
    for line in lines:
        if line.startswith("tenant "):
            rows = tables.setdefault(line.split()[1], [])
        elif line.startswith("│ "):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return tables


def test_prepare_ensures_one_demo_tenant_per_profile_and_prints_every_login(db: str) -> None:
    startup = serve.prepare(Settings(database_url=db, port=8123), demo=True)
    try:
        lines = _printed(startup)
    finally:
        startup.homeroom.close()
    assert [t.name for t in startup.tenants] == DEMO_TENANTS
    assert sorted(t.profile for t in startup.tenants) == demo_profiles()
    assert lines[0] == f"Homeroom on SQLite file {Path(db.removeprefix('sqlite:///'))}"
    tables = _tables(lines)
    assert list(tables) == DEMO_TENANTS
    for tenant in startup.tenants:
        expected = [
            [
                user.id,
                ", ".join(str(a) for a in user.roles) or "student",
                user.status,
                DEMO_PASSWORD if user.status == "active" else "(cannot sign in)",
            ]
            for user in demo_scenario(tenant.profile).world.users.values()
        ]
        assert tables[tenant.name] == expected
    assert "API docs:  http://127.0.0.1:8123/docs" in lines
    assert "OpenAPI:   http://127.0.0.1:8123/openapi.json" in lines
    assert lines[-1] == "Press Ctrl-C to stop."


def test_the_login_example_is_one_runnable_curl_command(db: str) -> None:
    startup = serve.prepare(Settings(database_url=db, host="0.0.0.0", port=9000), demo=True)  # noqa: S104
    startup.homeroom.close()
    command = serve.login_command(startup)
    assert command is not None
    words = shlex.split(command)
    assert words[:4] == ["curl", "-i", "-X", "POST"]
    assert words[4] == "http://127.0.0.1:9000/api/v1/auth/login"  # the any-address shown as loopback
    assert words[5:7] == ["-H", "Content-Type: application/json"]
    assert json.loads(words[8]) == {
        "tenant": "demo-math",
        "username": "carol_customer",
        "password": DEMO_PASSWORD,
    }


def test_prepare_twice_reuses_the_demo_tenants(db: str) -> None:
    for _ in range(2):
        startup = serve.prepare(Settings(database_url=db), demo=True)
        startup.homeroom.close()
    engine = engine_for(db)
    try:
        with engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM tenants ORDER BY name")).scalars().all()
    finally:
        engine.dispose()
    assert names == sorted(DEMO_TENANTS)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append((args, kwargs))


@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr("uvicorn.run", recorder)
    return recorder


def test_serve_hands_the_prepared_app_to_uvicorn_with_options_over_environment(
    homeroom: Invoke, uvicorn_run: Recorder, monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    monkeypatch.setenv("HOMEROOM_PORT", "9001")
    monkeypatch.setenv("HOMEROOM_HOST", "127.0.0.2")
    result = homeroom("serve", "--host", "127.0.0.3")
    assert result.exit_code == 0, result.output
    [(args, kwargs)] = uvicorn_run.calls
    assert isinstance(args[0], FastAPI)
    assert kwargs == {"host": "127.0.0.3", "port": 9001}
    runtime = args[0].state.homeroom
    assert runtime.settings.database_url == db
    assert runtime._closed  # closed once uvicorn returned
    assert "│ carol_customer " in result.stdout
    assert "API docs:  http://127.0.0.3:9001/docs" in result.stdout


def test_the_default_database_is_homeroom_db_in_the_current_directory(
    tmp_path: Path, uvicorn_run: Recorder, db: str
) -> None:
    result = CliRunner().invoke(app, ["serve", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Homeroom on SQLite file {tmp_path / 'homeroom.db'}"
    assert (tmp_path / "homeroom.db").exists()
    assert db != f"sqlite:///{tmp_path / 'homeroom.db'}"  # the fixture's database is another file
    assert "tenant demo-" not in result.stdout
    assert "Log in:    POST http://127.0.0.1:8000/api/v1/auth/login with JSON" in result.stdout
    assert len(uvicorn_run.calls) == 1


def test_several_workers_build_their_app_from_the_factory_and_the_environment(
    homeroom: Invoke, uvicorn_run: Recorder, db: str
) -> None:
    with mock.patch.dict(os.environ):
        result = homeroom("serve", "--workers", "3", "--port", "8124", "--no-demo")
        rebuilt = Settings()
    assert result.exit_code == 0, result.output
    [(args, kwargs)] = uvicorn_run.calls
    assert args == ("homeroom.api.app:create_app",)
    assert kwargs == {"factory": True, "workers": 3, "host": "127.0.0.1", "port": 8124}
    assert rebuilt == Settings(database_url=db, port=8124, workers=3)
    assert "3 workers on SQLite: reads run in parallel, writes one at a time." in result.stdout


def test_settings_survive_the_trip_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        database_url="postgresql://x@db/h", secure_cookies=True, session_hours=1.5, workers=4, page_size=7
    )
    for name, value in serve.settings_environment(settings).items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings


def test_serve_usage_errors(homeroom: Invoke, uvicorn_run: Recorder) -> None:
    assert homeroom("serve", "--port", "70000").exit_code == 2
    assert homeroom("serve", "--workers", "0").exit_code == 2
    assert uvicorn_run.calls == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_answering(client: httpx2.Client, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120  # a guard against a hung start, not a timing assertion
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"homeroom serve exited with {process.returncode}:\n{out}\n{err}")
        try:
            if client.get("/openapi.json").status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("homeroom serve did not answer")


def test_a_real_server_lets_a_demo_persona_sign_in_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "served.db"
    command = [sys.executable, "-m", "homeroom.cli.main", "serve", "--db", f"sqlite:///{database}"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, **FAST_HASHING_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_until_answering(client, process)
            login = {"tenant": "demo-literacy", "username": "tomas_teacher", "password": DEMO_PASSWORD}
            signed_in = client.post("/api/v1/auth/login", json=login)
            assert signed_in.status_code == 200, signed_in.text
            assert signed_in.json()["user_id"] == "tomas_teacher"
            me = client.get("/api/v1/auth/me")
            assert me.status_code == 200, me.text
            assert me.json()["username"] == "tomas_teacher"
            wrong = client.post("/api/v1/auth/login", json={**login, "password": "not-it"})
            assert wrong.status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"OpenAPI:   http://127.0.0.1:{port}/openapi.json" in out
    assert "tenant demo-literacy" in out
    assert "Shutting down" in err
