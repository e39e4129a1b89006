"""Bulk loading of generated worlds into the store: the rows `write_world` writes, written fast.

`homeroom.store.worlds.write_world` builds one SQLAlchemy insert per table from a list of dicts; at
size L (1M students, 5.5M enrollments) that is minutes of Python and gigabytes of memory. `load_world`
writes the same rows, made by the same row functions in the same table order, streamed in chunks:
`executemany` on the raw sqlite3 cursor, `COPY ... FROM STDIN` through psycopg 3 on PostgreSQL, then the
user reach table derived from the links by write_world's own `reach.fill` (one INSERT ... SELECT). One
transaction: a failure leaves no tenant behind. `tests/bench/test_bench_load.py` proves both paths give
identical table contents on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql
from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from homeroom.errors import InvalidWorld
from homeroom.policy.profiles import Profile
from homeroom.policy.validation import validate_world
from homeroom.policy.world import World
from homeroom.store import reach
from homeroom.store import tables as t
from homeroom.store.tenants import advance_revision, create_tenant

# write_world's own row functions, private ones included, so that both paths cannot drift apart.
from homeroom.store.worlds import (
    _assessment_row,
    _custom_role_row,
    _grant_rows,
    _member_rows,
    _set_creators,
    _setting_rows,
    _thing_row,
    class_row,
    closure_rows,
    link_batches,
    org_row,
    parents_first,
    user_row,
)

Row = dict[str, Any]
Rows = Iterator[tuple[Any, ...]]
CHUNK = 20_000
SQLITE_CACHE_KIB = 1_048_576  # a 1 GiB page cache while loading: index pages stay in memory at L
REACH_WORK_MEM = "256MB"
REACH = t.UserReach.__tablename__


@dataclass(slots=True)
class Loaded:
    """What a load wrote: the tenant, rows per table and the time each table took."""

    tenant_id: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def world_batches(tenant_id: int, world: World) -> list[tuple[Table, Iterable[Row]]]:
    """write_world's tables in its order (every foreign key holds at once), each with its row stream."""
    users = list(world.users.values())
    assessments = [x for x in world.things.values() if x.type == "assessment"]
    others = [x for x in world.things.values() if x.type != "assessment"]
    batches: list[tuple[type[t.Base], Iterable[Row]]] = [
        (t.Org, (org_row(tenant_id, o) for o in parents_first(world.orgs))),
        (t.OrgClosure, closure_rows(tenant_id, world.orgs)),
        (t.SchoolGroupMember, _member_rows(tenant_id, world.orgs.values())),
        (t.User, (user_row(tenant_id, u, created_by=False) for u in users)),
        (t.SchoolClass, (class_row(tenant_id, c) for c in world.classes.values())),
        (t.CustomRole, (_custom_role_row(tenant_id, r) for r in world.custom_roles.values())),
        (t.CustomRoleGrant, _grant_rows(tenant_id, world.custom_roles.values())),
        (t.Assessment, (_assessment_row(tenant_id, a) for a in assessments)),
        (t.Thing, (_thing_row(tenant_id, x) for x in others)),
        *link_batches(tenant_id, users),
        (t.Setting, _setting_rows(tenant_id, world)),
    ]
    return [(_table(model), rows) for model, rows in batches]


def load_world(
    engine: Engine, world: World, profile: Profile, *, tenant: str, validate: bool = True, chunk: int = CHUNK
) -> Loaded:
    """Write `world` as the new tenant `tenant` in one transaction, as write_world would; commit."""
    if validate:
        problems = validate_world(world, profile)
        if problems:
            raise InvalidWorld(problems)
    postgres = engine.dialect.name == "postgresql"
    with Session(engine) as session, session.begin():
        tenant_id = create_tenant(session, tenant, profile.id)
        raw = session.connection().connection.driver_connection
        _tune(raw, postgres=postgres)
        loaded = Loaded(tenant_id)
        write = _copy if postgres else _executemany
        batches = world_batches(tenant_id, world)
        names = [table.name for table, _ in batches] + [REACH]
        dropped = _drop_foreign_keys(raw, names) if postgres else []
        for table, rows in batches:
            started = time.perf_counter()
            columns, tuples = _rows(table, rows)
            loaded.rows[table.name] = write(raw, table, columns, tuples, chunk) if columns else 0
            loaded.seconds[table.name] = time.perf_counter() - started
        started = time.perf_counter()
        loaded.rows[REACH] = _fill_reach(session, tenant_id, postgres=postgres)
        loaded.seconds[REACH] = time.perf_counter() - started
        started = time.perf_counter()
        _restore_foreign_keys(raw, dropped)
        loaded.seconds["foreign keys"] = time.perf_counter() - started
        _set_creators(session, tenant_id, list(world.users.values()))
        advance_revision(session, tenant_id)
    return loaded


