"""The staging tables of one roster import: temporary tables the package's users and links stream into.

A OneRoster package of a large district holds a million users and millions of enrollments; neither the
package nor the stored tenant is ever held in memory. Rows are written in chunks to temporary tables
(private to the connection, gone at its end and dropped at the end of the import) and the diff against
the stored tenant is computed by SQL (`store/roster_diff.py`), joining on primary keys.

* `rs_users`: the users the package names, with their resolved Homeroom ids and desired fields;
* `rs_user_orgs`, `rs_roles`: the desired home orgs and role assignments of those users (`remove` marks a
  delta row's `tobedeleted`);
* `rs_links`: teaching assignments (`teach`) and enrollments (`enroll`), by Homeroom ids.

Staged rows are appended through the driver, not SQLAlchemy's executemany (a few microseconds a row instead
of some twenty): SQLite's `executemany` of tuples, PostgreSQL's `COPY`. Only `rs_users` is indexed while
it fills (memberships and links look their users up in it); the other tables get their unique key and
indexes once their file has been read (`index_staged`), where a key given twice (a user with two roles
that map to the same assignment) keeps the first row of the package that gave it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from typing import Any, Final, NamedTuple, TypeVar, cast

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    false,
    func,
    literal_column,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from homeroom.errors import NotFound
from homeroom.store import tables as tb
from homeroom.store.references import Reference

CHUNK: Final = 5000
REWRITE_KINDS: Final = 10_000  # users staged without a kind above which PostgreSQL rewrites rs_users
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
    Column("user_id", String(64), nullable=False),
    Column("org_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("line", Integer, nullable=False),
)
ROLES = _temp(
    "rs_roles",
    Column("user_id", String(64), nullable=False),
    Column("role", String(64), nullable=False),
    Column("org_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("remove", Boolean, nullable=False),
    Column("line", Integer, nullable=False),
)
LINKS = _temp(
    "rs_links",
    Column("link", String(8), nullable=False),
    Column("class_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("remove", Boolean, nullable=False),
    Column("line", Integer, nullable=False),
    Column("file", Text, nullable=False),
)
ACCOUNTS = _temp(
    "rs_accounts",
    Column("user_id", String(64), nullable=False),
    Column("account", String(8), nullable=False),
)
Index("ix_rs_users_username", USERS.c.username)
Index("ix_rs_users_key", USERS.c.key)
STAGING: Final = (USERS, USER_ORGS, ROLES, LINKS)
STAGING_ALL: Final = (*STAGING, ACCOUNTS)
_USERS_TABLE, _ORGS_TABLE, _CLASSES_TABLE = (
    cast("Table", table.__table__) for table in (tb.User, tb.Org, tb.SchoolClass)
)
REFERENCES: Final = (
    # What the apply copies from staging references (store/references.py): the users it inserts only
    # their tenant (proven by itself); the rest users, orgs and classes. Removed rows are not copied.
    Reference(USER_ORGS, "user_id", _USERS_TABLE, true()),
    Reference(USER_ORGS, "org_id", _ORGS_TABLE, true()),
    Reference(ROLES, "user_id", _USERS_TABLE, ROLES.c.remove == false()),
    Reference(ROLES, "org_id", _ORGS_TABLE, ROLES.c.remove == false()),
    Reference(LINKS, "user_id", _USERS_TABLE, LINKS.c.remove == false()),
    Reference(LINKS, "class_id", _CLASSES_TABLE, LINKS.c.remove == false()),
)


class _Key(NamedTuple):
    """The unique key of a staged table, made and indexed once all its rows are in (`index_staged`)."""

    columns: tuple[str, ...]
    first: tuple[str, ...]
    """What orders rows of one key: the first is kept (the first row of the package that gave it)."""


KEYS: Final = {
    USER_ORGS.name: _Key(("user_id", "org_id"), ("line", "position")),
    ROLES.name: _Key(("user_id", "role", "org_id"), ("line", "position")),
    LINKS.name: _Key(("link", "class_id", "user_id"), ("line",)),
    ACCOUNTS.name: _Key(("user_id", "account"), ()),
}
_MORE_INDEXES: Final = {LINKS.name: ("user_id",)}


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


def stage_rows(session: Session, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append `rows` (tuples in the table's column order) to a staging table. `rs_users` has its key
    already (a repeated one is an error); the other tables get theirs from `index_staged`."""
    if not rows:
        return
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        names = ", ".join(column.name for column in table.columns)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    driver.executemany(str(table.insert().compile(dialect=connection.dialect)), rows)


