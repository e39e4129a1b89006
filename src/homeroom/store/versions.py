"""Optimistic concurrency: an update names the version it was based on, and loses if another came first.

`UPDATE ... SET version = version + 1 WHERE id = :id AND version = :expected` is one atomic statement on
both databases, so of two writers holding the same version exactly one succeeds and the other gets
StaleVersion, whatever the interleaving: no lost updates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.errors import StaleVersion
from homeroom.store import tables as t

Versioned = type[t.Org] | type[t.User] | type[t.SchoolClass] | type[t.CustomRole] | type[t.Thing]


def update_versioned(
    session: Session,
    table: Versioned,
    tenant_id: int,
    object_id: str,
    *,
    expected: int | None,
    values: dict[str, Any],
) -> int:
    """Write `values`, bump the version, return the new one; `expected=None` skips the version test."""
    statement = (
        update(table)
        .where(table.tenant_id == tenant_id, table.id == object_id)
        .values(**values, version=table.version + 1)
        .returning(table.version)
        .execution_options(synchronize_session=False)
    )
    if expected is not None:
        statement = statement.where(table.version == expected)
    new_version = session.scalar(statement)
    if new_version is None:
        current = session.scalar(
            select(table.version).where(table.tenant_id == tenant_id, table.id == object_id)
        )
        raise StaleVersion(
            f"{table.__tablename__} {object_id!r} is at version {current}, not {expected}: "
            "reload it and apply the change again",
            details={"id": object_id, "expected": expected, "current": current},
        )
    return int(new_version)
