"""Custom roles as rows: the role (id, org, name, lifecycle, version) and its grants in order.

Every write advances the tenant's revision: custom roles are policy facts (and part of the snapshots).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from homeroom.policy.world import NOT_DELETED
from homeroom.store import tables as t
from homeroom.store.tenants import advance_revision
from homeroom.store.versions import update_versioned

Grant = tuple[str, str]  # (permission, scope text)


def get_role(session: Session, tenant_id: int, role_id: str) -> t.CustomRole | None:
    return session.get(t.CustomRole, (tenant_id, role_id), populate_existing=True)


def grants_of(session: Session, tenant_id: int, role_ids: Sequence[str]) -> dict[str, list[Grant]]:
    """Each role's grants, in their order."""
    found: dict[str, list[Grant]] = {r: [] for r in role_ids}
    if not role_ids:
        return found
    g = t.CustomRoleGrant
    rows = session.execute(
        select(g.role_id, g.permission, g.scope)
        .where(g.tenant_id == tenant_id, g.role_id.in_(role_ids))
        .order_by(g.role_id, g.position)
    )
    for role_id, permission, scope in rows:
        found[role_id].append((permission, scope))
    return found


def add_role(  # noqa: PLR0913 - the row's own columns
    session: Session,
    tenant_id: int,
    role_id: str,
    *,
    org: str,
    name: str,
    created_by: str | None,
    grants: Sequence[Grant],
) -> None:
    session.add(
        t.CustomRole(
            tenant_id=tenant_id,
            id=role_id,
            org_id=org,
            rank=None,
            deleted=NOT_DELETED,
            created_by=created_by,
            name=name,
            version=1,
        )
    )
    session.flush()
    _insert_grants(session, tenant_id, role_id, grants)
    advance_revision(session, tenant_id)


def set_grants(session: Session, tenant_id: int, role_id: str, grants: Sequence[Grant]) -> None:
    g = t.CustomRoleGrant
    session.execute(delete(g).where(g.tenant_id == tenant_id, g.role_id == role_id))
    _insert_grants(session, tenant_id, role_id, grants)
    advance_revision(session, tenant_id)


def _insert_grants(session: Session, tenant_id: int, role_id: str, grants: Sequence[Grant]) -> None:
    rows = [
        {"tenant_id": tenant_id, "role_id": role_id, "position": i, "permission": p, "scope": s}
        for i, (p, s) in enumerate(grants)
    ]
    if rows:
        session.execute(insert(t.CustomRoleGrant), rows)


def change_role(
    session: Session, tenant_id: int, role_id: str, *, expected: int | None, values: dict[str, Any]
) -> int:
    version = update_versioned(session, t.CustomRole, tenant_id, role_id, expected=expected, values=values)
    advance_revision(session, tenant_id)
    return version


def roles_held_at(session: Session, tenant_id: int, org: str) -> list[t.CustomRole]:
    """The live custom roles that may be held at `org`: those of `org` and of the orgs above it."""
    r, c = t.CustomRole, t.OrgClosure
    above = select(c.ancestor_id).where(c.tenant_id == tenant_id, c.descendant_id == org)
    statement = select(r).where(r.tenant_id == tenant_id, r.deleted == NOT_DELETED, r.org_id.in_(above))
    return list(session.scalars(statement.order_by(r.id)))


def rows(session: Session, tenant_id: int, ids: Sequence[str]) -> list[t.CustomRole]:
    if not ids:
        return []
    r = t.CustomRole
    found = {x.id: x for x in session.scalars(select(r).where(r.tenant_id == tenant_id, r.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
