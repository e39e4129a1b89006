"""Student records as documents show them (names, usernames, schools, classes), and the students an export
may contain.

`exportable_students` is the SQL twin of the policy narrowed to a target: the students the actor may view
and may export (two twin statements, model.md 7 in SQL) that lie within an org's subtree, are enrolled in
a class, or are the one student named. It is built once per export and paged in id order, so an export
never loads more than one page of ids and rows at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import Session

from homeroom.errors import InvalidInput, NotFound
from homeroom.policy.profiles import Profile
from homeroom.policy.world import NOT_DELETED, STUDENT, Ref
from homeroom.store import tables as t
from homeroom.store import twin
from homeroom.store.anchors import under, user_anchored
from homeroom.store.constraints import Request


@dataclass(frozen=True)
class Named:
    id: str
    name: str  # the stored name, or the id when none was given

    @classmethod
    def of(cls, object_id: str, name: str | None) -> Named:
        return cls(object_id, name or object_id)


@dataclass(frozen=True)
class StudentRecord:
    id: str
    username: str | None
    given_name: str
    family_name: str
    email: str | None
    status: str
    schools: tuple[Named, ...]  # home orgs, in their stored order
    classes: tuple[Named, ...]  # live classes enrolled in, in their stored order

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or self.id


@dataclass(frozen=True)
class Person:
    id: str
    username: str | None
    name: str


def student_records(session: Session, tenant_id: int, ids: Sequence[str]) -> list[StudentRecord]:
    """The live students among `ids`, in the order of `ids` (three queries, whatever their number)."""
    if not ids:
        return []
    u = t.User
    rows = {
        r.id: r
        for r in session.scalars(
            select(u).where(
                u.tenant_id == tenant_id, u.id.in_(ids), u.kind == STUDENT, u.deleted == NOT_DELETED
            )
        )
    }
    schools, classes = _schools(session, tenant_id, ids), _classes(session, tenant_id, ids)
    return [
        StudentRecord(
            r.id,
            r.username,
            r.given_name,
            r.family_name,
            r.email,
            r.status,
            tuple(schools[r.id]),
            tuple(classes[r.id]),
        )
        for r in (rows.get(i) for i in dict.fromkeys(ids))
        if r is not None
    ]


def _schools(session: Session, tenant_id: int, ids: Sequence[str]) -> dict[str, list[Named]]:
    uo, o = t.UserOrg, t.Org
    statement = (
        select(uo.user_id, o.id, o.name)
        .join(o, (o.tenant_id == uo.tenant_id) & (o.id == uo.org_id))
        .where(uo.tenant_id == tenant_id, uo.user_id.in_(ids))
        .order_by(uo.user_id, uo.position)
    )
    found: dict[str, list[Named]] = defaultdict(list)
    for user_id, org_id, name in session.execute(statement):
        found[user_id].append(Named.of(org_id, name))
    return found


def _classes(session: Session, tenant_id: int, ids: Sequence[str]) -> dict[str, list[Named]]:
    e, c = t.Enrollment, t.SchoolClass
    statement = (
        select(e.user_id, c.id, c.name)
        .join(c, (c.tenant_id == e.tenant_id) & (c.id == e.class_id))
        .where(e.tenant_id == tenant_id, e.user_id.in_(ids), c.deleted == NOT_DELETED)
        .order_by(e.user_id, e.position)
    )
    found: dict[str, list[Named]] = defaultdict(list)
    for user_id, class_id, name in session.execute(statement):
        found[user_id].append(Named.of(class_id, name))
    return found


@dataclass(frozen=True)
class ClassSheet:
    """A class as a printed roster heads it."""

    id: str
    name: str
    school: Named
    teachers: tuple[Person, ...]
    student_ids: tuple[str, ...]  # live students enrolled, in id order


def class_sheet(session: Session, tenant_id: int, class_id: str) -> ClassSheet:
    c, o = t.SchoolClass, t.Org
    found = session.execute(
        select(c.name, o.id, o.name)
        .join(o, (o.tenant_id == c.tenant_id) & (o.id == c.school_id))
        .where(c.tenant_id == tenant_id, c.id == class_id)
    ).first()
    if found is None:
        raise NotFound(f"there is no class {class_id!r}", code="class_not_found", details={"id": class_id})
    u, e, te = t.User, t.Enrollment, t.Teaching
    students = session.scalars(
        select(u.id)
        .join(e, (e.tenant_id == u.tenant_id) & (e.user_id == u.id))
        .where(e.tenant_id == tenant_id, e.class_id == class_id, u.kind == STUDENT, u.deleted == NOT_DELETED)
        .order_by(u.id)
    )
    teachers = session.execute(
        select(u.id, u.username, u.given_name, u.family_name)
        .join(te, (te.tenant_id == u.tenant_id) & (te.user_id == u.id))
        .where(te.tenant_id == tenant_id, te.class_id == class_id, u.deleted == NOT_DELETED)
        .order_by(te.position, u.id)
    )
    return ClassSheet(
        class_id,
        found[0] or class_id,
        Named.of(found[1], found[2]),
        tuple(Person(i, name, " ".join(p for p in (g, f) if p) or i) for i, name, g, f in teachers),
        tuple(students),
    )


def exportable_students(
    session: Session, tenant_id: int, profile: Profile, *, actor: str, permissions: Sequence[str], within: Ref
) -> Select[str]:
    """The ids of the students within `within` on which the actor holds every one of `permissions`."""
    statements = [
        twin.accessible(session, tenant_id, profile, Request(actor, p, "user")) for p in permissions
    ]
    first = statements[0]
    column = first.selected_columns[0]
    narrowed = first.where(*(column.in_(other) for other in statements[1:]))
    return narrowed.where(_within(tenant_id, within, column))


def _within(tenant_id: int, within: Ref, column: ColumnElement[str]) -> ColumnElement[bool]:
    if within.type == "org":
        return user_anchored(column, tenant_id, under(tenant_id, within.id))
    if within.type == "class":
        e = t.Enrollment
        return exists().where(e.tenant_id == tenant_id, e.user_id == column, e.class_id == within.id)
    if within.type == "user":
        return column == within.id
    raise InvalidInput(
        f"students lie within an org, a class or a user, not a {within.type}", code="bad_target"
    )


def ids_after(session: Session, statement: Select[str], *, after: str | None, limit: int) -> list[str]:
    """One keyset page of `statement`'s ids in id order: those greater than `after`, at most `limit`."""
    column = statement.selected_columns[0]
    if after is not None:
        statement = statement.where(column > after)
    return list(session.scalars(statement.order_by(column).limit(limit)))
