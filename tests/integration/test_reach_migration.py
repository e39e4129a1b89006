"""Migration 0008 back-fills the user reach table of existing tenants with exactly the rows writes keep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from bench.generate import generate
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session
from tests.databases import postgres_database

from homeroom.policy import registry
from homeroom.store import tables as t
from homeroom.store.database import drop_database, engine_for
from homeroom.store.migrations import alembic_config, upgrade
from homeroom.store.worlds import write_world

pytestmark = pytest.mark.db


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own: this test takes the schema down a revision and back up."""
    url = postgres_database() if request.param == "postgresql" else f"sqlite:///{tmp_path / 'reach.db'}"
    engine = engine_for(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_database(url)


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    r = t.UserReach
    with Session(engine) as session:
        return sorted(tuple(row) for row in session.execute(select(r.tenant_id, r.user_id, r.org_id, r.kind)))


def test_the_back_fill_writes_what_write_world_wrote(fresh: Engine) -> None:
    math = registry.profile("math")
    with Session(fresh) as session, session.begin():
        for name in ("one", "two"):
            write_world(session, generate("tiny", seed=len(name) + ord(name[0])).world, math, tenant=name)
    written = _rows(fresh)
    assert len({row[0] for row in written}) == 2
    with fresh.begin() as connection:
        command.downgrade(alembic_config(connection), "0007")
    assert "user_reach" not in inspect(fresh).get_table_names()
    upgrade(fresh)
    assert _rows(fresh) == written
