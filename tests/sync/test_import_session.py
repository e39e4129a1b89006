"""The settings of an import's session (store/roster_session.py): PostgreSQL's temporary buffers raised
where the connection has had no temporary table yet, that connection closed when given back; a connection
that had one keeps its own size and imports all the same; SQLite's page caches given back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from homeroom.store import roster_session
from homeroom.store import roster_stage as rs
from homeroom.store.database import engine_for

pytestmark = pytest.mark.db


@pytest.fixture
def own_engine(database_url: str) -> Iterator[Engine]:
    """An engine of the test's own: its connections have never held a temporary table."""
    engine = engine_for(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend(session: Session) -> int:
    return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def test_temp_buffers_raised_and_the_connection_closed_after_or_sqlite_caches_given_back(
    own_engine: Engine,
) -> None:
    if own_engine.dialect.name != "postgresql":
        with Session(own_engine) as session, session.begin():
            before = [session.scalar(text(f"PRAGMA {s}.cache_size")) for s in ("main", "temp")]
            roster_session.tune_session(session)
            rs.create_staging(session)
            assert session.scalar(text("PRAGMA temp.cache_size")) == -roster_session.SQLITE_CACHE_KIB["temp"]
            roster_session.untune_session(session)
            assert [session.scalar(text(f"PRAGMA {s}.cache_size")) for s in ("main", "temp")] == before
        return
    with Session(own_engine) as session, session.begin():
        first = _backend(session)
        roster_session.tune_session(session)
        rs.create_staging(session)
        assert session.scalar(text("SHOW temp_buffers")) == roster_session.IMPORT_TEMP_BUFFERS
        roster_session.untune_session(session)
        assert session.connection().connection.is_detached
    with Session(own_engine) as session, session.begin():
        assert _backend(session) != first  # the import's server process was let go
        assert session.scalar(text("SHOW temp_buffers")) == "8MB"


def test_a_connection_that_had_a_temporary_table_keeps_its_size_and_stages(own_engine: Engine) -> None:
    postgres = own_engine.dialect.name == "postgresql"
    with Session(own_engine) as session, session.begin():
        session.execute(text("CREATE TEMPORARY TABLE earlier (x integer)"))
        session.execute(text("INSERT INTO earlier VALUES (1)"))
        first = _backend(session) if postgres else 0
    with Session(own_engine) as session, session.begin():
        roster_session.tune_session(session)  # PostgreSQL: the SET fails in its savepoint, the rest goes on
        rs.create_staging(session)
        rs.stage_rows(session, rs.ACCOUNTS, [("u1", "student")])
        assert session.scalar(text("SELECT count(*) FROM rs_accounts")) == 1
        if postgres:
            assert _backend(session) == first  # the pool's one connection, its temporary buffers in use
            assert session.scalar(text("SHOW temp_buffers")) == "8MB"
            assert session.scalar(text("SHOW work_mem")) == roster_session.IMPORT_WORK_MEM
        roster_session.untune_session(session)
        assert not session.connection().connection.is_detached
        rs.drop_staging(session)
        session.execute(text("DROP TABLE earlier"))


def test_settings_are_given_back_after_a_failed_statement(own_engine: Engine) -> None:
    postgres = own_engine.dialect.name == "postgresql"
    with Session(own_engine) as session:
        session.begin()
        first = _backend(session) if postgres else 0
        roster_session.tune_session(session)
        rs.create_staging(session)
        with pytest.raises(DBAPIError):
            session.execute(text("INSERT INTO rs_accounts (user_id) VALUES ('u1')"))  # account is NOT NULL
        roster_session.untune_session(session)  # as the import's `release`, before the rollback
        if postgres:
            assert session.connection().connection.is_detached
        session.rollback()
    with Session(own_engine) as session, session.begin():
        if postgres:
            assert _backend(session) != first
            assert session.scalar(text("SHOW temp_buffers")) == "8MB"
        else:
            assert session.scalar(text("PRAGMA temp.cache_size")) != -roster_session.SQLITE_CACHE_KIB["temp"]
