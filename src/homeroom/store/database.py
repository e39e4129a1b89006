"""Engines from a URL: SQLite (embedded default) and PostgreSQL through psycopg 3.

SQLite gets write-ahead logging, enforced foreign keys and a busy timeout on every connection, so the
embedded store behaves like the production one where it matters: references hold, readers do not block
the writer. PostgreSQL URLs use the psycopg 3 driver (`postgresql+psycopg://`), with custom plans only:
psycopg prepares a statement after five runs, and PostgreSQL then switches a prepared statement to a
generic plan that ignores the parameter values; for the twin's list statements, whose best plan depends
on them (a teacher's classes, a school), that more than doubled the time of a page (docs/store.md).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL

DEFAULT_FILE: Final = "homeroom.db"
BUSY_TIMEOUT_MS: Final = 5000
CUSTOM_PLANS: Final = "-c plan_cache_mode=force_custom_plan"
GENERIC_PLANS: Final = "-c plan_cache_mode=force_generic_plan"


def default_url(directory: Path) -> str:
    """The embedded store: a SQLite file under `directory`."""
    return f"sqlite:///{directory / DEFAULT_FILE}"


def normalize_url(url: str) -> URL:
    """Plain `postgresql://` URLs use psycopg 3; everything else is taken as given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def engine_for(url: str, *, generic_plans: bool = False, **options: Any) -> Engine:
    """An engine for `url`; SQLite connections get WAL, foreign keys and a busy timeout, PostgreSQL
    connections plan every statement for its parameters, or with `generic_plans` plan each prepared
    statement once (the checks' index probes: their plan is the same for any parameters, and planning
    them anew cost PostgreSQL more than running them)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        plans = GENERIC_PLANS if generic_plans else CUSTOM_PLANS
        connect_args = dict(options.pop("connect_args", {}))
        connect_args["options"] = f"{connect_args.get('options', '')} {plans}".strip()
        return create_engine(parsed, connect_args=connect_args, **options)
    engine = create_engine(parsed, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def is_postgresql(url: str) -> bool:
    return normalize_url(url).get_backend_name() == "postgresql"


def create_database(server_url: str, *, prefix: str = "homeroom") -> str:
    """Create a fresh PostgreSQL database on the server of `server_url`; return its URL."""
    parsed = normalize_url(server_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database `url` names, closing any connection left to it."""
    parsed = normalize_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()
