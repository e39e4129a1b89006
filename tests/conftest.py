"""Database fixtures shared by every tier that touches a database: one migrated database per backend.

PostgreSQL runs at 127.0.0.1:5432 as user postgres (override with HOMEROOM_TEST_POSTGRES). When it is
unreachable the PostgreSQL half is skipped locally, and fails when the CI environment variable is set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from tests.databases import postgres_database

from homeroom.store.database import drop_database, engine_for
from homeroom.store.migrations import upgrade


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database of each backend, for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'homeroom.db'}"
    else:
        url = postgres_database()
    engine = engine_for(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    yield url
    if request.param == "postgresql":
        drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = engine_for(database_url)
    yield engine
    engine.dispose()
