"""Insert a row unless its key exists, as one statement: concurrent writers of the same key never collide.

`INSERT ... ON CONFLICT DO NOTHING` is spelled the same on SQLite and PostgreSQL, but SQLAlchemy builds it
through each dialect's own `insert`; this picks the one of the session's database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from homeroom.store import tables as t


def insert_missing(session: Session, table: type[t.Base], values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same primary key exists; whether a row was inserted."""
    dialect = session.get_bind().dialect.name
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(build(table).values(**values).on_conflict_do_nothing())
    return isinstance(result, CursorResult) and result.rowcount == 1