def index_staged(session: Session, table: Table) -> None:
    """Once every row of `table` is staged: keep the first row of each key, then index the key (unique)
    and what the diff looks up. Indexes built once, by sorting, cost a fraction of indexes kept while
    millions of rows arrive in file order; a repeated key is rare and found by the unique index."""
    key = KEYS[table.name]
    unique = f"CREATE UNIQUE INDEX ux_{table.name} ON {table.name} ({', '.join(key.columns)})"
    if not _try(session, unique):
        _keep_first(session, table, key)
        session.execute(text(unique))
    for column in _MORE_INDEXES.get(table.name, ()):
        session.execute(text(f"CREATE INDEX ix_{table.name}_{column} ON {table.name} ({column})"))


def _try(session: Session, statement: str) -> bool:
    """Run a statement that may break a constraint; False (and nothing done) if it did. PostgreSQL aborts
    the transaction on a failed statement unless it ran inside a savepoint."""
    try:
        with session.begin_nested() if _postgres(session) else nullcontext():
            session.execute(text(statement))
    except IntegrityError:
        return False
    return True


def _keep_first(session: Session, table: Table, key: _Key) -> None:
    """Delete every row but the first of each key (then the rows' physical order: the order staged)."""
    row: ColumnElement[Any] = literal_column("ctid" if _postgres(session) else "rowid")
    number = func.row_number().over(
        partition_by=[table.c[name] for name in key.columns],
        order_by=[*(table.c[name] for name in key.first), row],
    )
    ranked = select(row.label("r"), number.label("n")).subquery()
    session.execute(delete(table).where(row.in_(select(ranked.c.r).where(ranked.c.n > 1))))


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def chunked(items: Iterable[T], size: int) -> Iterator[Sequence[T]]:
    if isinstance(items, Sequence):
        for start in range(0, len(items), size):
            yield items[start : start + size]
        return
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Lookup(NamedTuple):
    """One read of a chunk's values, as the text of each dialect (see `_lookup`)."""

    sqlite: str
    postgresql: str


# On SQLite `IN (SELECT ...)`, not a join: SQLite would scan the tenant's users for each value.
_USERS_BY_ID: Final = _Lookup(
    "SELECT id, source_id, kind FROM users WHERE tenant_id = :tenant"
    " AND id IN (SELECT value FROM json_each(:values))",
    "SELECT id, source_id, kind FROM users WHERE tenant_id = %(tenant)s AND id = ANY(%(values)s)",
)
_USERS_BY_SOURCE: Final = _Lookup(
    "SELECT source_id, id FROM users WHERE tenant_id = :tenant"
    " AND source_id IN (SELECT value FROM json_each(:values))",
    "SELECT source_id, id FROM users WHERE tenant_id = %(tenant)s AND source_id = ANY(%(values)s)",
)
_STAGED_USERS: Final = _Lookup(
    "SELECT key, id, kind FROM rs_users WHERE key IN (SELECT value FROM json_each(:values))",
    "SELECT key, id, kind FROM rs_users WHERE key = ANY(%(values)s)",
)


def users_by_id(session: Session, tenant_id: int, ids: Sequence[str]) -> dict[str, tuple[str | None, str]]:
    """Stored users among `ids`: id -> (source_id, kind)."""
    rows = _lookup(session, _USERS_BY_ID, ids, tenant_id)
    return {user_id: (source_id, kind) for user_id, source_id, kind in rows}


