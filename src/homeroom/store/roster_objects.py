"""Orgs and classes as a roster import reads and writes them: whole, since even a city has only thousands.

The import diffs them in memory (services/roster_orgs.py) and writes only what changed: new orgs with
their closure rows in two batches (`add_roster_orgs`, checked by the same rules as `add_org`), moved orgs
through `move_org` (which keeps the tree valid and the reach table exact), new classes in one batch, and
one UPDATE per changed row that bumps its version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, InvalidInput
from homeroom.policy.validation import parent_problem
from homeroom.policy.world import PURGED, Org, World
from homeroom.store import reach
from homeroom.store import tables as t
from homeroom.store.orgs import move_org
from homeroom.store.worlds import org_row


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


def add_roster_orgs(session: Session, tenant_id: int, orgs: Sequence[StoredOrg]) -> None:
    """New orgs from a package (parents before children) with their closure rows, in one batch each.

    The rules of `add_org`, checked in memory against the stored tree read once: an id or external id
    already taken is a Conflict, a parent missing or of a kind model.md 2 forbids is InvalidInput, and
    nothing is written. Each closure row is the parent's, one deeper, plus the org's own, as `add_org`
    copies them. Org by org through `add_org`, each insert re-read the tree and moved the tenant's
    revision, whose thousands of versions in one transaction made every later statement slower (size L:
    1,832 orgs in about a minute); the import advances the revision once, at its end."""
    if not orgs:
        return
    stored = stored_orgs(session, tenant_id)
    tree = {o.id: Org(o.id, o.kind, o.parent_id, deleted=o.deleted) for o in stored}
    sources = {o.source_id: o.id for o in stored if o.source_id is not None}
    for org in orgs:
        _check_new(org, tree, sources)
        tree[org.id] = Org(org.id, org.kind, org.parent_id, deleted=org.deleted)
        if org.source_id is not None:
            sources[org.source_id] = org.id
    chains = _stored_chains(
        session, tenant_id, {o.parent_id for o in orgs if o.parent_id} - {o.id for o in orgs}
    )
    rows = []
    for org in orgs:
        chain = [(org.id, 0), *((a, d + 1) for a, d in chains.get(org.parent_id or "", []))]
        chains[org.id] = chain
        rows += [
            {"tenant_id": tenant_id, "descendant_id": org.id, "ancestor_id": a, "depth": d} for a, d in chain
        ]
    session.execute(
        insert(t.Org),
        [{**org_row(tenant_id, tree[o.id], o.source_id), "name": o.name, "active": o.active} for o in orgs],
    )
    session.execute(insert(t.OrgClosure), rows)


def _check_new(org: StoredOrg, tree: dict[str, Org], sources: dict[str, str]) -> None:
    """`add_org`'s checks of one new org against the tree so far (stored orgs and earlier new ones)."""
    if org.id in tree:
        raise Conflict(f"org {org.id!r} already exists", code="org_exists", details={"id": org.id})
    taken = sources.get(org.source_id or "")
    if org.source_id is not None and taken is not None:
        raise Conflict(
            f"external id {org.source_id!r} is already used by orgs {taken!r}",
            code="duplicate_external_id",
            details={"source_id": org.source_id, "table": "orgs", "id": taken},
        )
    problem = parent_problem(Org(org.id, org.kind, org.parent_id), World(orgs=tree))
    if problem is not None:
        raise InvalidInput(
            f"org {org.id!r}: {problem}",
            code="invalid_parent",
            details={"org": org.id, "parent": org.parent_id},
        )


def _stored_chains(session: Session, tenant_id: int, org_ids: set[str]) -> dict[str, list[tuple[str, int]]]:
    """The closure rows (ancestor, depth) of stored orgs, by org."""
    c = t.OrgClosure
    chains: dict[str, list[tuple[str, int]]] = {}
    if not org_ids:
        return chains
    rows = session.execute(
        select(c.descendant_id, c.ancestor_id, c.depth)
        .where(c.tenant_id == tenant_id, c.descendant_id.in_(sorted(org_ids)))
        .order_by(c.descendant_id, c.depth)
    )
    for descendant, ancestor, depth in rows:
        chains.setdefault(descendant, []).append((ancestor, depth))
    return chains


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
