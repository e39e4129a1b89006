"""Alembic builds the schema, and the schema it builds is exactly the one the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from homeroom.store.database import engine_for
from homeroom.store.tables import Base

pytestmark = pytest.mark.db
HEAD = "0008"


def test_migrations_build_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_table_carries_the_tenant() -> None:
    for name, table in Base.metadata.tables.items():
        column = "id" if name == "tenants" else "tenant_id"
        assert column in table.columns, name
        if name != "tenants":
            assert table.primary_key.columns.values()[0].name == "tenant_id", name


def test_connections_get_their_settings(engine: Engine) -> None:
    """PostgreSQL plans every statement for its parameters; SQLite enforces foreign keys."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        else:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'homeroom.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
