"""The org tree: add and move orgs, keeping the closure table exact.

Both writes check the tree rules of model.md 2 with the policy's own validator first: a parent of a
kind the spec forbids, a parent that is not in the tenant (another tenant's org included) or a move that
would make a cycle raises InvalidInput, and nothing is written. School group members are replaced only
with live schools of the group's parent's subtree. `visible_org_ids` pages through the orgs an actor may
see (the subtrees of its assignments' orgs and the chains above them) through the closure table.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from sqlalchemy import delete, insert, literal, select, true, union, update
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, InvalidInput, NotFound
from homeroom.policy.validation import parent_problem
from homeroom.policy.world import NOT_DELETED, Org, Ref, World
from homeroom.store import reach
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
    reach.refresh(session, tenant_id, reach.anchored_under(tenant_id, org_id))
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
    session: Session,
    table: type[t.Org | t.User | t.SchoolClass],
    tenant_id: int,
    source_id: str | None,
    *,
    owner: str | None = None,
) -> None:
    """A duplicate external id (OneRoster sourcedId) within the tenant is a Conflict (`owner` may keep
    its own)."""
    if source_id is None:
        return
    taken = session.scalar(select(table.id).where(table.tenant_id == tenant_id, table.source_id == source_id))
    if taken is not None and taken != owner:
        raise Conflict(
            f"external id {source_id!r} is already used by {table.__tablename__} {taken!r}",
            code="duplicate_external_id",
            details={"source_id": source_id, "table": table.__tablename__, "id": taken},
        )


def visible_org_ids(
    session: Session, tenant_id: int, org_ids: Collection[str], *, after: str | None, limit: int
) -> tuple[list[str], str | None]:
    """One page (id order) of the live orgs in the subtrees of `org_ids` or above them, and the next key.

    This is the structural visibility of orgs (policy/visibility.py): a role held at A shows A's subtree
    and the chain of parents above A.
    """
    if not org_ids:
        return [], None
    c, o = t.OrgClosure, t.Org
    below = select(c.descendant_id.label("id")).where(c.tenant_id == tenant_id, c.ancestor_id.in_(org_ids))
    above = select(c.ancestor_id.label("id")).where(c.tenant_id == tenant_id, c.descendant_id.in_(org_ids))
    statement = select(o.id).where(
        o.tenant_id == tenant_id, o.deleted == NOT_DELETED, o.id.in_(union(below, above).subquery().select())
    )
    if after is not None:
        statement = statement.where(o.id > after)
    ids = list(session.scalars(statement.order_by(o.id).limit(limit + 1)))
    if len(ids) > limit:
        return ids[:limit], ids[limit - 1]
    return ids, None


def orgs_by_id(session: Session, tenant_id: int, org_ids: Collection[str]) -> dict[str, t.Org]:
    if not org_ids:
        return {}
    rows = session.scalars(select(t.Org).where(t.Org.tenant_id == tenant_id, t.Org.id.in_(org_ids)))
    return {row.id: row for row in rows}


def group_members(session: Session, tenant_id: int, group_ids: Collection[str]) -> dict[str, tuple[str, ...]]:
    """The member schools of each school group, in their given order."""
    if not group_ids:
        return {}
    m = t.SchoolGroupMember
    rows = session.execute(
        select(m.group_id, m.school_id)
        .where(m.tenant_id == tenant_id, m.group_id.in_(group_ids))
        .order_by(m.group_id, m.position)
    )
    found: dict[str, list[str]] = {group_id: [] for group_id in group_ids}
    for group_id, school_id in rows:
        found[group_id].append(school_id)
    return {group_id: tuple(schools) for group_id, schools in found.items()}


def set_group_members(session: Session, tenant_id: int, group_id: str, schools: Sequence[str]) -> None:
    """Replace a school group's members, after model.md 2: live schools in the subtree of its parent."""
    world = load_world(session, tenant_id, users=(), refs=[Ref("org", s) for s in (group_id, *schools)])
    group = world.orgs.get(group_id)
    if group is None or group.kind != "school_group":
        raise InvalidInput(f"{group_id!r} is not a school group", code="not_a_school_group")
    candidate = World(orgs={**world.orgs, group_id: replace(group, schools=tuple(schools))})
    problem = group_problem(candidate, group_id)
    if problem is not None:
        raise InvalidInput(
            f"school group {group_id!r}: {problem}",
            code="invalid_group_members",
            details={"group": group_id},
        )
    m = t.SchoolGroupMember
    session.execute(delete(m).where(m.tenant_id == tenant_id, m.group_id == group_id))
    rows = [
        {"tenant_id": tenant_id, "group_id": group_id, "school_id": school, "position": position}
        for position, school in enumerate(schools)
    ]
    if rows:
        session.execute(insert(m), rows)
    advance_revision(session, tenant_id)


def group_problem(world: World, group_id: str) -> str | None:
    """The first member of the group that is not a live school under the group's parent, or None."""
    group = world.orgs[group_id]
    if len(set(group.schools)) != len(group.schools):
        return "a school is listed twice"
    for school_id in group.schools:
        school = world.orgs.get(school_id)
        if school is None or school.kind != "school" or school.deleted != NOT_DELETED:
            return f"{school_id!r} is not a school of this tenant"
        if group.parent is None or group.parent not in _chain(world, school_id):
            return f"{school_id!r} is not in the subtree of {group.parent!r}"
    return None


def _chain(world: World, org_id: str) -> list[str]:
    chain: list[str] = []
    current: str | None = org_id
    while current is not None and current in world.orgs and current not in chain:
        chain.append(current)
        current = world.orgs[current].parent
    return chain
