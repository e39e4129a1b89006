"""The org tree: add and move orgs, keeping the closure table exact.

Both writes check the tree rules of model.md 2 with the policy's own validator first: a parent of a
kind the spec forbids, a parent that is not in the tenant (another tenant's org included) or a move that
would make a cycle raises InvalidInput, and nothing is written.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, literal, select, true, update
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, InvalidInput, NotFound
from homeroom.policy.validation import parent_problem
from homeroom.policy.world import Org, Ref, World
from homeroom.store import tables as t
from homeroom.store.facts import load_world
from homeroom.store.tenants import advance_revision
from homeroom.store.worlds import org_row


def add_org(session: Session, tenant_id: int, org: Org, *, source_id: str | None = None) -> None:
    """Add `org` under its parent (or as a root); the closure gains its ancestor chain."""
    if session.get(t.Org, (tenant_id, org.id)) is not None:
        raise Conflict(f"org {org.id!r} already exists", code="org_exists", details={"id": org.id})
    require_unique_source(session, t.Org, tenant_id, source_id)
    _check_parent(session, tenant_id, org)
    session.execute(insert(t.Org), [org_row(tenant_id, org, source_id)])
    c = t.OrgClosure
    above = select(literal(tenant_id), literal(org.id), c.ancestor_id, c.depth + 1).where(
        c.tenant_id == tenant_id, c.descendant_id == org.parent
    )
    session.execute(insert(c).from_select(["tenant_id", "descendant_id", "ancestor_id", "depth"], above))
    session.execute(
        insert(c), [{"tenant_id": tenant_id, "descendant_id": org.id, "ancestor_id": org.id, "depth": 0}]
    )
    advance_revision(session, tenant_id)


def move_org(session: Session, tenant_id: int, org_id: str, new_parent: str | None) -> None:
    """Put `org_id` (with its whole subtree) under `new_parent`."""
    row = session.get(t.Org, (tenant_id, org_id))
    if row is None:
        raise NotFound(f"there is no org {org_id!r}", code="org_not_found")
    moved = Org(org_id, row.kind, new_parent)
    _check_parent(session, tenant_id, moved)
    c = t.OrgClosure
    subtree = select(c.descendant_id).where(c.tenant_id == tenant_id, c.ancestor_id == org_id)
    outside = select(c.ancestor_id).where(
        c.tenant_id == tenant_id, c.descendant_id == org_id, c.ancestor_id != org_id
    )
    session.execute(
        delete(c).where(c.tenant_id == tenant_id, c.descendant_id.in_(subtree), c.ancestor_id.in_(outside))
    )
    if new_parent is not None:
        above, below = c.__table__.alias("above"), c.__table__.alias("below")
        depth = above.c.depth + below.c.depth + 1
        pairs = (
            select(literal(tenant_id), below.c.descendant_id, above.c.ancestor_id, depth)
            .select_from(above.join(below, true()))  # every ancestor above x every org below: intended
            .where(above.c.tenant_id == tenant_id, above.c.descendant_id == new_parent)
            .where(below.c.tenant_id == tenant_id, below.c.ancestor_id == org_id)
        )
        session.execute(insert(c).from_select(["tenant_id", "descendant_id", "ancestor_id", "depth"], pairs))
    session.execute(
        update(t.Org).where(t.Org.tenant_id == tenant_id, t.Org.id == org_id).values(parent_id=new_parent)
    )
    advance_revision(session, tenant_id)


def _check_parent(session: Session, tenant_id: int, org: Org) -> None:
    """Model.md 2 for `org` under its parent, in this tenant; a cycle is its own error."""
    if org.parent is None:
        chain: dict[str, Org] = {}
    else:
        chain = dict(load_world(session, tenant_id, users=(), refs=[Ref("org", org.parent)]).orgs)
    if org.id in chain:
        raise InvalidInput(
            f"moving org {org.id!r} under {org.parent!r} would make a cycle: {org.parent!r} is inside it",
            code="tree_cycle",
            details={"org": org.id, "parent": org.parent},
        )
    problem = parent_problem(org, World(orgs={**chain, org.id: org}))
    if problem is not None:
        raise InvalidInput(
            f"org {org.id!r}: {problem}", code="invalid_parent", details={"org": org.id, "parent": org.parent}
        )


def require_unique_source(
    session: Session, table: type[t.Org | t.User | t.SchoolClass], tenant_id: int, source_id: str | None
) -> None:
    """A duplicate external id (OneRoster sourcedId) within the tenant is a Conflict."""
    if source_id is None:
        return
    taken = session.scalar(select(table.id).where(table.tenant_id == tenant_id, table.source_id == source_id))
    if taken is not None:
        raise Conflict(
            f"external id {source_id!r} is already used by {table.__tablename__} {taken!r}",
            code="duplicate_external_id",
            details={"source_id": source_id, "table": table.__tablename__, "id": taken},
        )
