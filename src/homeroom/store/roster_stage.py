"""The staging tables of one roster import: temporary tables the package's users and links stream into.

A OneRoster package of a large district holds a million users and millions of enrollments; neither the
package nor the stored tenant is ever held in memory. Rows are written in chunks to temporary tables
(private to the connection, gone at its end and dropped at the end of the import) and the diff against
the stored tenant is computed by SQL (`store/roster_diff.py`), joining on primary keys.

* `rs_users`: the users the package names, with their resolved Homeroom ids and desired fields;
* `rs_user_orgs`, `rs_roles`: the desired home orgs and role assignments of those users (`remove` marks a
  delta row's `tobedeleted`);
* `rs_links`: teaching assignments (`teach`) and enrollments (`enroll`), by Homeroom ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    false,
    func,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from homeroom.errors import NotFound
from homeroom.store import tables as tb

CHUNK: Final = 5000
T = TypeVar("T")
_meta = MetaData()


def _temp(name: str, *columns: Any) -> Table:
    return Table(name, _meta, *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


USERS = _temp(
    "rs_users",
    Column("id", String(64), primary_key=True),
    Column("key", String(255), nullable=False),
    Column("kind", String(8)),
    Column("status", String(8), nullable=False),
    Column("deleted", String(8), nullable=False),
    Column("username", String(100)),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("email", String(254)),
    Column("is_new", Boolean, nullable=False),
    Column("line", Integer, nullable=False),
)
USER_ORGS = _temp(
    "rs_user_orgs",
    Column("user_id", String(64), primary_key=True),
    Column("org_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)
ROLES = _temp(
    "rs_roles",
    Column("user_id", String(64), primary_key=True),
    Column("role", String(64), primary_key=True),
    Column("org_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("remove", Boolean, nullable=False),
    Column("line", Integer, nullable=False),
)
LINKS = _temp(
    "rs_links",
    Column("link", String(8), primary_key=True),
    Column("class_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("remove", Boolean, nullable=False),
    Column("line", Integer, nullable=False),
    Column("file", Text, nullable=False),
)
Index("ix_rs_users_username", USERS.c.username)
Index("ix_rs_users_key", USERS.c.key)
Index("ix_rs_links_user", LINKS.c.user_id)
STAGING: Final = (USERS, USER_ORGS, ROLES, LINKS)


def create_staging(session: Session) -> None:
    """Create the staging tables on the session's connection (empty, whatever an earlier import left)."""
    connection = session.connection()
    for table in STAGING_ALL:
        table.drop(connection, checkfirst=True)
        table.create(connection)


def drop_staging(session: Session) -> None:
    connection = session.connection()
    for table in reversed(STAGING_ALL):
        table.drop(connection, checkfirst=True)


