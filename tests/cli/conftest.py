"""CLI tests: the `homeroom` command as an operator runs it, on a fresh SQLite file per test.

`homeroom(...)` invokes the command with `--db` pointing at the test's database; cheap password hashing
comes from `HOMEROOM_ARGON2_*` environment variables, the way an operator would configure it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from homeroom.cli.main import app
from homeroom.config import Settings
from homeroom.scenarios.tenants import ensure_demo_tenant
from homeroom.services.runtime import Homeroom
from homeroom.store.database import engine_for
from homeroom.store.migrations import upgrade

FAST_HASHING_ENV = {
    "HOMEROOM_ARGON2_TIME_COST": "1",
    "HOMEROOM_ARGON2_MEMORY_KIB": "8",
    "HOMEROOM_ARGON2_PARALLELISM": "1",
}
Invoke = Callable[..., Result]


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file, copied for each test (migrating takes longer than the tests)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = engine_for(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated: Path) -> str:
    """A SQLite URL of the test's own copy of the migrated database; the test runs in its folder, and the
    environment holds only the fast hashing settings."""
    for name, value in FAST_HASHING_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("HOMEROOM_DATABASE_URL", "HOMEROOM_HOST", "HOMEROOM_PORT", "HOMEROOM_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "test.db"
    shutil.copyfile(migrated, path)
    return f"sqlite:///{path}"


@pytest.fixture
def homeroom(db: str) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(app, [*args, "--db", db], input=stdin)

    return invoke


@pytest.fixture
def demo_math(db: str) -> str:
    """The math demo tenant (Maple Valley personas) in the test's database; its name."""
    runtime = Homeroom.open(Settings(database_url=db))
    try:
        return ensure_demo_tenant(runtime, "math").name
    finally:
        runtime.close()
