"""SQL for the places of objects in the tree (model.md 3) and for the scopes over them (model.md 6).

`Target` describes the rows of one object type under an alias, so subqueries never correlate with it by
accident. `anchored(target, tenant_id, at)` is "some anchor of the target row satisfies `at`", written as
one EXISTS per anchor source (home orgs, role assignments, schools of live enrolled or taught classes),
each served by a (tenant_id, user_id, ...) primary key and a closure-table probe.

`candidates(...)` reads the same facts from the other side: the ids of users a scope can admit, from the
(tenant_id, org_id | class_id, user_id) indexes. Where a scope's population is bounded (a school, a
teacher's classes, one org), a list can start from these few ids instead of walking every user.

"Some anchor of a user lies in subtree(root)" is read from the user reach table (store/reach.py), which
holds every ancestor of every anchor: one probe of its key (`reaches`), or, from the other side, the range
of its (tenant, org, kind, user) index (`reached_from`), for users and the users assessments and
notifications belong to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Exists,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from homeroom.policy.world import PURGED, STUDENT, Org
from homeroom.store import tables as t

OrgTest = Callable[[Any], ColumnElement[bool]]
SCHOOL = "school"
# Users other than the target, inside EXISTS; module-level, so their columns are adapted once.
_STUDENT = aliased(t.User, name="student")
_LIVE_USER = aliased(t.User, name="live_user")


@dataclass(frozen=True)
class Target:
    """The rows of one object type, aliased as `target`."""

    type: str
    entity: Any
    kind: Any
    created_by: Any | None

    @property
    def id(self) -> ColumnElement[str]:
        return cast("ColumnElement[str]", self.entity.id)

    @property
    def deleted(self) -> Any:
        return self.entity.deleted

    @property
    def tenant_id(self) -> Any:
        return self.entity.tenant_id

    def rows(self, tenant_id: int) -> ColumnElement[bool]:
        """The target rows of this tenant and type (the objects table holds many types)."""
        if self.type in ("org", "class", "user", "role", "assessment"):
            return cast("ColumnElement[bool]", self.entity.tenant_id == tenant_id)
        return and_(self.entity.tenant_id == tenant_id, self.entity.type == self.type)


@cache  # one alias per type, reused: an alias adapts each column once, on first use, at some cost
def target_for(type_: str) -> Target:
    if type_ == "org":
        org = aliased(t.Org, name="target")
        return Target(type_, org, org.kind, None)
    if type_ == "class":
        school_class = aliased(t.SchoolClass, name="target")
        return Target(type_, school_class, literal(None), school_class.created_by)
    if type_ == "user":
        user = aliased(t.User, name="target")
        return Target(type_, user, user.kind, user.created_by)
    if type_ == "role":
        role = aliased(t.CustomRole, name="target")
        return Target(type_, role, literal("custom"), role.created_by)
    if type_ == "assessment":
        assessment = aliased(t.Assessment, name="target")
        return Target(type_, assessment, assessment.kind, assessment.created_by)
    thing = aliased(t.Thing, name="target")
    return Target(type_, thing, literal(None), thing.created_by)


def under(tenant_id: int, root: str) -> OrgTest:
    """The org column lies in subtree(root): one probe of the closure's (tenant, descendant, ancestor) key.

    A probe per row, not `column IN (subtree)`: next to a user's links, an IN list of a district's orgs
    makes SQLite probe the (tenant, org_id, user_id) index once per org for every user it tests.
    """

    def test(column: Any) -> ColumnElement[bool]:
        c = t.OrgClosure  # never in the FROM of an enclosing select, so it cannot correlate by accident
        return probe(c.tenant_id == tenant_id, c.descendant_id == column, c.ancestor_id == root)

    return test


def probe(*criteria: ColumnElement[bool]) -> Exists:
    """EXISTS (SELECT 1 ...): unlike SELECT *, it lets SQLite answer from a covering index."""
    return exists(literal_column("1")).where(*criteria)


def subtree_orgs(tenant_id: int, root: str) -> OrgTest:
    """The org column is one of subtree(root), read from the closure's (tenant, ancestor, ...) index."""
    c = t.OrgClosure
    below = select(c.descendant_id).where(c.tenant_id == tenant_id, c.ancestor_id == root)
    return lambda column: column.in_(below)


