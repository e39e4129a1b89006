"""Orgs and classes as a roster import reads and writes them: whole, since even a city has only thousands.

The import diffs them in memory (services/roster_orgs.py) and writes only what changed: new orgs with
their closure rows (through `add_org` and `move_org`, which keep the tree valid and the reach table
exact), new classes in one batch, and one UPDATE per changed row that bumps its version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from homeroom.policy.world import PURGED, Org
from homeroom.store import reach
from homeroom.store import tables as t
from homeroom.store.orgs import add_org, move_org


@dataclass(frozen=True)
class StoredOrg:
    id: str
    kind: str
    parent_id: str | None
    source_id: str | None
    name: str
    active: bool
    deleted: str


@dataclass(frozen=True)
class StoredClass:
    id: str
    school_id: str
    source_id: str | None
    name: str
    status: str
    deleted: str


def stored_orgs(session: Session, tenant_id: int) -> list[StoredOrg]:
    o = t.Org
    rows = session.execute(
        select(o.id, o.kind, o.parent_id, o.source_id, o.name, o.active, o.deleted).where(
            o.tenant_id == tenant_id
        )
    )
    return [StoredOrg(*row) for row in rows]


def stored_classes(session: Session, tenant_id: int) -> list[StoredClass]:
    c = t.SchoolClass
    rows = session.execute(
        select(c.id, c.school_id, c.source_id, c.name, c.status, c.deleted).where(c.tenant_id == tenant_id)
    )
    return [StoredClass(*row) for row in rows]


def add_roster_org(session: Session, tenant_id: int, org: StoredOrg) -> None:
    """A new org from a package (parents before children), its closure rows, name and state."""
    add_org(
        session, tenant_id, Org(org.id, org.kind, org.parent_id, deleted=org.deleted), source_id=org.source_id
    )
    session.execute(
        update(t.Org)
        .where(t.Org.tenant_id == tenant_id, t.Org.id == org.id)
        .values(name=org.name, active=org.active)
        .execution_options(synchronize_session=False)
    )


def change_org(session: Session, tenant_id: int, before: StoredOrg, after: StoredOrg) -> None:
    """Write what differs between the stored org and the package's: parent (the subtree moves), fields."""
    if before.parent_id != after.parent_id:
        move_org(session, tenant_id, after.id, after.parent_id)
    _write_changes(session, t.Org, tenant_id, before, after, ("source_id", "name", "active", "deleted"))


def _write_changes(
    session: Session,
    table: type[t.Org | t.SchoolClass],
    tenant_id: int,
    before: StoredOrg | StoredClass,
    after: StoredOrg | StoredClass,
    fields: tuple[str, ...],
) -> None:
    """One UPDATE of the fields that differ, bumping the row's version; nothing when none differ."""
    values: dict[str, Any] = {f: getattr(after, f) for f in fields if getattr(after, f) != getattr(before, f)}
    if values:
        session.execute(
            update(table)
            .where(table.tenant_id == tenant_id, table.id == after.id)
            .values(version=table.version + 1, **values)
            .execution_options(synchronize_session=False)
        )


def add_classes(session: Session, tenant_id: int, classes: Sequence[StoredClass]) -> None:
    if classes:
        session.execute(
            insert(t.SchoolClass),
            [
                {
                    "tenant_id": tenant_id,
                    "id": c.id,
                    "school_id": c.school_id,
                    "source_id": c.source_id,
                    "name": c.name,
                    "status": c.status,
                    "deleted": c.deleted,
                }
                for c in classes
            ],
        )


def change_class(session: Session, tenant_id: int, before: StoredClass, after: StoredClass) -> None:
    """Write what differs; a class that changes school or stops or starts being purged moves the anchors of
    its teachers and students (store/reach.py)."""
    _write_changes(
        session, t.SchoolClass, tenant_id, before, after, ("school_id", "name", "status", "deleted")
    )
    purged = (before.deleted == PURGED) != (after.deleted == PURGED)
    if before.school_id != after.school_id or purged:
        reach.refresh(session, tenant_id, reach.class_users(tenant_id, after.id))
