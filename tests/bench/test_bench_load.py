"""The bulk loader writes exactly the rows write_world writes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.generate import generate
from bench.load import load_world
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.databases import postgres_database

from homeroom.policy import profile
from homeroom.store import tables as t
from homeroom.store.database import drop_database, engine_for
from homeroom.store.migrations import upgrade
from homeroom.store.worlds import write_world

pytestmark = pytest.mark.db


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database of each backend."""
    url = f"sqlite:///{tmp_path / 'load.db'}"
    if request.param == "postgresql":
        url = postgres_database()
    engine = engine_for(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_database(url)


def _contents(session: Session, tenant_id: int) -> dict[str, list[tuple[object, ...]]]:
    """Every tenant table's rows without the tenant column, sorted."""
    found = {}
    for table in t.Base.metadata.sorted_tables:
        if table.name == "tenants" or "tenant_id" not in table.columns:
            continue
        columns = [c for c in table.columns if c.name != "tenant_id"]
        rows = session.execute(select(*columns).where(table.c.tenant_id == tenant_id))
        found[table.name] = sorted(tuple(row) for row in rows)
    return found


def test_bulk_load_writes_what_write_world_writes(engine: Engine) -> None:
    tenant = generate("tiny")
    math = profile("math")
    with Session(engine) as session, session.begin():
        written = write_world(session, tenant.world, math, tenant="written")
    loaded = load_world(engine, tenant.world, math, tenant="loaded", chunk=97)
    with Session(engine) as session:
        expected, got = _contents(session, written), _contents(session, loaded.tenant_id)
        tenants = {
            row.name: (row.profile, row.revision)
            for row in session.execute(select(t.Tenant.name, t.Tenant.profile, t.Tenant.revision))
        }
    assert got == expected
    assert sum(len(rows) for rows in got.values()) == loaded.total_rows
    assert loaded.rows["enrollments"] == tenant.enrollments
    assert tenants["loaded"] == tenants["written"]
