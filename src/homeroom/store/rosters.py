"""Add classes and accounts to a tenant, one at a time (the shape rostering imports use).

Each write is checked against the tenant's stored data with the policy's validators before anything is
written: a class at an org that is not a school of this tenant, an assignment the profile does not allow,
a reference to anything outside the tenant (another tenant's objects included), a duplicate id or a
duplicate external id each raise a specific error and leave the tenant untouched.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, InvalidInput
from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.validation import assignment_problem, class_problem, teaching_problem
from homeroom.policy.world import INVITED, STAFF, STUDENT, Ref, SchoolClass, User, World
from homeroom.store import reach
from homeroom.store import tables as t
from homeroom.store.facts import load_world
from homeroom.store.orgs import require_unique_source
from homeroom.store.tenants import advance_revision
from homeroom.store.worlds import class_row, link_batches, user_row


def add_class(
    session: Session, tenant_id: int, school_class: SchoolClass, *, source_id: str | None = None
) -> None:
    """Add a class to a school of the tenant."""
    _require_new(session, t.SchoolClass, tenant_id, school_class.id)
    require_unique_source(session, t.SchoolClass, tenant_id, source_id)
    world = load_world(session, tenant_id, users=(), refs=[Ref("org", school_class.school)])
    problem = class_problem(school_class, world)
    if problem is not None:
        raise InvalidInput(
            f"class {school_class.id!r}: {problem}",
            code="invalid_class_school",
            details={"class": school_class.id, "school": school_class.school},
        )
    _require_user(session, tenant_id, school_class.created_by, "created_by")
    session.execute(insert(t.SchoolClass), [class_row(tenant_id, school_class, source_id)])
    advance_revision(session, tenant_id)


def add_user(
    session: Session, tenant_id: int, user: User, profile: Profile, *, source_id: str | None = None
) -> None:
    """Add an account with its home orgs, role assignments, teaching assignments and enrollments."""
    _require_new(session, t.User, tenant_id, user.id)
    require_unique_source(session, t.User, tenant_id, source_id)
    _require_user(session, tenant_id, user.created_by, "created_by")
    refs = [
        *(Ref("org", o) for o in (*user.orgs, *(a.org for a in user.roles))),
        *(Ref("class", c) for c in (*user.teaches, *user.enrolled_in)),
    ]
    world = load_world(session, tenant_id, users=(), refs=refs, roles=[a.role for a in user.roles])
    problem = user_problem(user, replace(world, users={**world.users, user.id: user}), profile)
    if problem is not None:
        raise InvalidInput(f"user {user.id!r}: {problem}", code="invalid_user", details={"user": user.id})
    session.execute(insert(t.User), [user_row(tenant_id, user, source_id=source_id)])
    for table, rows in link_batches(tenant_id, [user]):
        materialized = list(rows)
        if materialized:
            session.execute(insert(table), materialized)
    reach.refresh(session, tenant_id, [user.id])
    advance_revision(session, tenant_id)


def user_problem(user: User, world: World, profile: Profile) -> str | None:
    """The first way `user` breaks model.md 3, 4 and 13 against the tenant's stored objects."""
    facts = Facts(world, profile)
    missing = [o for o in user.orgs if o not in world.orgs]
    missing += [c for c in user.enrolled_in if c not in world.classes]
    if missing:
        return f"{missing[0]!r} is not an org or class of this tenant"
    if (user.enrolled_in and user.kind != STUDENT) or (user.teaches and user.kind != STAFF):
        return "only students are enrolled in classes and only staff teach them"
    if user.status == INVITED and user.kind != STAFF:
        return "only staff accounts can be invited"
    for assignment in user.roles:
        problem = assignment_problem(user, assignment.role, assignment.org, world, profile, facts)
        if problem is not None:
            return f"role {assignment}: {problem}"
    for class_id in user.teaches:
        problem = teaching_problem(user, class_id, world, facts)
        if problem is not None:
            return f"teaches {class_id!r}: {problem}"
    return None


def _require_new(
    session: Session, table: type[t.User | t.SchoolClass], tenant_id: int, object_id: str
) -> None:
    if session.get(table, (tenant_id, object_id)) is not None:
        raise Conflict(
            f"{table.__tablename__} already holds {object_id!r}",
            code="duplicate_id",
            details={"table": table.__tablename__, "id": object_id},
        )


def _require_user(session: Session, tenant_id: int, user_id: str | None, field: str) -> None:
    if user_id is None:
        return
    found = session.scalar(select(t.User.id).where(t.User.tenant_id == tenant_id, t.User.id == user_id))
    if found is None:
        raise InvalidInput(f"{field}: {user_id!r} is not a user of this tenant", code="invalid_reference")
