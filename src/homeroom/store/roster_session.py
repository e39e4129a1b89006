"""The settings of a roster import's session: set when it starts (`tune_session`), given back at its end.

An import's statements each read or write up to millions of rows, most of them in its temporary staging
tables (store/roster_stage.py); the defaults of both databases are sized for requests of a few rows.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

IMPORT_WORK_MEM: Final = "64MB"
IMPORT_TEMP_BUFFERS: Final = "256MB"
_DETACH: Final = "homeroom.roster_session.detach"  # session.info: the pooled connection with raised buffers
SQLITE_CACHE_KIB: Final = {"main": 196_608, "temp": 98_304}  # the page caches' sizes during an import
_SQLITE_CACHE: Final = "homeroom.roster_session.cache_size"  # session.info: SQLite's sizes before tuning


def tune_session(session: Session) -> None:
    """Settings for an import's session, whose statements each read or write up to millions of rows.

    PostgreSQL, for this transaction: plans may be reused (the engine forces custom plans, store/database.py,
    which also re-plans every foreign key check: a million inserted links would be planned a million times),
    and sorts and hashes get `IMPORT_WORK_MEM`. SQLite, until `untune_session`: page caches of
    `SQLITE_CACHE_KIB` for the database (192 MiB) and the temporary tables (96 MiB) instead of 2 MiB,
    so that the indexes the import writes stay in memory.
    """
    if session.get_bind().dialect.name == "postgresql":
        _raise_temp_buffers(session)
        session.execute(text("SET LOCAL plan_cache_mode = auto"))
        session.execute(text(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'"))
        return
    sizes = [session.scalar(text(f"PRAGMA {schema}.cache_size")) for schema in ("main", "temp")]
    session.info[_SQLITE_CACHE] = sizes
    for schema in ("main", "temp"):
        session.execute(text(f"PRAGMA {schema}.cache_size = -{SQLITE_CACHE_KIB[schema]}"))


def untune_session(session: Session) -> None:
    """Give SQLite's page caches back their sizes from before `tune_session`, and the memory; on
    PostgreSQL, close the connection when it is given back if it holds an import's temporary buffers."""
    pooled = session.info.pop(_DETACH, None)  # taken at the start: the session may be failing by now
    if pooled is not None:
        pooled.detach()
    sizes = session.info.pop(_SQLITE_CACHE, None)
    if sizes is None:
        return
    for schema, size in zip(("main", "temp"), sizes, strict=True):
        session.execute(text(f"PRAGMA {schema}.cache_size = {int(size)}"))
    session.execute(text("PRAGMA shrink_memory"))


def _raise_temp_buffers(session: Session) -> None:
    """PostgreSQL: give the staging tables `IMPORT_TEMP_BUFFERS` of the session's own buffers instead of
    8 MB. Temporary tables live in those, not in shared buffers; at size L a million staged users (some
    200 MB with their indexes) went through 8 MB, and every probe of a nested loop read a page back from
    the file (the kinds' UPDATE of rs_users: 4 million page reads, 30 s). The size can only be set before
    the session's first temporary table, so a connection that had one keeps its own (the SET fails in its
    savepoint and nothing else changes). The buffers stay with the server process until it ends: the
    connection is detached from the pool (`untune_session`) and closed when the import gives it back."""
    if session.get_bind().dialect.name != "postgresql":
        return
    try:
        with session.begin_nested():
            session.execute(text(f"SET LOCAL temp_buffers = '{IMPORT_TEMP_BUFFERS}'"))
    except DBAPIError:
        return
    session.info[_DETACH] = session.connection().connection