def reaches(user_id: Any, tenant_id: int, root: str) -> Exists:
    """Some anchor of the user lies in subtree(root): one probe of user_reach's (tenant, user, org) key."""
    r = t.UserReach  # never in the FROM of an enclosing select (the twin's pages alias it)
    return probe(r.tenant_id == tenant_id, r.user_id == user_id, r.org_id == root)


def reached_from(tenant_id: int, root: str) -> Select[Any]:
    """The ids of the users with an anchor in subtree(root), from user_reach's (tenant, org, ...) index."""
    r = t.UserReach
    return select(r.user_id).where(r.tenant_id == tenant_id, r.org_id == root)


def equals(org_id: str) -> OrgTest:
    return lambda column: column == org_id


def anchored(target: Target, tenant_id: int, test: OrgTest) -> ColumnElement[bool]:
    """Some anchor of the target row passes `test` (model.md 3; purged links anchor nothing, 14.5)."""
    entity = target.entity
    if target.type == "org":
        return test(entity.id)
    if target.type == "class":
        return test(entity.school_id)
    if target.type == "user":
        return user_anchored(entity.id, tenant_id, test)
    if target.type == "assessment":
        return _live_user_anchored(entity.student_id, tenant_id, test)
    if target.type == "notification":
        return and_(
            entity.recipient_id.is_not(None), _live_user_anchored(entity.recipient_id, tenant_id, test)
        )
    return and_(entity.org_id.is_not(None), test(entity.org_id))


def user_anchored(user_id: Any, tenant_id: int, test: OrgTest) -> ColumnElement[bool]:
    """anchors(user) = home orgs + assignment orgs + schools of live classes enrolled in or taught."""
    parts: list[ColumnElement[bool]] = [
        probe(link.tenant_id == tenant_id, link.user_id == user_id, test(link.org_id))
        for link in (t.UserOrg, t.RoleAssignment)
    ]
    for link in (t.Enrollment, t.Teaching):
        c = t.SchoolClass
        parts.append(
            probe(
                link.tenant_id == tenant_id,
                link.user_id == user_id,
                c.tenant_id == tenant_id,
                c.id == link.class_id,
                c.deleted != PURGED,
                test(c.school_id),
            )
        )
    return or_(*parts)


def _live_user_anchored(user_id: Any, tenant_id: int, test: OrgTest) -> ColumnElement[bool]:
    return and_(_live_user(user_id, tenant_id), user_anchored(user_id, tenant_id, test))


def _live_user(user_id: Any, tenant_id: int) -> Exists:
    u = _LIVE_USER
    return probe(u.tenant_id == tenant_id, u.id == user_id, u.deleted != PURGED)


def in_subtree(target: Target, tenant_id: int, root: str) -> ColumnElement[bool]:
    """Some anchor of the target row lies in subtree(root) (`anchored(..., under(root))`): for users, and
    the students and recipients of assessments and notifications, one probe of the user reach table."""
    entity = target.entity
    if target.type == "user":
        return reaches(entity.id, tenant_id, root)
    if target.type == "assessment":
        return and_(_live_user(entity.student_id, tenant_id), reaches(entity.student_id, tenant_id, root))
    if target.type == "notification":
        recipient = entity.recipient_id
        live = _live_user(recipient, tenant_id)
        return and_(recipient.is_not(None), live, reaches(recipient, tenant_id, root))
    return anchored(target, tenant_id, under(tenant_id, root))


def taught_students(user_id: Any, tenant_id: int, classes: Collection[str]) -> ColumnElement[bool]:
    """`user_id` is a live student enrolled in one of `classes` (the actor's live classes under the root)."""
    if not classes:
        return false()
    u, e = _STUDENT, t.Enrollment
    return probe(
        u.tenant_id == tenant_id,
        u.id == user_id,
        u.kind == STUDENT,
        u.deleted != PURGED,
        e.tenant_id == tenant_id,
        e.user_id == user_id,
        e.class_id.in_(classes),
    )