def stage(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert `rows` into a staging table in chunks; the number inserted."""
    total = 0
    for chunk in chunked(rows, CHUNK):
        session.execute(table.insert(), chunk)
        total += len(chunk)
    return total


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def users_by_id(session: Session, tenant_id: int, ids: Sequence[str]) -> dict[str, tuple[str | None, str]]:
    """Stored users among `ids`: id -> (source_id, kind)."""
    rows = session.execute(
        select(tb.User.id, tb.User.source_id, tb.User.kind).where(
            tb.User.tenant_id == tenant_id, tb.User.id.in_(ids)
        )
    )
    return {row.id: (row.source_id, row.kind) for row in rows}


def users_by_source(session: Session, tenant_id: int, keys: Sequence[str]) -> dict[str, str]:
    """Stored users among the external ids `keys`: source_id -> id."""
    u = tb.User
    rows = session.execute(select(u.source_id, u.id).where(u.tenant_id == tenant_id, u.source_id.in_(keys)))
    return {row.source_id: row.id for row in rows}


def staged_users(session: Session, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """Staged users among `keys`: key -> (id, kind)."""
    rows = session.execute(select(USERS.c.key, USERS.c.id, USERS.c.kind).where(USERS.c.key.in_(keys)))
    return {row.key: (row.id, row.kind) for row in rows}


ACCOUNTS = _temp(
    "rs_accounts",
    Column("user_id", String(64), primary_key=True),
    Column("account", String(8), primary_key=True),
)
STAGING_ALL: Final = (*STAGING, ACCOUNTS)


def stage_new(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert staging rows, keeping the first of rows with the same key (a key can recur across chunks)."""
    materialized = list(rows)
    if not materialized:
        return
    build = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(build(table).on_conflict_do_nothing(), materialized)


def settle_kinds(session: Session) -> dict[str, int]:
    """Give users staged without a kind (OneRoster 1.2) the kind their roles imply; drop those with none.

    Returns what was skipped: users whose roles are all of kinds not imported, by reason.
    """
    s, a = USERS.c, ACCOUNTS.c
    implied = select(func.min(a.account)).where(a.user_id == s.id).scalar_subquery()
    session.execute(update(USERS).where(s.kind.is_(None)).values(kind=implied))
    orphans = session.scalar(select(func.count()).select_from(USERS).where(s.kind.is_(None))) or 0
    if orphans:
        session.execute(delete(USERS).where(s.kind.is_(None)))
        return {"users without an imported role": int(orphans)}
    return {}


def mixed_accounts(session: Session, limit: int) -> list[tuple[int, str]]:
    """Staged users whose roles are both student and staff roles: (line, key)."""
    s, a = USERS.c, ACCOUNTS.c
    both = select(a.user_id).group_by(a.user_id).having(func.count() > 1)
    rows = session.execute(select(s.line, s.key).where(s.id.in_(both)).order_by(s.line).limit(limit))
    return [(int(line), str(key)) for line, key in rows]


def granted_pairs(session: Session) -> list[tuple[str, str, int]]:
    """The distinct (role, org) the staged roles give, with the first line giving each."""
    r = ROLES.c
    rows = session.execute(
        select(r.role, r.org_id, func.min(r.line)).where(r.remove == false()).group_by(r.role, r.org_id)
    )
    return [(str(role), str(org), int(line)) for role, org, line in rows]


def holds(session: Session, table: type[tb.Org | tb.User | tb.SchoolClass], tenant_id: int, key: str) -> bool:
    """Whether `table` holds an object with external id `key`, or a hand-made one with id `key`."""
    by_source = select(table.id).where(table.tenant_id == tenant_id, table.source_id == key)
    by_id = select(table.id).where(table.tenant_id == tenant_id, table.id == key, table.source_id.is_(None))
    return session.scalar(by_source.union_all(by_id).limit(1)) is not None


def root_org(session: Session, tenant_id: int) -> str:
    """The tenant's root org (the first, if an operator made several)."""
    o = tb.Org
    found = session.scalar(
        select(o.id)
        .where(o.tenant_id == tenant_id, o.parent_id.is_(None), o.deleted == "none")
        .order_by(o.id)
        .limit(1)
    )
    if found is None:
        raise NotFound("the tenant has no root org to import into", code="org_not_found")
    return str(found)


def analyze_staging(session: Session) -> None:
    """Give PostgreSQL statistics of the staged rows (autovacuum never sees temporary tables), so that the
    diff's joins are planned for their real sizes."""
    if session.get_bind().dialect.name == "postgresql":
        for table in STAGING_ALL:
            session.execute(text(f"ANALYZE {table.name}"))


def plan_generic(session: Session) -> None:
    """For this transaction, let PostgreSQL reuse plans. The engine forces custom plans (store/database.py),
    which also re-plans every foreign key check: a million inserted links would be planned a million times."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = auto"))


def refresh_statistics(session: Session) -> None:
    """After inserting many accounts and classes, let PostgreSQL see them before the links that reference
    them are inserted: a foreign key check planned on an empty table's statistics scans it for every row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE classes, users"))


def new_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(USERS).where(USERS.c.is_new == true())) or 0)
