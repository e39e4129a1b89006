"""Lists that walk the user reach table: page by page, exactly what decide() allows, on both databases.

The generated tiny tenant (bench/generate.py) has what the reach must get right: students enrolled at a
second school of their district, purged classes (which anchor nothing), soft-deleted, purged and inactive
accounts. Administrators' lists of one kind of user walk the reach of their org; a teacher's stays driven
by the students of the classes taught.
"""

from __future__ import annotations

import pytest
from bench.generate import generate
from sqlalchemy.orm import Session
from store_helpers import store_world

from homeroom.policy import decide, registry
from homeroom.policy.facts import Facts
from homeroom.policy.world import Check, Ref
from homeroom.store.constraints import Request
from homeroom.store.twin import page, page_statement

pytestmark = pytest.mark.db
PERMISSIONS = ("student.edit", "student.view", "staff.edit", "staff.view")


def _walk(session: Session, tenant_id: int, request: Request) -> list[str]:
    got: list[str] = []
    after: str | None = None
    while True:
        current = page(session, tenant_id, registry.profile("math"), request, after=after, limit=7)
        got += current.ids
        if current.next_after is None:
            return got
        after = current.next_after


def test_reach_walks_give_exactly_what_decide_allows(session: Session) -> None:
    tenant = generate("tiny")
    math = registry.profile("math")
    tenant_id = store_world(session, tenant.world, math)
    facts = Facts(tenant.world, math)
    teacher = next(t for t in tenant.teachers_by_school[tenant.schools[0]] if tenant.world.users[t].teaches)
    actors = [tenant.customer_admins[0], tenant.district_admins[0], tenant.school_admins[0], teacher]
    for actor in actors:
        for permission in PERMISSIONS:
            expected = [
                u
                for u in sorted(tenant.world.users)
                if decide(Check(actor, permission, Ref("user", u)), facts).allowed
            ]
            assert _walk(session, tenant_id, Request(actor, permission, "user")) == expected, (
                actor,
                permission,
            )


def _walks_the_reach(session: Session, tenant_id: int, actor: str, permission: str) -> bool:
    statement = page_statement(
        session, tenant_id, registry.profile("math"), Request(actor, permission, "user")
    )
    return "user_reach AS reach" in str(statement)


def test_administrators_walk_the_reach_and_teachers_stay_driven(session: Session) -> None:
    tenant = generate("tiny")
    tenant_id = store_world(session, tenant.world, registry.profile("math"))
    for admin in (tenant.customer_admins[0], tenant.district_admins[0], tenant.school_admins[0]):
        assert _walks_the_reach(session, tenant_id, admin, "student.edit"), admin
    teacher = tenant.teachers_by_school[tenant.schools[0]][0]
    assert not _walks_the_reach(session, tenant_id, teacher, "student.edit")
