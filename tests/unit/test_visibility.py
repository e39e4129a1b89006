"""Visibility: forbidden vs not found. A denial must not reveal an object the actor cannot see."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.personas import facts, maple_valley

from homeroom.policy.facts import Facts
from homeroom.policy.visibility import can_see
from homeroom.policy.world import Ref


@pytest.mark.parametrize(
    ("actor", "target", "expected"),
    [
        ("tomas", "user:sam", True),  # his student: student.view through `assigned`
        ("tomas", "user:sofia", False),  # another teacher's student
        ("tomas", "user:tomas", True),  # himself
        ("priya", "user:sofia", True),  # anyone in her school
        ("priya", "user:omar", False),  # another school
        ("rosa", "user:sam", False),
        ("tomas", "class:math4a", True),  # teaches it
        ("tomas", "class:alg7", False),  # another school's class
        ("priya", "class:math4b", True),  # in her school
        ("tomas", "org:lincoln", True),  # his school
        ("tomas", "org:maple", True),  # the district above it
        ("tomas", "org:roosevelt", False),  # a sibling school
        ("dana", "org:roosevelt", True),
        ("sam", "class:math4a", True),  # enrolled in it
        ("sam", "user:sofia", False),
        ("ghost", "org:lincoln", False),  # no such actor
        ("dana", "user:nobody", False),  # no such object
    ],
)
def test_visibility_in_maple_valley(actor: str, target: str, expected: bool) -> None:
    type_, _, id_ = target.partition(":")
    assert can_see(facts(), actor, Ref(type_, id_)) is expected


def test_staff_visibility_follows_the_view_permission() -> None:
    # math has staff.view implied by staff.edit: a teacher does not see a fellow teacher
    assert can_see(facts(), "tomas", Ref("user", "tara")) is False
    assert can_see(facts(), "priya", Ref("user", "tara")) is True


def test_soft_deleted_objects_are_structurally_invisible() -> None:
    world = maple_valley()
    world = replace(world, orgs={**world.orgs, "lincoln": replace(world.orgs["lincoln"], deleted="soft")})
    assert can_see(facts(world), "dana", Ref("org", "lincoln")) is False


def test_accounts_without_a_view_permission_fall_back_to_the_tree() -> None:
    base = facts()
    views = {"student.view", "student.edit", "staff.view", "staff.edit"}
    profile = replace(
        base.profile, permissions={k: v for k, v in base.profile.permissions.items() if k not in views}
    )
    bare = Facts(base.world, profile)
    assert can_see(bare, "priya", Ref("user", "sofia")) is True  # anchored in her school
    assert can_see(bare, "tomas", Ref("user", "omar")) is False  # another school
