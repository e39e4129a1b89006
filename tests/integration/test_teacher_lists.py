"""A teacher's lists of students merge the enrollment ranges of the classes taught (store/merges.py):
page by page, in id order, exactly what decide() allows, on both databases.

The world has what the merge must get right: students in several classes of one teacher (each listed
once), students only in a purged class (not the teacher's), inactive, soft-deleted and purged students,
staff at the school, a teacher of no class, and a teacher with roles at two schools (whose lists keep
the full `assigned` test of each role in the probe).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from store_helpers import store_world

from homeroom.policy import decide, registry
from homeroom.policy.facts import Facts
from homeroom.policy.world import Assignment, Check, Org, Ref, SchoolClass, User, World
from homeroom.store.constraints import Request
from homeroom.store.twin import page, page_statement

pytestmark = pytest.mark.db
PERMISSIONS = ("student.edit", "student.view", "student.delete_inactive", "student.print_card")
TEACHERS = ("t0", "t1", "t2", "t3")
# Enrollments by student: shared between k0 and k1, in the purged k2 only, at the other school (k4).
ENROLLED = {
    0: ("k0",), 1: ("k0", "k1"), 2: ("k1",), 3: ("k2",), 4: ("k0", "k2"), 5: ("k3",), 6: ("k4",),
    7: ("k1", "k3"), 8: ("k0", "k1", "k3"), 9: ("k4", "k0"), 10: ("k1",), 11: ("k2", "k4"), 12: (),
}  # fmt: skip
STATES = {1: ("inactive", "none"), 4: ("active", "soft"), 7: ("active", "purged"), 10: ("inactive", "soft")}


def _world() -> World:
    orgs = {
        "c0": Org("c0", "customer"),
        "d0": Org("d0", "district", "c0"),
        "s0": Org("s0", "school", "d0"),
        "s1": Org("s1", "school", "d0"),
    }
    classes = {
        "k0": SchoolClass("k0", "s0"),
        "k1": SchoolClass("k1", "s0"),
        "k2": SchoolClass("k2", "s0", deleted="purged"),
        "k3": SchoolClass("k3", "s0", deleted="soft"),
        "k4": SchoolClass("k4", "s1"),
    }
    users = {
        "t0": User(
            "t0",
            "staff",
            orgs=("s0",),
            roles=(Assignment("teacher", "s0"),),
            teaches=("k0", "k1", "k2", "k3"),
        ),
        "t1": User(
            "t1",
            "staff",
            orgs=("s0", "s1"),
            roles=(Assignment("teacher", "s0"), Assignment("teacher", "s1")),
            teaches=("k1", "k4"),
        ),
        "t2": User("t2", "staff", orgs=("s0",), roles=(Assignment("teacher", "s0"),)),
        "t3": User("t3", "staff", orgs=("s1",), roles=(Assignment("teacher", "s1"),), teaches=("k4",)),
        "x0": User("x0", "staff", orgs=("s0",)),
    }
    for number, enrolled in ENROLLED.items():
        status, deleted = STATES.get(number, ("active", "none"))
        school = "s1" if enrolled and enrolled[0] == "k4" else "s0"
        user_id = f"u{number:02d}"
        users[user_id] = User(user_id, "student", status, deleted, orgs=(school,), enrolled_in=enrolled)
    return World(orgs=orgs, classes=classes, users=users)


def _allowed(world: World, actor: str, permission: str) -> list[str]:
    facts = Facts(world, registry.profile("math"))
    return [u for u in sorted(world.users) if decide(Check(actor, permission, Ref("user", u)), facts).allowed]


def _walk(session: Session, tenant_id: int, request: Request, limit: int) -> list[str]:
    got: list[str] = []
    after: str | None = None
    while True:
        current = page(session, tenant_id, registry.profile("math"), request, after=after, limit=limit)
        assert len(current.ids) <= limit
        got += current.ids
        if current.next_after is None:
            return got
        after = current.next_after


def test_teacher_lists_page_exactly_what_decide_allows(session: Session) -> None:
    world = _world()
    tenant_id = store_world(session, world, registry.profile("math"))
    for actor in TEACHERS:
        for permission in PERMISSIONS:
            expected = _allowed(world, actor, permission)
            for limit in (1, 2, 3, 50):
                got = _walk(session, tenant_id, Request(actor, permission, "user"), limit)
                assert got == expected, (actor, permission, limit)
    # inactive u01 and u05 of the soft-deleted k3 are listed; u03 (only in the purged k2) is not
    assert _allowed(world, "t0", "student.edit") == ["u00", "u01", "u02", "u05", "u08", "u09"]
    assert _allowed(world, "t1", "student.edit") == ["u01", "u02", "u06", "u08", "u09", "u11"]


def test_pages_after_a_given_id(session: Session) -> None:
    world = _world()
    tenant_id = store_world(session, world, registry.profile("math"))
    math = registry.profile("math")
    for actor in ("t0", "t1"):
        request = Request(actor, "student.edit", "user")
        expected = _allowed(world, actor, "student.edit")
        for after in ("", "u00", "u01", "u05", "u08", "u085", "u11", "u99"):
            rest = [u for u in expected if u > after]
            found = page(session, tenant_id, math, request, after=after, limit=2)
            assert list(found.ids) == rest[:2], (actor, after)
            assert found.next_after == (rest[1] if len(rest) > 2 else None), (actor, after)


def test_teacher_pages_merge_the_classes(session: Session) -> None:
    world = _world()
    tenant_id = store_world(session, world, registry.profile("math"))
    math = registry.profile("math")
    for actor in ("t0", "t1"):
        first = page_statement(session, tenant_id, math, Request(actor, "student.edit", "user"), limit=2)
        later = page_statement(
            session, tenant_id, math, Request(actor, "student.edit", "user"), after="u01", limit=2
        )
        assert "enrollments AS taught" in str(first), actor
        rest = [u for u in _allowed(world, actor, "student.edit") if u > "u01"]
        assert session.scalars(later).all() == rest[:3], actor  # a page's statement reads limit + 1
    admin = page_statement(session, tenant_id, math, Request("t0", "class.edit", "class"))
    assert "enrollments AS taught" not in str(admin)
