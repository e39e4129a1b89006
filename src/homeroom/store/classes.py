"""Classes beyond their policy facts: names, rosters as views read them, and the inactive students of a class.

A roster lists the live (not deleted) teachers and students linked to a class, in id order: soft-deleted
accounts keep their links (model.md 14.5) but no longer appear on a class's roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, or_, select, union
from sqlalchemy.orm import Session

from homeroom.errors import NotFound
from homeroom.policy.world import INACTIVE, NOT_DELETED, STUDENT
from homeroom.store import tables as t


@dataclass(frozen=True)
class Roster:
    teachers: tuple[str, ...] = ()
    students: tuple[str, ...] = ()


def get_class(session: Session, tenant_id: int, class_id: str) -> t.SchoolClass | None:
    return session.get(t.SchoolClass, (tenant_id, class_id))


def require_class(session: Session, tenant_id: int, class_id: str) -> t.SchoolClass:
    row = get_class(session, tenant_id, class_id)
    if row is None:
        raise NotFound(f"there is no class {class_id!r}", code="class_not_found", details={"id": class_id})
    return row


def classes_by_id(session: Session, tenant_id: int, class_ids: Collection[str]) -> dict[str, t.SchoolClass]:
    if not class_ids:
        return {}
    c = t.SchoolClass
    rows = session.scalars(select(c).where(c.tenant_id == tenant_id, c.id.in_(class_ids)))
    return {row.id: row for row in rows}


def rosters(session: Session, tenant_id: int, class_ids: Collection[str]) -> dict[str, Roster]:
    """The live teachers and students of each class, in id order: two indexed queries for any number."""
    if not class_ids:
        return {}
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    u = t.User
    for name, link in (("teachers", t.Teaching), ("students", t.Enrollment)):
        statement = (
            select(link.class_id, link.user_id)
            .join(u, (u.tenant_id == link.tenant_id) & (u.id == link.user_id))
            .where(link.tenant_id == tenant_id, link.class_id.in_(class_ids), u.deleted == NOT_DELETED)
            .order_by(link.class_id, link.user_id)
        )
        for class_id, user_id in session.execute(statement):
            found[class_id][name].append(user_id)
    return {
        class_id: Roster(tuple(found[class_id]["teachers"]), tuple(found[class_id]["students"]))
        for class_id in class_ids
    }


def inactive_students(session: Session, tenant_id: int, class_id: str) -> list[str]:
    """The inactive, not deleted students enrolled in the class, in id order."""
    u, e = t.User, t.Enrollment
    statement = (
        select(u.id)
        .join(e, (e.tenant_id == u.tenant_id) & (e.user_id == u.id))
        .where(e.tenant_id == tenant_id, e.class_id == class_id)
        .where(u.kind == STUDENT, u.status == INACTIVE, u.deleted == NOT_DELETED)
        .order_by(u.id)
    )
    return list(session.scalars(statement))


def visible_class_ids(
    session: Session, tenant_id: int, org_ids: Collection[str], user_id: str, *, after: str | None, limit: int
) -> tuple[list[str], str | None]:
    """One page (id order) of the live classes at schools in the subtrees of `org_ids`, or that the user
    teaches or is enrolled in, and the next key: classes' structural visibility (policy/visibility.py)."""
    c = t.SchoolClass
    statement = visible_classes(tenant_id, org_ids, user_id)
    if after is not None:
        statement = statement.where(c.id > after)
    ids = list(session.scalars(statement.order_by(c.id).limit(limit + 1)))
    if len(ids) > limit:
        return ids[:limit], ids[limit - 1]
    return ids, None


def visible_classes(tenant_id: int, org_ids: Collection[str], user_id: str) -> Select[str]:
    """The ids of the classes `visible_class_ids` pages through."""
    c, closure = t.SchoolClass, t.OrgClosure
    below = select(closure.descendant_id).where(
        closure.tenant_id == tenant_id, closure.ancestor_id.in_(org_ids)
    )
    linked = union(
        select(t.Teaching.class_id).where(t.Teaching.tenant_id == tenant_id, t.Teaching.user_id == user_id),
        select(t.Enrollment.class_id).where(
            t.Enrollment.tenant_id == tenant_id, t.Enrollment.user_id == user_id
        ),
    )
    return select(c.id).where(
        c.tenant_id == tenant_id,
        c.deleted == NOT_DELETED,
        or_(c.school_id.in_(below), c.id.in_(linked.subquery().select())),
    )