def _fill_reach(session: Session, tenant_id: int, *, postgres: bool) -> int:
    """write_world's own `reach.fill`, after the links: the rows are derived from them by one INSERT ...
    SELECT in key order, planned on fresh statistics; how many rows. On PostgreSQL the (org, kind, user)
    index is built after the rows rather than grown by them, and sorts get memory enough for a million
    users' anchors (size M: 3.7-4.6 s instead of 6.7 s)."""
    indexes = list(_table(t.UserReach).indexes) if postgres else []
    if postgres:
        session.execute(text(f"SET LOCAL work_mem = '{REACH_WORK_MEM}'"))
    for index in indexes:
        index.drop(session.connection())
    reach.analyze_sources(session)
    reach.fill(session, tenant_id)
    for index in indexes:
        index.create(session.connection())
    if postgres:
        session.execute(text("RESET work_mem"))
    r = t.UserReach
    return int(session.scalar(select(func.count()).select_from(r).where(r.tenant_id == tenant_id)) or 0)


def _table(model: type[t.Base]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class _Layout:
    """The columns a table's rows fill, in order, as SQLAlchemy's insert() would send them.

    Keys of the first row, then columns the rows lack that have a scalar Python default (written with
    it, as insert() does); columns with neither are left out, so the database's server default applies.
    """

    def __init__(self, table: Table, first: Row) -> None:
        self.table = table
        self.keys = [c.name for c in table.columns if c.name in first]
        unknown = set(first) - {c.name for c in table.columns}
        if unknown:
            raise ValueError(f"{table.name}: unknown columns {sorted(unknown)}")
        defaults = []
        for column in table.columns:
            default = column.default
            if column.name in first or default is None:
                continue
            if not default.is_scalar:
                raise ValueError(f"{table.name}.{column.name}: only scalar defaults can be bulk loaded")
            defaults.append((column.name, default.arg))  # type: ignore[attr-defined]
        self.columns = self.keys + [name for name, _ in defaults]
        self.defaults = tuple(value for _, value in defaults)

    def tuple_of(self, row: Row) -> tuple[Any, ...]:
        if len(row) != len(self.keys):
            raise ValueError(f"{self.table.name}: row {row!r} has other columns than {self.keys}")
        return tuple(row[key] for key in self.keys) + self.defaults


def _rows(table: Table, rows: Iterable[Row]) -> tuple[list[str], Rows]:
    """The columns to write and the rows as tuples in that order (nothing to write: no columns)."""
    stream = iter(rows)
    first = next(stream, None)
    if first is None:
        return [], iter(())
    layout = _Layout(table, first)
    return layout.columns, (layout.tuple_of(row) for row in itertools.chain([first], stream))


def _tune(raw: Any, *, postgres: bool) -> None:
    """Settings of this connection only: a large page cache on SQLite; no waiting for WAL flushes."""
    cursor = raw.cursor()
    if postgres:
        cursor.execute("SET LOCAL synchronous_commit = off")
    else:
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    cursor.close()


def _drop_foreign_keys(raw: Any, tables: list[str]) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of `tables` (PostgreSQL) and return them as the database defines them.

    Row-by-row foreign key triggers cost over 80% of a COPY into enrollments; adding the constraints
    back checks every row in one join per key, inside the same transaction, so nothing goes unchecked.
    """
    cursor = raw.cursor()
    cursor.execute(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
        " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = ANY(%s)"
        " ORDER BY c.relname, k.conname",
        (tables,),
    )
    found = [(table, name, definition) for table, name, definition in cursor.fetchall()]
    for table, name, _ in found:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
        )
    cursor.close()
    return found


def _restore_foreign_keys(raw: Any, dropped: list[tuple[str, str, str]]) -> None:
    cursor = raw.cursor()
    for table, name, definition in dropped:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    cursor.close()


def _executemany(raw: Any, table: Table, columns: list[str], rows: Rows, chunk: int) -> int:
    quote = sqlite.dialect().identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608 (quoted identifiers)
    cursor = raw.cursor()
    count = 0
    try:
        while batch := list(itertools.islice(rows, chunk)):
            cursor.executemany(statement, batch)
            count += len(batch)
    finally:
        cursor.close()
    return count


def _copy(raw: Any, table: Table, columns: list[str], rows: Rows, _chunk: int) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    count = 0
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:  # psycopg buffers and sends the data in blocks of its own
            copy.write_row(row)
            count += 1
    return count