def scope_covers(
    target: Target, tenant_id: int, scope: str, *, actor: str, root: Org, classes: Collection[str]
) -> ColumnElement[bool]:
    """One atomic scope of model.md 6 for the assignment rooted at `root`, as a condition on target rows.

    Users of a bounded population are `target.id IN (candidates)`, so the database can start from them:
    `org`: the anchors read from the link tables' org and class indexes; `subtree` of a school: the
    school's range of the user reach table.
    """
    if target.type == "user" and scope == "org":
        return target.id.in_(union_all(*anchored_users(tenant_id, equals(root.id))))
    if target.type == "user" and scope == "subtree" and root.kind == SCHOOL:
        return target.id.in_(reached_from(tenant_id, root.id))
    if scope == "subtree":
        return in_subtree(target, tenant_id, root.id)
    if scope == "org":
        return anchored(target, tenant_id, equals(root.id))
    if scope == "assigned":
        return _assigned(target, tenant_id, classes)
    if scope == "self":
        if target.type == "user":
            return target.id == actor
        return target.entity.recipient_id == actor if target.type == "notification" else false()
    if target.created_by is None:
        return false()
    return and_(target.created_by == actor, in_subtree(target, tenant_id, root.id))


def candidates(
    target: Target, tenant_id: int, scope: str, *, actor: str, root: Org, classes: Collection[str]
) -> list[Select[Any]] | None:
    """Selects whose union holds every user target `scope_covers` admits (and maybe more), read from the
    anchor indexes; None when the scope is not bounded (`subtree` below a root that is not a school) or
    the target is not a user."""
    if target.type != "user":
        return None
    if scope == "self":
        return [select(literal(actor))]
    if scope == "assigned":
        return [_enrolled(tenant_id, classes)]
    if scope == "created":
        u = t.User
        return [select(u.id).where(u.tenant_id == tenant_id, u.created_by == actor)]
    if scope == "org":
        return anchored_users(tenant_id, equals(root.id))
    if scope == "subtree" and root.kind == SCHOOL:
        return [reached_from(tenant_id, root.id)]
    return None


def _enrolled(tenant_id: int, classes: Collection[str]) -> Select[Any]:
    e = t.Enrollment
    return select(e.user_id).where(e.tenant_id == tenant_id, e.class_id.in_(classes) if classes else false())


def anchored_users(tenant_id: int, test: OrgTest) -> list[Select[Any]]:
    """Selects of the ids of users with an anchor passing `test` (repeats included), one per anchor
    source, each driven by the (tenant, org_id | class_id, user_id) index of its link table."""
    c = t.SchoolClass
    live = select(c.id).where(c.tenant_id == tenant_id, c.deleted != PURGED, test(c.school_id))
    uo, ra, e, tt = t.UserOrg, t.RoleAssignment, t.Enrollment, t.Teaching
    return [
        select(uo.user_id).where(uo.tenant_id == tenant_id, test(uo.org_id)),
        select(ra.user_id).where(ra.tenant_id == tenant_id, test(ra.org_id)),
        select(e.user_id).where(e.tenant_id == tenant_id, e.class_id.in_(live)),
        select(tt.user_id).where(tt.tenant_id == tenant_id, tt.class_id.in_(live)),
    ]


def enrolled_student(target: Target) -> ColumnElement[bool]:
    """`assigned` on a user row known to be enrolled in one of the classes: the rest of the test."""
    return and_(target.kind == STUDENT, target.deleted != PURGED)


def _assigned(target: Target, tenant_id: int, classes: Collection[str]) -> ColumnElement[bool]:
    if not classes:
        return false()
    if target.type == "class":
        return target.id.in_(classes)
    if target.type == "user":  # the target row is the student; its enrollments drive the list
        return and_(enrolled_student(target), target.id.in_(_enrolled(tenant_id, classes)))
    if target.type == "assessment":
        return taught_students(target.entity.student_id, tenant_id, classes)
    return false()


def setting_is_true(org_id: Any, tenant_id: int, key: str, default: object) -> ColumnElement[bool]:
    """effective(org, key) is true (model.md 10, locks included): nearest value at or above the top lock."""
    c, s = aliased(t.OrgClosure), aliased(t.Setting)
    lock_depth = (
        select(func.coalesce(func.max(c.depth), 0))
        .where(c.tenant_id == tenant_id, c.descendant_id == org_id)
        .where(s.tenant_id == tenant_id, s.org_id == c.ancestor_id, s.key == key, s.locked == true())
        .scalar_subquery()
    )
    c2, s2 = aliased(t.OrgClosure), aliased(t.Setting)
    nearest = (
        select(s2.value)
        .where(c2.tenant_id == tenant_id, c2.descendant_id == org_id, c2.depth >= lock_depth)
        .where(s2.tenant_id == tenant_id, s2.org_id == c2.ancestor_id, s2.key == key, s2.is_set == true())
        .order_by(c2.depth)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(nearest, json.dumps(default)) == json.dumps(obj=True)
