"""Write a policy World into a new tenant: the scenario SQL engine, the tests and demo data use it.

The world is validated with the policy's own rules (model.md 13) before anything is written; an invalid
world raises InvalidWorld with every problem and writes nothing. Rows go in dependency order so every
composite foreign key holds at once; `created_by` links among users are set after all users exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from homeroom.errors import InvalidWorld
from homeroom.policy.profiles import Profile
from homeroom.policy.validation import validate_world
from homeroom.policy.world import CustomRole as CustomRoleValue
from homeroom.policy.world import Org, SchoolClass, Thing, User, World
from homeroom.store import reach
from homeroom.store import tables as t
from homeroom.store.tenants import advance_revision, create_tenant

Row = dict[str, Any]


def write_world(session: Session, world: World, profile: Profile, *, tenant: str) -> int:
    """Validate `world` and write it as the new tenant `tenant`; return the tenant id."""
    problems = validate_world(world, profile)
    if problems:
        raise InvalidWorld(problems)
    tenant_id = create_tenant(session, tenant, profile.id)
    users = list(world.users.values())
    assessments = [x for x in world.things.values() if x.type == "assessment"]
    others = [x for x in world.things.values() if x.type != "assessment"]
    batches: list[tuple[type[t.Base], Iterable[Row]]] = [
        (t.Org, (org_row(tenant_id, o) for o in parents_first(world.orgs))),
        (t.OrgClosure, closure_rows(tenant_id, world.orgs)),
        (t.SchoolGroupMember, _member_rows(tenant_id, world.orgs.values())),
        (t.User, (user_row(tenant_id, u, created_by=False) for u in users)),
        (t.SchoolClass, (class_row(tenant_id, c) for c in world.classes.values())),
        (t.CustomRole, (_custom_role_row(tenant_id, r) for r in world.custom_roles.values())),
        (t.CustomRoleGrant, _grant_rows(tenant_id, world.custom_roles.values())),
        (t.Assessment, (_assessment_row(tenant_id, a) for a in assessments)),
        (t.Thing, (_thing_row(tenant_id, x) for x in others)),
        *link_batches(tenant_id, users),
        (t.Setting, _setting_rows(tenant_id, world)),
    ]
    for table, rows in batches:
        materialized = list(rows)
        if materialized:
            session.execute(insert(table), materialized)
    _set_creators(session, tenant_id, users)
    reach.fill(session, tenant_id)
    advance_revision(session, tenant_id)
    return tenant_id


def parents_first(orgs: Mapping[str, Org]) -> list[Org]:
    """Orgs ordered so that every parent comes before its children."""
    return sorted(orgs.values(), key=lambda org: len(_chain(org.id, orgs)))


def _chain(org_id: str, orgs: Mapping[str, Org]) -> list[str]:
    """The org and its ancestors, nearest first (validated worlds have no cycles)."""
    chain: list[str] = []
    current: str | None = org_id
    while current is not None and current in orgs and current not in chain:
        chain.append(current)
        current = orgs[current].parent
    return chain


def closure_rows(tenant_id: int, orgs: Mapping[str, Org]) -> Iterator[Row]:
    for org_id in orgs:
        for depth, ancestor in enumerate(_chain(org_id, orgs)):
            yield {"tenant_id": tenant_id, "descendant_id": org_id, "ancestor_id": ancestor, "depth": depth}


def org_row(tenant_id: int, org: Org, source_id: str | None = None) -> Row:
    return {
        "tenant_id": tenant_id,
        "id": org.id,
        "kind": org.kind,
        "parent_id": org.parent,
        "deleted": org.deleted,
        "source_id": source_id,
    }


def _member_rows(tenant_id: int, orgs: Iterable[Org]) -> Iterator[Row]:
    for org in orgs:
        for position, school in enumerate(org.schools):
            yield {"tenant_id": tenant_id, "group_id": org.id, "school_id": school, "position": position}


def user_row(tenant_id: int, user: User, *, created_by: bool = True, source_id: str | None = None) -> Row:
    return {
        "tenant_id": tenant_id,
        "id": user.id,
        "kind": user.kind,
        "status": user.status,
        "deleted": user.deleted,
        "created_by": user.created_by if created_by else None,
        "source_id": source_id,
    }


def class_row(tenant_id: int, school_class: SchoolClass, source_id: str | None = None) -> Row:
    return {
        "tenant_id": tenant_id,
        "id": school_class.id,
        "school_id": school_class.school,
        "status": school_class.status,
        "deleted": school_class.deleted,
        "created_by": school_class.created_by,
        "source_id": source_id,
    }


def link_batches(tenant_id: int, users: list[User]) -> list[tuple[type[t.Base], Iterable[Row]]]:
    """A user's home orgs, role assignments, teaching assignments and enrollments, in given order."""

    def rows(field: str, key: str) -> Iterator[Row]:
        for user in users:
            for position, value in enumerate(getattr(user, field)):
                yield {"tenant_id": tenant_id, "user_id": user.id, key: value, "position": position}

    roles = (
        {"tenant_id": tenant_id, "user_id": u.id, "role": a.role, "org_id": a.org, "position": i}
        for u in users
        for i, a in enumerate(u.roles)
    )
    return [
        (t.UserOrg, rows("orgs", "org_id")),
        (t.RoleAssignment, roles),
        (t.Teaching, rows("teaches", "class_id")),
        (t.Enrollment, rows("enrolled_in", "class_id")),
    ]


def _custom_role_row(tenant_id: int, role: CustomRoleValue) -> Row:
    return {
        "tenant_id": tenant_id,
        "id": role.id,
        "org_id": role.org,
        "rank": role.rank,
        "deleted": role.deleted,
        "created_by": role.created_by,
    }


def _grant_rows(tenant_id: int, roles: Iterable[CustomRoleValue]) -> Iterator[Row]:
    for role in roles:
        for position, (permission, scope) in enumerate(role.grants):
            yield {
                "tenant_id": tenant_id,
                "role_id": role.id,
                "position": position,
                "permission": permission,
                "scope": scope,
            }


def _assessment_row(tenant_id: int, thing: Thing) -> Row:
    return {
        "tenant_id": tenant_id,
        "id": thing.id,
        "kind": thing.kind,
        "number": thing.number,
        "student_id": thing.student,
        "deleted": thing.deleted,
        "created_by": thing.created_by,
    }


def _thing_row(tenant_id: int, thing: Thing) -> Row:
    return {
        "tenant_id": tenant_id,
        "id": thing.id,
        "type": thing.type,
        "org_id": thing.org,
        "deleted": thing.deleted,
        "created_by": thing.created_by,
        "published": thing.published,
        "recipient_id": thing.recipient,
        "source_id": None,
    }


def _setting_rows(tenant_id: int, world: World) -> Iterator[Row]:
    orgs = set(world.settings) | set(world.locks)
    for org_id in sorted(orgs):
        values = world.settings.get(org_id, {})
        locks = world.locks.get(org_id, frozenset())
        for key in sorted(set(values) | set(locks)):
            yield {
                "tenant_id": tenant_id,
                "org_id": org_id,
                "key": key,
                "value": json.dumps(values[key]) if key in values else None,
                "is_set": key in values,
                "locked": key in locks,
            }


def _set_creators(session: Session, tenant_id: int, users: list[User]) -> None:
    links = [
        {"tenant_id": tenant_id, "id": u.id, "created_by": u.created_by}
        for u in users
        if u.created_by is not None
    ]
    if links:
        session.execute(update(t.User), links)
