"""The SQL twin agrees with decide(): every scenario check, and every list page by page, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from store_helpers import SCENARIO_FILES, scenario_id, store_world

from homeroom.policy import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import Check, Ref, World
from homeroom.scenarios.files import load_scenario
from homeroom.store.constraints import Request
from homeroom.store.twin import accessible, allows, page

pytestmark = pytest.mark.db
LISTED = ("user.view", "student.view", "staff.view", "org.view", "class.view", "student.edit", "staff.edit")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=scenario_id)
def test_every_scenario_check_through_the_twin(path: Path, session: Session) -> None:
    scenario = load_scenario(path)
    tenant_id = store_world(session, scenario.world, scenario.profile)
    wrong = [
        f"{expected.check}: expected {expected.expect}"
        for expected in scenario.checks
        if allows(session, tenant_id, scenario.profile, expected.check) != (expected.expect == "allow")
    ]
    assert not wrong, "\n".join(wrong)


def ids_of(world: World, type_: str) -> list[str]:
    if type_ == "user":
        return sorted(world.users)
    if type_ == "org":
        return sorted(world.orgs)
    return sorted(world.classes)


@pytest.mark.parametrize("path", SCENARIO_FILES[::4], ids=scenario_id)
def test_pages_concatenate_to_exactly_what_decide_allows(path: Path, session: Session) -> None:
    scenario = load_scenario(path)
    world, profile = scenario.world, scenario.profile
    tenant_id = store_world(session, world, profile)
    facts = Facts(world, profile)
    for permission in (p for p in LISTED if p in profile.permissions):
        type_ = (
            "org" if permission.startswith("org") else "class" if permission.startswith("class") else "user"
        )
        for actor in sorted(world.users):
            expected = [
                i
                for i in ids_of(world, type_)
                if decide(Check(actor, permission, Ref(type_, i)), facts).allowed
            ]
            request = Request(actor, permission, type_)
            got: list[str] = []
            after: str | None = None
            while True:
                current = page(session, tenant_id, profile, request, after=after, limit=2)
                assert len(current.ids) <= 2
                got += current.ids
                if current.next_after is None:
                    break
                after = current.next_after
            assert got == expected, f"{actor} {permission}"
            everything = session.scalars(accessible(session, tenant_id, profile, request)).all()
            assert sorted(everything) == expected


def test_an_exact_page_boundary_ends_with_an_empty_last_page(session: Session) -> None:
    scenario = load_scenario(SCENARIO_FILES[0])
    tenant_id = store_world(session, scenario.world, scenario.profile)
    for actor in sorted(scenario.world.users):
        request = Request(actor, "org.view", "org")
        everything = session.scalars(accessible(session, tenant_id, scenario.profile, request)).all()
        if everything:
            break
    whole = page(session, tenant_id, scenario.profile, request, limit=len(everything))
    assert whole.ids == tuple(sorted(everything))
    assert whole.next_after is None
