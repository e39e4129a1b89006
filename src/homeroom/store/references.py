"""Foreign keys of a bulk write proven once, by set, instead of row by row (PostgreSQL).

PostgreSQL checks a foreign key with a trigger per inserted row and key: an `INSERT ... SELECT` of half a
million enrollments runs a million and a half lookups (tenant, user, class) one at a time, which cost more
than the insert itself (docs/rostering.md, "Foreign keys of the apply"). A roster import's bulk writes may
instead run with the triggers off, `SET LOCAL session_replication_role = replica`, for part of its one
transaction, when the database role may set that parameter (a superuser, or PostgreSQL 15's `GRANT SET ON
PARAMETER session_replication_role`); `references_proven` then proves, before the transaction commits,
every reference those writes could have made, by one statement per foreign key over the staged rows they
copied, and locks the referenced rows as the triggers would have (`FOR KEY SHARE`), so that no concurrent
transaction can remove one before the import commits. A reference to nothing raises `DanglingReference`
and the transaction is rolled back, as a trigger's error would.

Nothing else changes: no DDL, no table lock, no other session affected (the parameter is the transaction's
own, reset at its end). Where the role may not set it, and on SQLite (which checks its foreign keys
cheaply), the triggers stay on: the ordinary path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, NamedTuple, cast

from sqlalchemy import ColumnElement, Table, exists, func, literal, select, text
from sqlalchemy.orm import Session

from homeroom.store import tables as t

PARAMETER: Final = "session_replication_role"
_ALLOWED: Final = frozenset({"origin", "replica", "local"})  # what the parameter may be restored to


class DanglingReference(Exception):
    """A bulk write made with the triggers off referenced a row that does not exist: a bug, as a foreign
    key violation is; the transaction must be rolled back."""


class Reference(NamedTuple):
    """A foreign key of rows copied from `source` (where `written` holds): `column` -> `target`'s id in
    the same tenant."""

    source: Table
    column: str
    target: Table
    written: ColumnElement[bool]


def may_skip_triggers(session: Session) -> bool:
    """Whether this session may set `session_replication_role` (PostgreSQL only)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if session.scalar(text("SELECT current_setting('is_superuser') = 'on'")):
        return True
    version = int(session.scalar(text("SELECT current_setting('server_version_num')")) or 0)
    if version < 150000:  # GRANT SET ON PARAMETER came with PostgreSQL 15
        return False
    query = text("SELECT has_parameter_privilege(current_user, :parameter, 'SET')")
    return bool(session.scalar(query, {"parameter": PARAMETER}))


@contextmanager
def triggers_off(session: Session, *, enabled: bool) -> Iterator[bool]:
    """Within the block, the transaction's writes fire no trigger (foreign keys are not checked) if
    `enabled`; yields whether they are off. The caller proves the references before commit.

    On an error the parameter is not restored here: the transaction is rolled back, which restores it."""
    if not enabled:
        yield False
        return
    previous = str(session.scalar(text(f"SELECT current_setting('{PARAMETER}')")))
    if previous not in _ALLOWED:
        raise ValueError(f"unexpected {PARAMETER}: {previous!r}")
    session.execute(text(f"SET LOCAL {PARAMETER} = replica"))
    yield True
    session.execute(text(f"SET LOCAL {PARAMETER} = {previous}"))


def references_proven(session: Session, tenant_id: int, references: Sequence[Reference]) -> None:
    """Prove that every reference of the rows copied from the staging tables names a row of the tenant,
    and lock those rows against removal until commit; raise `DanglingReference` for the first that does
    not. The tenant row itself is locked likewise (every copied row references it)."""
    tenants = cast("Table", t.Tenant.__table__)
    held = select(tenants.c.id).where(tenants.c.id == tenant_id).with_for_update(read=True, key_share=True)
    if session.scalar(held) is None:
        raise DanglingReference(f"tenant {tenant_id} does not exist")
    for reference in references:
        if not _held(session, tenant_id, reference):
            raise DanglingReference(_dangling(session, tenant_id, reference))


def _held(session: Session, tenant_id: int, reference: Reference) -> bool:
    """Whether the distinct values of the reference equal the target rows found (and locked) for them."""
    source, target = reference.source, reference.target
    values = select(source.c[reference.column]).where(reference.written)
    found = (
        select(literal(1))
        .select_from(target)
        .where(target.c.tenant_id == tenant_id, target.c.id.in_(values))
        .with_for_update(read=True, key_share=True)
        .subquery("found")
    )
    wanted = select(func.count(source.c[reference.column].distinct())).where(reference.written)
    locked = select(func.count()).select_from(found)
    counts = session.execute(select(wanted.scalar_subquery(), locked.scalar_subquery()))
    distinct, held = counts.one()
    return int(distinct) == int(held)


def _dangling(session: Session, tenant_id: int, reference: Reference) -> str:
    source, target, column = reference.source, reference.target, reference.column
    named = exists().where(target.c.tenant_id == tenant_id, target.c.id == source.c[column])
    line: Any = source.c["line"] if "line" in source.c else literal(None)
    first = session.execute(
        select(source.c[column], line).where(reference.written, ~named).order_by(line).limit(1)
    ).first()
    value, at = first if first is not None else (None, None)
    where = f" (line {at})" if at is not None else ""
    return f"{source.name}.{column} {value!r}{where} names no row of {target.name} of tenant {tenant_id}"
