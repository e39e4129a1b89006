"""SQL for the places of objects in the tree (model.md 3) and for the scopes over them (model.md 6).

`Target` describes the rows of one object type under an alias, so subqueries never correlate with it by
accident. `anchored(target, tenant_id, at)` is "some anchor of the target row satisfies `at`", written as
one EXISTS per anchor source (home orgs, role assignments, schools of live enrolled or taught classes),
each served by a (tenant_id, user_id, ...) primary key and a closure-table probe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from homeroom.policy.world import PURGED, STUDENT
from homeroom.store import tables as t

OrgTest = Callable[[Any], ColumnElement[bool]]


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
    """The org column lies in subtree(root): a closure-table probe on (tenant_id, ancestor_id, ...)."""
    c = t.OrgClosure
    below = select(c.descendant_id).where(c.tenant_id == tenant_id, c.ancestor_id == root)
    return lambda column: column.in_(below)


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
        exists().where(link.tenant_id == tenant_id, link.user_id == user_id, test(link.org_id))
        for link in (t.UserOrg, t.RoleAssignment)
    ]
    for link in (t.Enrollment, t.Teaching):
        c = t.SchoolClass
        parts.append(
            exists()
            .where(link.tenant_id == tenant_id, link.user_id == user_id)
            .where(c.tenant_id == tenant_id, c.id == link.class_id, c.deleted != PURGED, test(c.school_id))
        )
    return or_(*parts)


def _live_user_anchored(user_id: Any, tenant_id: int, test: OrgTest) -> ColumnElement[bool]:
    u = aliased(t.User)
    live = exists().where(u.tenant_id == tenant_id, u.id == user_id, u.deleted != PURGED)
    return and_(live, user_anchored(user_id, tenant_id, test))


def taught_students(user_id: Any, tenant_id: int, classes: Collection[str]) -> ColumnElement[bool]:
    """`user_id` is a live student enrolled in one of `classes` (the actor's live classes under the root)."""
    if not classes:
        return false()
    u, e = aliased(t.User), t.Enrollment
    return exists().where(
        u.tenant_id == tenant_id,
        u.id == user_id,
        u.kind == STUDENT,
        u.deleted != PURGED,
        e.tenant_id == tenant_id,
        e.user_id == user_id,
        e.class_id.in_(classes),
    )


def scope_covers(
    target: Target, tenant_id: int, scope: str, *, actor: str, root: str, classes: Collection[str]
) -> ColumnElement[bool]:
    """One atomic scope of model.md 6 for the assignment rooted at `root`, as a condition on target rows."""
    if scope == "subtree":
        return anchored(target, tenant_id, under(tenant_id, root))
    if scope == "org":
        return anchored(target, tenant_id, equals(root))
    if scope == "assigned":
        return _assigned(target, tenant_id, classes)
    if scope == "self":
        if target.type == "user":
            return target.id == actor
        return target.entity.recipient_id == actor if target.type == "notification" else false()
    if target.created_by is None:
        return false()
    return and_(target.created_by == actor, anchored(target, tenant_id, under(tenant_id, root)))


def _assigned(target: Target, tenant_id: int, classes: Collection[str]) -> ColumnElement[bool]:
    if not classes:
        return false()
    if target.type == "class":
        return target.id.in_(classes)
    if target.type == "user":
        return taught_students(target.id, tenant_id, classes)
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
