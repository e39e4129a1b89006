"""Hot-path reads as DBAPI text: the few statements every check request runs, on the session's own
connection, without SQLAlchemy's statement and result machinery.

A Core statement costs some 40 µs of SQLAlchemy before the database sees it and about a microsecond per
row after; an IN list of ids is rendered anew for every length, and SQLite prepares each rendering again
(about 5 ms for a batch's 1,000 ids). A `RawQuery` is written once as text with `:name` parameters and
`EACH(:name) AS alias` for a table of distinct ids (its column `value`) to join, and becomes one
constant statement per dialect: SQLite reads the ids from a JSON array (`json_each`), PostgreSQL from
an array (`unnest`); each id is then an index probe. Rows come back as the driver's tuples. Only reads
go this way: every write stays in the ORM or Core, where the session tracks it (store/snapshots.py,
`track_writes`). The engine's events and echo do not see these statements; the logger
`homeroom.store.raw` does, at DEBUG.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
_EACH = re.compile(r"EACH\(:([a-z_]+)\) AS ([a-z_]+)")
_NAME = re.compile(r"(?<![:\w]):([a-z_]+)")


@dataclass(frozen=True, slots=True)
class RawQuery:
    """One read, as the text each dialect runs; `lists` names the parameters that are lists of ids."""

    sqlite: str
    postgresql: str
    lists: frozenset[str]

    @classmethod
    def of(cls, text: str) -> RawQuery:
        lists = frozenset(name for name, _alias in _EACH.findall(text))
        sqlite = _EACH.sub(r"json_each(:\1) AS \2", text)
        postgresql = _NAME.sub(r"%(\1)s", _EACH.sub(r"unnest(CAST(:\1 AS text[])) AS \2(value)", text))
        return cls(sqlite, postgresql, lists)


def fetch(session: Session, query: RawQuery, parameters: Mapping[str, Any]) -> list[Any]:
    """The rows of `query`, read in the session's transaction; pending changes are flushed first, as
    `Session.execute` does."""
    if session.autoflush:
        session.flush()
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    sqlite = connection.dialect.name == "sqlite"
    text = query.sqlite if sqlite else query.postgresql
    values = {
        name: (json.dumps(list(value)) if sqlite else list(value)) if name in query.lists else value
        for name, value in parameters.items()
    }
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s %r", text, values)
    with closing(driver.cursor()) as cursor:
        cursor.execute(text, values)
        return list(cursor.fetchall())