def users_by_source(session: Session, tenant_id: int, keys: Sequence[str]) -> dict[str, str]:
    """Stored users among the external ids `keys`: source_id -> id."""
    return dict(_lookup(session, _USERS_BY_SOURCE, keys, tenant_id))


def staged_users(session: Session, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """Staged users among `keys`: key -> (id, kind)."""
    return {key: (user_id, kind) for key, user_id, kind in _lookup(session, _STAGED_USERS, keys)}


def _lookup(session: Session, query: _Lookup, values: Sequence[str], tenant_id: int = 0) -> list[Any]:
    """The rows of `query` for the values of a chunk: one statement whatever their number (a JSON array
    on SQLite, an array on PostgreSQL), through the driver; an IN list of 5,000 bound values would be
    rendered and planned anew for every length."""
    if not values:
        return []
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor:
            cursor.execute(query.postgresql, {"tenant": tenant_id, "values": list(values)})
            return list(cursor.fetchall())
    parameters = {"tenant": tenant_id, "values": json.dumps(list(values))}
    return list(driver.execute(query.sqlite, parameters).fetchall())


def settle_kinds(session: Session) -> dict[str, int]:
    """Give users staged without a kind (OneRoster 1.2) the kind their roles imply; drop those with none.

    Returns what was skipped: users whose roles are all of kinds not imported, by reason.
    """
    s, a = USERS.c, ACCOUNTS.c
    unknown = session.scalar(select(func.count()).select_from(USERS).where(s.kind.is_(None))) or 0
    if unknown > REWRITE_KINDS and _postgres(session):
        _rewrite_kinds(session)
    elif unknown:
        implied = select(a.user_id, func.min(a.account).label("kind")).group_by(a.user_id).subquery()
        session.execute(
            update(USERS).where(s.kind.is_(None), s.id == implied.c.user_id).values(kind=implied.c.kind)
        )
    orphans = session.scalar(select(func.count()).select_from(USERS).where(s.kind.is_(None))) or 0
    if orphans:
        session.execute(delete(USERS).where(s.kind.is_(None)))
        return {"users without an imported role": int(orphans)}
    return {}


def _rewrite_kinds(session: Session) -> None:
    """PostgreSQL, many users without a kind: rs_users written anew with the kinds, as an UPDATE would
    leave it. An UPDATE writes a new version of each row and an entry in each of the table's three indexes
    at random places: some 25 us a row, 30 s for a million users (size L). Here the rows are copied with
    their kinds, put back in key order with only the primary key kept meanwhile, and the two other indexes
    built once, by sorting (about 7 s)."""
    names = [column.name for column in USERS.columns]  # the statements below name only these constants
    chosen = ", ".join(
        "coalesce(s.kind, k.kind) AS kind" if name == "kind" else f"s.{name}" for name in names
    )
    implied = "SELECT user_id, min(account) AS kind FROM rs_accounts GROUP BY user_id"
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE rs_users_kinds ON COMMIT DROP AS SELECT {chosen} FROM rs_users s"  # noqa: S608
            f" LEFT JOIN ({implied}) k ON s.kind IS NULL AND k.user_id = s.id"
        )
    )
    session.execute(text("TRUNCATE rs_users"))
    connection = session.connection()
    for index in USERS.indexes:
        index.drop(connection)
    columns = ", ".join(names)
    session.execute(
        text(f"INSERT INTO rs_users ({columns}) SELECT {columns} FROM rs_users_kinds ORDER BY id")  # noqa: S608
    )
    for index in USERS.indexes:
        index.create(connection)
    session.execute(text("DROP TABLE rs_users_kinds"))


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


def refresh_statistics(session: Session) -> None:
    """After inserting many accounts and classes, let PostgreSQL see them before the links that reference
    them are inserted: a foreign key check planned on an empty table's statistics scans it for every row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE classes, users"))


def new_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(USERS).where(USERS.c.is_new == true())) or 0)
